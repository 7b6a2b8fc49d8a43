package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

// TestFindGoplsTool checks FindGopls where gopls is not on PATH: a module
// that declares gopls as a tool dependency (go get -tool) runs it with "go
// tool gopls", and that command runs the pinned gopls; a module that does
// not gets an error that says how to get gopls. The module is made from
// the module cache alone (GOPROXY=off): corofy never downloads gopls, and
// neither does this test.
func TestFindGoplsTool(t *testing.T) {
	if testing.Short() {
		t.Skip("may build gopls: skipped in -short mode")
	}
	goTool := testmod.GoTool()
	out, err := exec.Command(goTool, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	zip := filepath.Join(strings.TrimSpace(string(out)), "cache", "download", "golang.org", "x", "tools", "gopls", "@v", pinnedGopls+".zip")
	if _, err := os.Stat(zip); err != nil {
		t.Skipf("gopls %s is not in the module cache (go install golang.org/x/tools/gopls@%s puts it there; .ci/run does): %v", pinnedGopls, pinnedGopls, err)
	}
	env := append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	module := func(name string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+name+"\n\ngo 1.26\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	withTool := module("withtool")
	get := exec.Command(goTool, "get", "-tool", "golang.org/x/tools/gopls@"+pinnedGopls)
	get.Dir, get.Env = withTool, env
	if out, err := get.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "module lookup disabled by GOPROXY=off") {
			// go install fetches only the modules gopls's build needs;
			// go get -tool needs the go.mod of every module of its graph.
			t.Skipf("the module cache holds gopls %s but not its whole module graph (go get -tool golang.org/x/tools/gopls@%s in any module puts it there; .ci/run does):\n%s", pinnedGopls, pinnedGopls, out)
		}
		t.Fatalf("go get -tool golang.org/x/tools/gopls@%s (from the module cache): %v\n%s", pinnedGopls, err, out)
	}
	without := module("without")

	// PATH has the go command and nothing else: no gopls.
	bin := t.TempDir()
	if err := os.Symlink(goTool, filepath.Join(bin, "go")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	for _, kv := range []string{"GOPROXY=off", "GOSUMDB=off", "GOFLAGS=-mod=mod", "GOWORK=off"} {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	argv, err := FindGopls(withTool)
	if err != nil {
		t.Fatalf("FindGopls(module with the tool) = %v", err)
	}
	if want := []string{filepath.Join(bin, "go"), "tool", "gopls"}; !slices.Equal(argv, want) {
		t.Fatalf("FindGopls(module with the tool) = %q, want %q", argv, want)
	}
	cmd := exec.Command(argv[0], append(argv[1:], "version")...)
	cmd.Dir = withTool
	version, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(version), pinnedGopls) {
		t.Errorf("%s version = %q, %v; want gopls %s", strings.Join(argv, " "), version, err, pinnedGopls)
	}

	if argv, err := FindGopls(without); err == nil {
		t.Errorf("FindGopls(module without the tool) = %q, want an error", argv)
	} else if !strings.Contains(err.Error(), "go get -tool golang.org/x/tools/gopls") {
		t.Errorf("FindGopls(module without the tool) error %q does not say how to add gopls", err)
	}
}
