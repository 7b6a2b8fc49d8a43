//go:build unix

package lsp

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// ownProcessGroup makes cmd the leader of a new process group, which the
// processes it starts (an editor's language server, its gopls) join.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// waitProcessGroup waits, after cmd has exited, until every process of its
// group has exited too, and fails the test if some are still running after
// limit (then it kills them). An editor may exit without waiting for its
// language server: corofy lsp then ends gopls and exits by itself, and
// until it has, gopls may still write its cache into the test's home.
func waitProcessGroup(t *testing.T, cmd *exec.Cmd, limit time.Duration) {
	t.Helper()
	if cmd.Process == nil {
		return
	}
	pgid := cmd.Process.Pid
	deadline := time.Now().Add(limit)
	for {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(-pgid, syscall.SIGKILL)
			t.Errorf("processes started by %s still run %v after it exited (killed)", cmd.Path, limit)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
