package transform_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
	"golang.org/x/tools/txtar"
)

// TestEndToEnd generates, builds and runs each testdata/e2e/*.txtar
// program twice: with the generated state machines, and as its reference
// program, where each .wait is a loop polling until ready (the reference
// semantics). Both must print the archive's stdout; a program whose tasks
// interleave (JoinAll) may give the reference's output as reference.stdout,
// since that program runs each child to completion at its first poll.
func TestEndToEnd(t *testing.T) {
	files, err := filepath.Glob("../testdata/e2e/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no e2e programs: %v", err)
	}
	common, err := os.ReadFile("../testdata/e2e/common.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	testmod.Setenv(t)
	mod := testmod.New(t)
	type program struct{ name, dir, want string }
	var progs []program
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		var src []byte
		want, refWant := "", ""
		for _, f := range ar.Files {
			switch f.Name {
			case "main.gocoro":
				src = f.Data
			case "stdout":
				want = string(f.Data)
			case "reference.stdout":
				refWant = string(f.Data)
			}
		}
		if refWant == "" {
			refWant = want
		}
		for _, variant := range []string{"machine", "reference"} {
			dir := filepath.Join(mod, name+"_"+variant)
			writeFile(t, filepath.Join(dir, "main.gocoro"), src)
			writeFile(t, filepath.Join(dir, "common.go"), common)
			in := filepath.Join(dir, "main.gocoro")
			cfg := transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}
			var out []byte
			if variant == "machine" {
				res, err := transform.Transform(cfg, []transform.Input{{Path: in}})
				if err != nil {
					t.Fatalf("%s: Transform: %v", name, err)
				}
				if err := transform.CheckGraphs(res[0].Src, res[0].Graphs, true); err != nil {
					t.Errorf("%s: state graph: %v", name, err)
				}
				out = res[0].Src
			} else if out, err = transform.Reference(cfg, transform.Input{Path: in}, src); err != nil {
				t.Fatalf("%s: Reference: %v", name, err)
			}
			writeFile(t, filepath.Join(dir, "main_corofied.go"), out)
			expect := want
			if variant == "reference" {
				expect = refWant
			}
			progs = append(progs, program{name + "_" + variant, dir, expect})
		}
	}
	// One go build for all programs is much faster than one each.
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, p := range progs {
		args = append(args, "./"+filepath.Base(p.dir))
	}
	if out, err := testmod.Go(t, mod, args...); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, p := range progs {
		t.Run(p.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang is a failure, not a stuck CI
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, p.name))
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\n%s", p.name, err, stderr.String())
			}
			if got := stdout.String(); got != p.want {
				t.Errorf("%s printed:\n%s\nwant:\n%s", p.name, got, p.want)
			}
		})
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
