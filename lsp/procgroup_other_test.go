//go:build !unix

package lsp

import (
	"os/exec"
	"testing"
	"time"
)

// ownProcessGroup does nothing where there are no process groups.
func ownProcessGroup(cmd *exec.Cmd) {}

// waitProcessGroup does nothing where there are no process groups.
func waitProcessGroup(t *testing.T, cmd *exec.Cmd, limit time.Duration) {}
