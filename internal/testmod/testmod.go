// Package testmod makes throwaway Go modules that require this repository
// through a replace directive, for tests that run the go command the way a
// user's module would. The modules use the go command's own proxy settings:
// on a machine whose module cache this repository's build filled nothing is
// downloaded, and on a fresh one the few missing modules are.
package testmod

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Root returns the directory of this repository (where go.mod is).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// New returns a new module directory, example.com/m, that requires
// github.com/corofy/corofy replaced by this repository.
func New(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	root := Root()
	mod := "module example.com/m\n\ngo 1.26\n\nrequire github.com/corofy/corofy v0.0.0\n\nreplace github.com/corofy/corofy => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Env returns the environment for go commands in such a module: module
// updates allowed (the replace pulls in our requirements), no workspace.
func Env() []string {
	return append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
}

// Setenv sets Env's variables for the rest of the test, for code that runs
// the go command in-process (go/packages).
func Setenv(t testing.TB) {
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")
}

// Go runs the go command with args in dir and returns its combined output.
func Go(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(goTool(), args...)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var goOnce sync.Once
var goPath string

// goTool returns the go command of the toolchain running the tests.
func goTool() string {
	goOnce.Do(func() {
		goPath = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goPath); err != nil {
			goPath = "go"
		}
	})
	return goPath
}

// GoTool returns the path of the go command.
func GoTool() string { return goTool() }

// Trim removes dir and its path separator from s, to compare outputs.
func Trim(s, dir string) string { return strings.ReplaceAll(s, dir+string(filepath.Separator), "") }
