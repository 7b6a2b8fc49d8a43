//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binOut  []byte
)

// corofyBinary builds the command once, for tests that signal a real
// process.
func corofyBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corofy-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "corofy")
		binOut, binErr = exec.Command(testmod.GoTool(), "build", "-o", binPath, ".").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binOut)
	}
	return binPath
}

const signalSource = `package main

import (
	"fmt"

	"github.com/corofy/corofy/runtime"
)

coroutine func one() int {
	return runtime.Ready(1).wait
}

func main() { fmt.Println(runtime.BlockOn(one())) }
`

// leftTemps returns the temporary files corofy left in dir.
func leftTemps(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, ".corofy-*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// paused is a corofy process stopped between writing its temporary file
// and renaming it.
type paused struct {
	cmd  *exec.Cmd
	done chan error
}

// pausedRun starts corofy on main.gocoro in dir with the test hook that
// makes it stop between writing its temporary file and renaming it, and
// returns once it has stopped there.
func pausedRun(t *testing.T, dir string) *paused {
	t.Helper()
	p := startPaused(t, dir, "COROFY_TESTHOOK_BEFORE_RENAME", "its rename")
	if len(leftTemps(t, dir)) != 1 {
		t.Fatalf("corofy stopped before its rename with temporary files %q, want one", leftTemps(t, dir))
	}
	return p
}

// startPaused starts corofy on main.gocoro in dir with the test hook
// variable hook set, which makes it stop at the place where (for a
// message), and returns once it has stopped there. env is added to its
// environment.
func startPaused(t *testing.T, dir, hook, where string, env ...string) *paused {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(corofyBinary(t), "main.gocoro")
	cmd.Dir = dir
	cmd.Env = append(append(testmod.Env(), env...), hook+"="+ready)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &paused{cmd, make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.After(2 * time.Minute)
	for {
		if _, err := os.Stat(ready); err == nil {
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("corofy ended (%v) without stopping before %s", err, where)
		case <-deadline:
			t.Fatalf("corofy did not stop before %s", where)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait returns how the process ended.
func (p *paused) wait(t *testing.T) syscall.WaitStatus {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		t.Fatal("corofy did not end after the signal")
	}
	return p.cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// TestSignalRemovesTemp: a signal that ends corofy between writing its
// temporary file and renaming it (SIGINT, SIGTERM, SIGHUP, SIGQUIT) leaves
// no temporary file and no output, and corofy ends as the signal ends a
// process (SIGQUIT: with status 131, without Go's goroutine dump).
func TestSignalRemovesTemp(t *testing.T) {
	dir := testmod.New(t)
	if err := os.WriteFile(filepath.Join(dir, "main.gocoro"), []byte(signalSource), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			if signal.Ignored(sig) {
				// corofy inherits that, and rightly keeps going.
				t.Skipf("%v is ignored in this process (started under nohup?), and so in corofy", sig)
			}
			p := pausedRun(t, dir)
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			ws := p.wait(t)
			if sig == syscall.SIGQUIT {
				if !ws.Exited() || ws.ExitStatus() != 128+int(sig) {
					t.Errorf("after %v corofy ended with %v, want exit status %d", sig, p.cmd.ProcessState, 128+int(sig))
				}
			} else if !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("after %v corofy ended with %v, want killed by the signal", sig, p.cmd.ProcessState)
			}
			if names := leftTemps(t, dir); len(names) > 0 {
				t.Errorf("after %v the temporary files %q remain", sig, names)
			}
			if _, err := os.Stat(filepath.Join(dir, "main_corofied.go")); err == nil {
				t.Errorf("after %v main_corofied.go exists", sig)
			}
		})
	}
}

// TestStaleTemp: a temporary file left by a corofy killed with SIGKILL is
// removed by a later run in its directory once it is old enough and its
// process is gone, and only then: a young one, or one whose process is
// alive, is never another run's to remove.
func TestStaleTemp(t *testing.T) {
	dir := testmod.New(t)
	if err := os.WriteFile(filepath.Join(dir, "main.gocoro"), []byte(signalSource), 0o644); err != nil {
		t.Fatal(err)
	}
	p := pausedRun(t, dir)
	p.cmd.Process.Kill()
	p.wait(t)
	left := leftTemps(t, dir)
	if len(left) != 1 {
		t.Fatalf("after SIGKILL the temporary files are %q, want one", left)
	}
	dead := left[0]

	// A live process's temporary file, however old (a run stopped with
	// ^Z, say), is kept.
	live := filepath.Join(dir, ".corofy-"+strconv.Itoa(os.Getpid())+"-12345.go.tmp")
	if err := os.WriteFile(live, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(live, old, old); err != nil {
		t.Fatal(err)
	}

	run := func() {
		t.Helper()
		c := exec.Command(corofyBinary(t), "main.gocoro")
		c.Dir = dir
		c.Env = testmod.Env()
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("corofy: %v\n%s", err, out)
		}
		os.Remove(filepath.Join(dir, "main_corofied.go"))
	}
	// Young, it may be a live run's on another machine or in another
	// process namespace: kept.
	run()
	if _, err := os.Stat(dead); err != nil {
		t.Errorf("a young temporary file of a dead process was removed: %v", err)
	}
	if err := os.Chtimes(dead, old, old); err != nil {
		t.Fatal(err)
	}
	run()
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("the stale temporary file %s was not removed", filepath.Base(dead))
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the temporary file of a live process was removed: %v", err)
	}
}

// overlaidPackage returns the directory of a package whose listing has an
// overlay: main.gocoro, and a Go file that the go command reads as its
// skeleton.
func overlaidPackage(t *testing.T) string {
	t.Helper()
	dir := testmod.New(t)
	for name, src := range map[string]string{
		"main.gocoro": signalSource,
		"other.go":    "package main\n\nimport \"strings\"\n\nvar other = strings.ToUpper(\"x\")\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSignalRemovesOverlay: a signal that ends corofy while the go command
// lists its package (SIGINT, SIGTERM, SIGHUP, SIGQUIT) leaves none of the
// overlay's files it gave the go command (the skeletons of the package's
// Go files) in the temporary directory.
func TestSignalRemovesOverlay(t *testing.T) {
	dir := overlaidPackage(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			if signal.Ignored(sig) {
				t.Skipf("%v is ignored in this process (started under nohup?), and so in corofy", sig)
			}
			tmp := t.TempDir()
			p := startPaused(t, dir, "COROFY_TESTHOOK_LISTING", "its listing", "TMPDIR="+tmp)
			overlays := func() []string {
				names, err := filepath.Glob(filepath.Join(tmp, "corofy-overlay-*"))
				if err != nil {
					t.Fatal(err)
				}
				return names
			}
			if len(overlays()) != 1 {
				t.Fatalf("corofy stopped before its listing with overlays %q, want one", overlays())
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			p.wait(t)
			if left := overlays(); len(left) > 0 {
				t.Errorf("after %v the overlays %q remain", sig, left)
			}
		})
	}
}

// TestStaleOverlay: the overlay of a run killed with SIGKILL while the go
// command listed its package is removed by a later run once it is old
// enough and its process is gone, and only then.
func TestStaleOverlay(t *testing.T) {
	dir := overlaidPackage(t)
	tmp := t.TempDir()
	p := startPaused(t, dir, "COROFY_TESTHOOK_LISTING", "its listing", "TMPDIR="+tmp)
	p.cmd.Process.Kill()
	p.wait(t)
	left, _ := filepath.Glob(filepath.Join(tmp, "corofy-overlay-*"))
	if len(left) != 1 {
		t.Fatalf("after SIGKILL the overlays are %q, want one", left)
	}
	dead := left[0]
	// A live process's overlay, however old, is kept.
	live := filepath.Join(tmp, fmt.Sprintf("corofy-overlay-%d-12345", os.Getpid()))
	if err := os.Mkdir(live, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func() {
		t.Helper()
		cmd := exec.Command(corofyBinary(t), "main.gocoro")
		cmd.Dir = dir
		cmd.Env = append(testmod.Env(), "TMPDIR="+tmp)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("corofy: %v\n%s", err, out)
		}
	}
	run()
	if _, err := os.Stat(dead); err != nil {
		t.Errorf("a recent overlay of a process that is gone was removed: %v", err)
	}
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{dead, live} {
		if err := os.Chtimes(name, old, old); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("the old overlay of a process that is gone is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the overlay of a live process was removed: %v", err)
	}
}
