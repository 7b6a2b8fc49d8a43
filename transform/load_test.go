package transform

import (
	"errors"
	"fmt"
	"go/scanner"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestSkeletons loads packages whose Go files the go command reads as
// skeletons (see goFileImports), and the same with their whole files:
// the outputs and the errors are the same, and the load lists again
// without skeletons exactly where a package needs the export data of a
// package of the run.
func TestSkeletons(t *testing.T) {
	const co = `
import "github.com/corofy/corofy/runtime"

coroutine func Co() int {
	return runtime.Ready(1).wait + N
}
`
	for _, c := range []struct {
		name   string
		files  string
		inputs []string
		again  bool // lists again without skeletons
	}{
		{"Go files", `
-- p/p.gocoro --
package p
` + co + `
-- p/n.go --
package p

import "strings"

var N = len(strings.Repeat("x", 2))
-- p/n_test.go --
package p

import "testing"

func TestN(t *testing.T) {}
`, []string{"p/p.gocoro"}, false},
		{"two packages of the run", `
-- p/p.gocoro --
package p
` + co + `
-- p/n.go --
package p

var N = 2
-- q/q.gocoro --
package q

import (
	"example.com/m/p"

	"github.com/corofy/corofy/runtime"
)

coroutine func Co() int {
	return p.Co().wait + runtime.Ready(p.N).wait
}
-- q/q.go --
package q

import "example.com/m/p"

var M = p.N
`, []string{"p/p.gocoro", "q/q.gocoro"}, false},
		{"a package between two of the run", `
-- p/p.gocoro --
package p
` + co + `
-- p/n.go --
package p

var N = 2
-- r/r.go --
package r

import "example.com/m/p"

var M = p.N + 1
-- q/q.gocoro --
package q

import (
	"example.com/m/r"

	"github.com/corofy/corofy/runtime"
)

coroutine func Co() int {
	return runtime.Ready(r.M).wait
}
`, []string{"p/p.gocoro", "q/q.gocoro"}, true},
		{"external test of a package without inputs", `
-- p/n.go --
package p

var N = 2
-- p/p_test.gocoro --
package p_test

import (
	"example.com/m/p"

	"github.com/corofy/corofy/runtime"
)

coroutine func co() int {
	return runtime.Ready(p.N).wait
}
`, []string{"p/p_test.gocoro"}, true},
		{"external test of a test variant without inputs", `
-- p/n.go --
package p

var N = 2
-- p/export_test.go --
package p

var NForTest = N
-- p/p_test.gocoro --
package p_test

import (
	"example.com/m/p"

	"github.com/corofy/corofy/runtime"
)

coroutine func co() int {
	return runtime.Ready(p.NForTest).wait
}
`, []string{"p/p_test.gocoro"}, true},
		{"errors in Go files", `
-- p/p.gocoro --
package p
` + co + `
-- p/n.go --
package p

import (
	"strings"
	"nowhere/pkg"
)

var N int = strings.Repeat("x", 2)
`, []string{"p/p.gocoro"}, false},
		{"cgo", `
-- p/p.gocoro --
package p
` + co + `
-- p/n.go --
package p

// int two(void) { return 2; }
import "C"

var N = int(C.two())
`, []string{"p/p.gocoro"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mod, _ := newTestPackage(t)
			for _, f := range txtar.Parse([]byte(c.files)).Files {
				name := filepath.Join(mod, f.Name)
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var inputs []Input
			for _, in := range c.inputs {
				inputs = append(inputs, Input{Path: filepath.Join(mod, in)})
			}
			before := fullListings.Load()
			got, gotErr := Transform(Config{}, inputs)
			if again := fullListings.Load() > before; again != c.again {
				t.Errorf("listed again without skeletons: %v, want %v", again, c.again)
			}
			noSkeletons.Store(true)
			want, wantErr := Transform(Config{}, inputs)
			noSkeletons.Store(false)
			if errString(gotErr) != errString(wantErr) {
				t.Fatalf("errors with skeletons:\n%v\nwithout:\n%v", gotErr, wantErr)
			}
			if len(got) != len(want) {
				t.Fatalf("%d outputs with skeletons, %d without", len(got), len(want))
			}
			for i := range got {
				if string(got[i].Src) != string(want[i].Src) {
					t.Errorf("%s with skeletons differs at %s", got[i].Output, lineDiff(got[i].Src, want[i].Src))
				}
			}
			if strings.HasPrefix(c.name, "errors") {
				for _, msg := range []string{"n.go:5:2: ", "n.go:8:13: cannot use"} {
					if !strings.Contains(errString(gotErr), msg) {
						t.Errorf("errors do not contain %q:\n%s", msg, errString(gotErr))
					}
				}
			} else if gotErr != nil {
				t.Fatal(gotErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	var list scanner.ErrorList
	if errors.As(err, &list) {
		var b strings.Builder
		for _, e := range list {
			fmt.Fprintln(&b, e)
		}
		return b.String()
	}
	return err.Error()
}

// TestGoCommandDir: the go command lists from the current directory when
// it finds the same module and workspace there as from the package's
// directory, so that its messages name files as the user does.
func TestGoCommandDir(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":        "module example.com/m\n",
		"a/a.go":        "package a\n",
		"b/go.work":     "go 1.26\n\nuse ..\n",
		"b/b.go":        "package b\n",
		"nested/go.mod": "module example.com/nested\n",
	} {
		name = filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	for _, c := range []struct{ wd, dir, want string }{
		{"", "a", ""},             // the module's root
		{"a", "a", "a"},           // the package's directory
		{"b", "a", "a"},           // a workspace from b, none from a
		{"b", "b", "b"},           // the same workspace
		{"nested", "a", "a"},      // another module
		{outside, "a", "a"},       // no module
		{"a", "nested", "nested"}, // another module
		{"", "nested", "nested"},  // another module
	} {
		wd := c.wd
		if !filepath.IsAbs(wd) {
			wd = filepath.Join(root, wd)
		}
		t.Chdir(wd)
		if got, want := goCommandDir(filepath.Join(root, c.dir)), filepath.Join(root, c.want); got != want {
			t.Errorf("in %s, for %s: %s, want %s", c.wd, c.dir, got, want)
		}
	}
}
