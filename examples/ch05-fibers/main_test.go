package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/corofy/corofy/fibers"
)

// want is the book's output (BOOK.md, "Fibers").
const want = `THREAD 1 STARTING
thread: 1 counter: 0
THREAD 2 STARTING
thread: 2 counter: 0
thread: 1 counter: 1
thread: 2 counter: 1
thread: 1 counter: 2
thread: 2 counter: 2
thread: 1 counter: 3
thread: 2 counter: 3
thread: 1 counter: 4
thread: 2 counter: 4
thread: 1 counter: 5
thread: 2 counter: 5
thread: 1 counter: 6
thread: 2 counter: 6
thread: 1 counter: 7
thread: 2 counter: 7
thread: 1 counter: 8
thread: 2 counter: 8
thread: 1 counter: 9
thread: 2 counter: 9
THREAD 1 FINISHED
thread: 2 counter: 10
thread: 2 counter: 11
thread: 2 counter: 12
thread: 2 counter: 13
thread: 2 counter: 14
THREAD 2 FINISHED
`

// TestMain lets TestProgram run this test binary as the program itself.
func TestMain(m *testing.M) {
	if os.Getenv("CH05_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// skipUnlessAsm skips t where the fibers package does not offer the asm
// backend: a Go version or platform it was not verified for. Whether it must
// be offered is fibers' own TestAsmSupported's business.
func skipUnlessAsm(t *testing.T, covered string) {
	t.Helper()
	if err := fibers.AsmSupported(); err != nil {
		if !errors.Is(err, fibers.ErrUnsupported) {
			t.Fatalf("fibers.AsmSupported() = %v, want nil or an error wrapping ErrUnsupported", err)
		}
		t.Skipf("asm backend not available with %s on %s/%s, so not tested here (%v); %s",
			runtime.Version(), runtime.GOOS, runtime.GOARCH, err, covered)
	}
}

// runProgram runs the program with -backend=backend and returns its standard
// output and standard error.
func runProgram(t *testing.T, backend string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-backend="+backend)
	if wrapper := os.Getenv("FIBERS_EXEC_WRAPPER"); wrapper != "" {
		cmd = exec.Command(wrapper, os.Args[0], "-backend="+backend)
	}
	cmd.Env = append(os.Environ(), "CH05_RUN_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("ch05-fibers -backend=%s: %v\nstderr:\n%s", backend, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestProgram runs the program with each -backend flag and compares its
// exact standard output and standard error.
func TestProgram(t *testing.T) {
	for _, backend := range []string{"asm", "pull"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "asm" {
				skipUnlessAsm(t, "the pull subtest covers the output, and TestAsmFallback the fallback to pull that -backend=asm takes here")
			}
			got, stderr := runProgram(t, backend)
			if got != want {
				t.Errorf("ch05-fibers -backend=%s printed:\n%s\nwant:\n%s", backend, got, want)
			}
			if stderr != "" {
				t.Errorf("ch05-fibers -backend=%s wrote to stderr:\n%s", backend, stderr)
			}
		})
	}
}

// TestAsmFallback checks what the program does with -backend=asm where the
// asm backend is not available: the same output on the pull backend, and one
// line on stderr that says why.
func TestAsmFallback(t *testing.T) {
	err := fibers.AsmSupported()
	if err == nil {
		t.Skipf("asm backend available with %s on %s/%s, so the program does not fall back; TestProgram/asm covers -backend=asm",
			runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	got, stderr := runProgram(t, "asm")
	if got != want {
		t.Errorf("ch05-fibers -backend=asm (falling back) printed:\n%s\nwant:\n%s", got, want)
	}
	if wantErr := "ch05-fibers: " + err.Error() + "; using the pull backend\n"; stderr != wantErr {
		t.Errorf("ch05-fibers -backend=asm (falling back) wrote to stderr:\n%s\nwant:\n%s", stderr, wantErr)
	}
}

// TestRun runs the demo in process on each backend available.
func TestRun(t *testing.T) {
	for _, backend := range []fibers.Backend{fibers.Asm, fibers.Pull} {
		t.Run(backend.String(), func(t *testing.T) {
			if backend == fibers.Asm {
				skipUnlessAsm(t, "the pull subtest covers the demo")
			}
			rt, err := fibers.New(fibers.Config{Backend: backend})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			run(rt, &out)
			if out.String() != want {
				t.Errorf("run on %v printed:\n%s\nwant:\n%s", backend, out.String(), want)
			}
		})
	}
}
