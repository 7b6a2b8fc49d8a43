package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/tools/txtar"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"corofy": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts of testdata/script. Each runs in a
// module that requires this repository through a replace, with the go
// command's settings of the machine running the test.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", testmod.Root())
			for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE"} {
				out, err := exec.Command(testmod.GoTool(), "env", v).Output()
				if err != nil {
					return err
				}
				env.Setenv(v, strings.TrimSpace(string(out)))
			}
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOWORK", "off")
			sum, err := os.ReadFile(testmod.Root() + "/go.sum")
			if err != nil {
				return err
			}
			mod := "module example.com/m\n\ngo 1.26\n\nrequire github.com/corofy/corofy v0.0.0\n\nreplace github.com/corofy/corofy => " + testmod.Root() + "\n"
			if err := os.WriteFile(env.WorkDir+"/go.mod", []byte(mod), 0o644); err != nil {
				return err
			}
			return os.WriteFile(env.WorkDir+"/go.sum", sum, 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exitcode N command args... runs a command and checks its exit code.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: exitcode N command args...")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("exitcode: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
				}
			},
		},
	})
}

// TestREADMEGraph: the Mermaid diagram in README.md is the output that
// testdata/script/graph.txtar checks corofy -graph=mermaid prints.
func TestREADMEGraph(t *testing.T) {
	readme, err := os.ReadFile(testmod.Root() + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```mermaid\n")
	if !ok {
		t.Fatal("README.md has no mermaid block")
	}
	block, _, _ = strings.Cut(block, "```")
	ar, err := txtar.ParseFile(testmod.Root() + "/testdata/script/graph.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == "want.mermaid" {
			if string(f.Data) != block {
				t.Errorf("README.md's mermaid block differs from want.mermaid of graph.txtar:\n%s\nwant:\n%s", block, f.Data)
			}
			return
		}
	}
	t.Fatal("graph.txtar has no want.mermaid")
}
