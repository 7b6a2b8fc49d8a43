//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

const namesSource = `package lib

import "github.com/corofy/corofy/runtime"

coroutine func One() int {
	return runtime.Ready(1).wait
}
`

// TestOddNames: any name a file system allows works, or is refused with a
// message saying why. A name that a Go comment cannot hold (a newline, a
// carriage return, bytes that are not UTF-8, "*/" in the path from the
// output to the input) gets no line directives, with a warning that names
// it quoted; the output builds and -check reads its header. An output the
// go command would not accept in a package is refused. Messages quote a
// name with odd characters, and never hold the generated program.
func TestOddNames(t *testing.T) {
	dir := testmod.New(t)
	corofy := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(corofyBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = testmod.Env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	goBuild := func(pkg string) {
		t.Helper()
		if out, err := testmod.Go(t, dir, "build", pkg); err != nil {
			t.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	for _, tc := range []struct {
		dir, name string
		shown     string // in messages, if it gets a warning: no line directives
		refused   string // the message when its default output is refused
	}{
		// The go command cannot list a Go file whose name has a newline
		// (its cache splits the name) or bytes that are not UTF-8 (its
		// JSON replaces them), and refuses one whose name starts with a
		// character it could read as a flag: the default output is
		// refused, -o names one that works.
		{"nl", "nl\nx.gocoro", `"nl/nl\nx.gocoro"`, `corofy: "nl/nl\nx_corofied.go": the go command does not accept this name for a Go file (it has a newline); rename "nl/nl\nx.gocoro", or name the output with -o` + "\n"},
		{"bad", "bad\xffname.gocoro", `"bad/bad\xffname.gocoro"`, `corofy: "bad/bad\xffname_corofied.go": the go command does not accept this name for a Go file (it has bytes that are not UTF-8); rename "bad/bad\xffname.gocoro", or name the output with -o` + "\n"},
		{"dash", "-x.gocoro", "", `corofy: dash/-x_corofied.go: the go command does not accept this name for a Go file (it starts with '-'); rename dash/-x.gocoro, or name the output with -o` + "\n"},
		{"cr", "cr\rx.gocoro", `"cr/cr\rx.gocoro"`, ""},
		{"space", "sp ace.gocoro", "", ""},
		{"quote", `quo"te.gocoro`, "", ""},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			path := filepath.Join(tc.dir, tc.name)
			if err := os.MkdirAll(filepath.Join(dir, tc.dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, path), []byte(namesSource), 0o644); err != nil {
				t.Fatal(err)
			}
			output := filepath.Join(tc.dir, strings.TrimSuffix(tc.name, ".gocoro")+"_corofied.go")
			args := []string{path}
			if tc.refused != "" {
				out, err := corofy(path)
				if err == nil || out != tc.refused {
					t.Errorf("corofy %q: %v, printed %q; want an error and %q", path, err, out, tc.refused)
				}
				if _, err := os.Stat(filepath.Join(dir, output)); err == nil {
					t.Errorf("%q was written", output)
				}
				output = filepath.Join(tc.dir, "out_corofied.go")
				args = []string{"-o", output, path}
			}
			out, err := corofy(args...)
			if err != nil {
				t.Fatalf("corofy %q: %v\n%s", args, err, out)
			}
			if strings.Contains(out, "package ") {
				t.Errorf("corofy %q printed code:\n%s", args, out)
			}
			warn := tc.shown != ""
			if warn {
				want := "corofy: warning: " + tc.shown + ": no line directives:"
				if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
					t.Errorf("corofy %q printed %q, want one line starting %q", args, out, want)
				}
			} else if out != "" {
				t.Errorf("corofy %q printed %q", args, out)
			}
			gen, err := os.ReadFile(filepath.Join(dir, output))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(gen), "/*line "); got == warn {
				t.Errorf("line directives: %v, want %v:\n%s", got, !warn, gen)
			}
			goBuild("./" + tc.dir)
			if out, err := corofy(append([]string{"-check"}, args...)...); err != nil {
				t.Errorf("corofy -check %q: %v\n%s", args, err, out)
			}
		})
	}

	t.Run("star", func(t *testing.T) {
		// The path from the output to the input holds "*/".
		if err := os.MkdirAll(filepath.Join(dir, "star", "a*"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "star", "a*", "x.gocoro"), []byte(namesSource), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := corofy("-o", "star/out_corofied.go", "star/a*/x.gocoro")
		if err != nil {
			t.Fatalf("corofy: %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, "corofy: warning: star/a*/x.gocoro: no line directives:") || strings.Count(out, "\n") != 1 {
			t.Errorf("corofy printed %q", out)
		}
		goBuild("./star")
	})

	t.Run("diagnostic", func(t *testing.T) {
		// A position in a file with an odd name is quoted.
		path := filepath.Join("diag", "bad\xff\nname.gocoro")
		if err := os.MkdirAll(filepath.Join(dir, "diag"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte("package lib\n\nvar x int = \"s\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := corofy("-o", "diag/out_corofied.go", path)
		want := `"diag/bad\xff\nname.gocoro":3:13: cannot use "s" (untyped string constant) as int value in variable declaration` + "\n"
		if err == nil || out != want {
			t.Errorf("corofy %q: %v\n%s\nwant:\n%s", path, err, out, want)
		}
	})
}
