package fibers_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/corofy/corofy/fibers"
)

// Tests that must crash, or measure a whole process, run the test binary
// again as a child with FIBERS_CHILD set to a mode; TestMain dispatches.

const childEnv = "FIBERS_CHILD"

func TestMain(m *testing.M) {
	mode := os.Getenv(childEnv)
	kind, arg, _ := strings.Cut(mode, ":")
	switch kind {
	case "contract":
		contractChild(arg)
	case "overflow":
		overflowChild(arg)
	case "memory":
		memoryChild(arg)
	default: // "" or "fatal": run the tests
		os.Exit(m.Run())
	}
	os.Exit(0)
}

// runChild runs the test binary with mode in FIBERS_CHILD, extra environment
// variables (empty ones ignored) and args, and returns its combined output and
// exit code. If FIBERS_EXEC_WRAPPER is set (say, to qemu-aarch64-static, to
// run an arm64 test binary where binfmt_misc is not set up), the child runs
// under it.
func runChild(t testing.TB, mode string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	if wrapper := os.Getenv("FIBERS_EXEC_WRAPPER"); wrapper != "" {
		cmd = exec.Command(wrapper, append([]string{os.Args[0]}, args...)...)
	}
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	for _, e := range env {
		if e != "" {
			cmd.Env = append(cmd.Env, e)
		}
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running child %s: %v", mode, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// TestStackOverflow checks the documented failure of a fiber that needs more
// stack than it has: the process stops with the runtime's "fatal error: stack
// size not a power of 2" before anything is copied or freed, and nothing after
// the overflow runs.
func TestStackOverflow(t *testing.T) {
	requireAsm(t, "the overflow of an Asm fiber is not tested elsewhere (a Pull fiber's stack grows)")
	out, code := runChild(t, "overflow:asm", nil)
	if code != 2 || !strings.Contains(out, "fatal error: stack size not a power of 2") {
		t.Fatalf("child overflow: exit %d, want 2 and \"fatal error: stack size not a power of 2\":\n%s", code, out)
	}
	if strings.Contains(out, "UNREACHABLE") {
		t.Fatalf("child overflow ran code after the overflow:\n%s", out)
	}
	if !strings.Contains(out, "fibers_test.deep") {
		t.Errorf("child overflow: traceback does not show the overflowing function:\n%s", out)
	}
}

func overflowChild(backend string) {
	var b fibers.Backend
	if err := b.Set(backend); err != nil {
		panic(err)
	}
	rt, err := fibers.New(fibers.Config{Backend: b, StackSize: 16 << 10})
	if err != nil {
		panic(err)
	}
	rt.Spawn(func(f *fibers.Fiber) { f.Yield() })
	rt.Spawn(func(f *fibers.Fiber) {
		fmt.Println("depth", deep(1<<20))
		fmt.Println("UNREACHABLE")
	})
	rt.Run()
	fmt.Println("UNREACHABLE")
}

// deep recurses n levels with a 256-byte frame.
//
//go:noinline
func deep(n int) int {
	var pad [32]int
	pad[n%32] = n
	if n == 0 {
		return 0
	}
	return deep(n-1) + pad[n%32] - n + 1
}

// TestFatalInFiber checks that t.Fatal inside a fiber fails the test like it
// would on the test goroutine: no crash, the other fibers unwound.
func TestFatalInFiber(t *testing.T) {
	for _, b := range allBackends {
		t.Run(b.String(), func(t *testing.T) {
			if b == fibers.Asm {
				requireAsm(t, "the pull subtest covers this test")
			}
			out, code := runChild(t, "fatal", []string{"FIBERS_BACKEND=" + b.String()},
				"-test.run=^TestFatalInFiberChild$", "-test.v")
			for _, want := range []string{"--- FAIL: TestFatalInFiberChild", "fatal in fiber 2", "fiber 1 unwound", "test goroutine unwound"} {
				if !strings.Contains(out, want) {
					t.Errorf("child output lacks %q", want)
				}
			}
			if code != 1 || strings.Contains(out, "fatal error") || strings.Contains(out, "panic:") || strings.Contains(out, "AFTER") {
				t.Errorf("child exit %d, want 1 (a failed test, no crash, nothing after the Fatal)", code)
			}
			if t.Failed() {
				t.Logf("child output:\n%s", out)
			}
		})
	}
}

// TestFatalInFiberChild is the child side of TestFatalInFiber; it fails on
// purpose and only runs as a child.
func TestFatalInFiberChild(t *testing.T) {
	if os.Getenv(childEnv) != "fatal" {
		t.Skip("child of TestFatalInFiber")
	}
	var b fibers.Backend
	if err := b.Set(os.Getenv("FIBERS_BACKEND")); err != nil {
		t.Fatal(err)
	}
	rt, err := fibers.New(fibers.Config{Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	defer fmt.Println("test goroutine unwound")
	rt.Spawn(func(f *fibers.Fiber) {
		defer fmt.Println("fiber 1 unwound")
		for {
			f.Yield()
		}
	})
	rt.Spawn(func(f *fibers.Fiber) {
		f.Yield()
		t.Fatal("fatal in fiber 2")
		fmt.Println("AFTER the Fatal, in the fiber")
	})
	rt.Run()
	fmt.Println("AFTER Run")
}
