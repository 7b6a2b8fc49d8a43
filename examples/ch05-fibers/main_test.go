package main

import (
	"bytes"
	"os"
	"os/exec"
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

// TestProgram runs the program with each -backend flag and compares its
// exact standard output and standard error.
func TestProgram(t *testing.T) {
	for _, backend := range []string{"asm", "pull"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "asm" {
				if err := fibers.AsmSupported(); err != nil {
					t.Skip(err) // the program falls back to pull, with a note on stderr
				}
			}
			cmd := exec.Command(os.Args[0], "-backend="+backend)
			if wrapper := os.Getenv("FIBERS_EXEC_WRAPPER"); wrapper != "" {
				cmd = exec.Command(wrapper, os.Args[0], "-backend="+backend)
			}
			cmd.Env = append(os.Environ(), "CH05_RUN_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("ch05-fibers -backend=%s: %v\nstderr:\n%s", backend, err, stderr.String())
			}
			if got := stdout.String(); got != want {
				t.Errorf("ch05-fibers -backend=%s printed:\n%s\nwant:\n%s", backend, got, want)
			}
			if stderr.Len() != 0 {
				t.Errorf("ch05-fibers -backend=%s wrote to stderr:\n%s", backend, stderr.String())
			}
		})
	}
}

// TestRun runs the demo in process on each backend available.
func TestRun(t *testing.T) {
	for _, backend := range []fibers.Backend{fibers.Asm, fibers.Pull} {
		t.Run(backend.String(), func(t *testing.T) {
			rt, err := fibers.New(fibers.Config{Backend: backend})
			if err != nil {
				t.Skip(err)
			}
			var out strings.Builder
			run(rt, &out)
			if out.String() != want {
				t.Errorf("run on %v printed:\n%s\nwant:\n%s", backend, out.String(), want)
			}
		})
	}
}
