package golist

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/diff"
	"github.com/corofy/corofy/internal/testmod"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"
)

// The layouts of TestSameAsPackages. Each is a txtar archive extracted
// into a module (example.com/m, which requires this repository); its
// comment holds the patterns, one per line, "tests" for a load with the
// tests, "env K=V" to set a variable ($DIR in V is the module's
// directory), "vendor" to vendor the module's requirements and load with
// -mod=vendor, and "overlay F G" to give the go command G's text for F
// (as corofy gives it skeletons and stand-ins).
// A pattern that begins with "./" is made absolute, as corofy names its
// directories.
var layouts = []struct{ name, archive string }{
	{"plain", `
./p
fmt
strings
-- p/p.go --
package p

import (
	"fmt"
	"strings"
)

const Size = 1 << 10

type T struct {
	A int64
	B [Size]byte
	C fmt.Stringer
}

func F() string { return strings.Repeat("x", 2) }
`},
	{"corofy's runtime", `
./p
github.com/corofy/corofy/runtime
-- p/p.go --
package p

import "github.com/corofy/corofy/runtime"

var F = runtime.Ready(1)
`},
	{"tests", `
tests
./p
testing
example.com/m/p
-- p/p.go --
package p

func F() int { return 1 }
-- p/p_test.go --
package p

import "testing"

func helper() int { return F() }

func TestF(t *testing.T) { _ = helper() }
-- p/x_test.go --
package p_test

import (
	"testing"

	"example.com/m/p"
)

func TestX(t *testing.T) { _ = p.F() }
`},
	{"tests of a package without test files", `
tests
./p
./q
-- p/p.go --
package p

func F() int { return 1 }
-- q/q.go --
package q

import "example.com/m/p"

var G = p.F
-- q/q_test.go --
package q

import "testing"

func TestG(t *testing.T) {}
`},
	{"imports that fail", `
./p
example.com/m/nope
example.com/m/cmd
internal/abi
-- p/p.go --
package p

import (
	_ "example.com/m/cmd"
	_ "example.com/m/nope"
	_ "internal/abi"
)
-- cmd/main.go --
package main

func main() {}
`},
	{"an import cycle", `
./a
./b
-- a/a.go --
package a

import "example.com/m/b"

var A = b.B
-- b/b.go --
package b

import "example.com/m/a"

var B = a.A
`},
	{"a dependency that does not compile", `
./b
./a
-- a/a.go --
package a

type T struct{ X int }

func F() int { return "x" }
-- b/b.go --
package b

import "example.com/m/a"

var V a.T

func G() int { return a.F() + V.X }
`},
	{"syntax errors", `
./p
./q
-- p/p.go --
package p

func F( {
-- p/ok.go --
package p

var X = 1
-- q/q.go --
packge q
`},
	{"a directory without Go files", `
./p
./q
-- p/p.gocoro --
package p
-- q/q.go --
package q
`},
	{"build constraints", `
./p
-- p/p.go --
package p

var X = Y
-- p/y_linux.go --
package p

const Y = 1
-- p/y_other.go --
//go:build !linux

package p

const Y = 2
-- p/ignored.go --
//go:build ignore

package main
`},
	{"another architecture", `
env GOARCH=386
./p
unsafe
-- p/p.go --
package p

import "unsafe"

var S = unsafe.Sizeof(uintptr(0))
`},
	{"cgo", `
./p
-- p/p.go --
package p

// int twice(int x) { return 2 * x; }
import "C"

func Twice(x int) int { return int(C.twice(C.int(x))) }
-- p/q.go --
package p

var Q = 1
`},
	{"the standard library's vendored packages", `
./p
net/http
-- p/p.go --
package p

import "net/http"

var C = http.DefaultClient
`},
	{"generics in export data", `
./p
./g
-- g/g.go --
package g

type List[T any] struct{ items []T }

func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

func Map[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}
-- p/p.go --
package p

import "example.com/m/g"

var L g.List[string]

var M = g.Map[int, string]
`},
	{"a package with test files only", `
tests
./p
-- p/p_test.go --
package p

import "testing"

func TestP(t *testing.T) {}
`},
	{"embedded files", `
./p
embed
-- p/p.go --
package p

import _ "embed"

//go:embed hello.txt
var Hello string
-- p/hello.txt --
hello
`},
	{"a nested module", `
./p
./sub/q
-- p/p.go --
package p

var P = 1
-- sub/go.mod --
module example.com/sub

go 1.26
-- sub/q/q.go --
package q

var Q = 2
`},
	{"a workspace", `
env GOWORK=$DIR/go.work
env GOFLAGS=
./p
example.com/other/o
-- go.work --
go 1.26

use (
	.
	./other
)
-- other/go.mod --
module example.com/other

go 1.26
-- other/o/o.go --
package o

func O() int { return 1 }
-- p/p.go --
package p

import "example.com/other/o"

var P = o.O()
`},
	{"vendored modules", `
vendor
./p
github.com/corofy/corofy/runtime
-- p/p.go --
package p

import "github.com/corofy/corofy/runtime"

var F = runtime.Ready(1)
`},
	{"an overlay", `
overlay p/p.go p/skeleton
overlay p/old.go p/head
./p
./q
strings
-- p/p.go --
package p

import "strings"

var F = strings.ToUpper
-- p/skeleton --
package p

import "strings"
-- p/old.go --
package p

func Old() {}
-- p/head --
package p
-- q/q.go --
package q

import "example.com/m/p"

var G = p.F
`},
}

// TestSameAsPackages compares Load with go/packages on every layout: the
// same packages, fields, errors and types, but for the differences the
// package comment gives.
func TestSameAsPackages(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			dir := testmod.New(t)
			testmod.Setenv(t)
			ar := txtar.Parse([]byte(l.archive))
			for _, f := range ar.Files {
				name := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var patterns, flags []string
			tests, vendor := false, false
			replace := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(ar.Comment)), "\n") {
				f := strings.Fields(line)
				switch {
				case f[0] == "tests":
					tests = true
				case f[0] == "env":
					k, v, _ := strings.Cut(f[1], "=")
					t.Setenv(k, strings.ReplaceAll(v, "$DIR", dir))
				case f[0] == "vendor":
					vendor = true
				case f[0] == "overlay":
					replace[filepath.Join(dir, f[1])] = filepath.Join(dir, f[2])
				case strings.HasPrefix(f[0], "./"):
					patterns = append(patterns, filepath.Join(dir, f[0]))
				default:
					patterns = append(patterns, f[0])
				}
			}
			if vendor {
				for _, args := range [][]string{{"mod", "tidy"}, {"mod", "vendor"}} {
					if out, err := testmod.Go(t, dir, args...); err != nil {
						t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
					}
				}
				t.Setenv("GOFLAGS", "-mod=vendor")
			}
			if len(replace) > 0 {
				js, _ := json.Marshal(map[string]any{"Replace": replace})
				file := filepath.Join(t.TempDir(), "overlay.json")
				if err := os.WriteFile(file, js, 0o644); err != nil {
					t.Fatal(err)
				}
				flags = append(flags, "-overlay="+file)
			}
			// As corofy parses them (go/packages would report every
			// syntax error of a file).
			parse := func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
				return parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
			}
			cfg := &packages.Config{
				ParseFile:  parse,
				Mode:       packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedModule,
				Dir:        dir,
				Tests:      tests,
				BuildFlags: flags,
			}
			// A first load settles go.mod: with -mod=mod, the go command
			// adds requirements and writes the go line in full.
			if _, err := packages.Load(cfg, patterns...); err != nil {
				t.Fatal(err)
			}
			want, err := packages.Load(cfg, patterns...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Load(&Config{Dir: dir, Tests: tests, Flags: flags, ParseFile: parse}, patterns...)
			if err != nil {
				t.Fatal(err)
			}
			w, g := dumpPackages(want, dir), dump(got, dir)
			if w != g {
				t.Errorf("go/packages and golist differ:\n%s", diff.Diff("packages", []byte(w), "golist", []byte(g)))
			}
			if len(got) == 0 {
				t.Errorf("no packages")
			}
		})
	}
}

// view is what the tests compare of a package, as both loaders give it.
type view struct {
	ID, Name, PkgPath, Dir   string
	GoFiles, CompiledGoFiles []string
	Imports                  map[string]string
	Errors                   []string
	Module                   string
	Types                    string
	Sizes                    string
}

// dump returns the views of the packages Load returned, and those they
// import, in the order of their IDs.
func dump(pkgs []*Package, dir string) string {
	var views []view
	roots := map[*Package]bool{}
	for _, p := range pkgs {
		roots[p] = true
	}
	Visit(pkgs, nil, func(p *Package) {
		v := view{ID: p.ID, Name: p.Name, PkgPath: p.PkgPath, Dir: p.Dir, GoFiles: p.GoFiles, CompiledGoFiles: p.CompiledGoFiles, Imports: map[string]string{}}
		if rel, err := filepath.Rel(dir, p.ID); err == nil && filepath.IsAbs(p.ID) && len(p.Errors) > 0 {
			// A directory named by its path with no package keeps it as
			// its ID, where go/packages finds its import path (see the
			// package comment).
			v.ID = "example.com/m/" + filepath.ToSlash(rel)
			v.PkgPath = v.ID
			p.Types = types.NewPackage(v.ID, p.Types.Name())
			p.Types.MarkComplete()
		}
		for path, q := range p.Imports {
			v.Imports[path] = q.ID
		}
		for _, e := range p.Errors {
			if e.Kind != TypeError {
				v.Errors = append(v.Errors, fmt.Sprintf("%d %s: %s", e.Kind, e.Pos, e.Msg))
			}
		}
		v.Module = moduleString(p.Module)
		v.Types = typesString(p.Types, roots[p])
		v.Sizes = sizesString(p.TypesSizes)
		views = append(views, v)
	})
	return format(views, dir)
}

// dumpPackages is dump for go/packages's packages.
func dumpPackages(pkgs []*packages.Package, dir string) string {
	var views []view
	roots := map[*packages.Package]bool{}
	for _, p := range pkgs {
		roots[p] = true
	}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		v := view{ID: p.ID, Name: p.Name, PkgPath: p.PkgPath, Dir: p.Dir, GoFiles: p.GoFiles, CompiledGoFiles: p.CompiledGoFiles, Imports: map[string]string{}}
		for path, q := range p.Imports {
			v.Imports[path] = q.ID
		}
		for _, e := range p.Errors {
			if e.Kind != packages.TypeError {
				v.Errors = append(v.Errors, fmt.Sprintf("%d %s: %s", e.Kind, e.Pos, e.Msg))
			}
		}
		if p.Module != nil {
			v.Module = moduleString(&Module{Path: p.Module.Path, Version: p.Module.Version, Main: p.Module.Main, Dir: p.Module.Dir, GoMod: p.Module.GoMod, GoVersion: p.Module.GoVersion})
		}
		v.Types = typesString(p.Types, roots[p])
		v.Sizes = sizesString(p.TypesSizes)
		views = append(views, v)
	})
	return format(views, dir)
}

func moduleString(m *Module) string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%s %s main=%t %s %s go%s", m.Path, m.Version, m.Main, m.Dir, m.GoMod, m.GoVersion)
}

// typesString describes a package's types: for a root, every object of
// its scope and its type.
func typesString(p *types.Package, root bool) string {
	if p == nil {
		return "nil"
	}
	s := fmt.Sprintf("%s %s complete=%t", p.Path(), p.Name(), p.Complete())
	if root {
		for _, name := range p.Scope().Names() {
			obj := p.Scope().Lookup(name)
			s += fmt.Sprintf("\n\t\t%s %s", name, types.TypeString(obj.Type(), nil))
		}
	}
	return s
}

func sizesString(s types.Sizes) string {
	if s == nil {
		return "nil"
	}
	return fmt.Sprint(s.Sizeof(types.Typ[types.Uintptr]), s.Alignof(types.Typ[types.Int64]))
}

func format(views []view, dir string) string {
	sort.Slice(views, func(i, j int) bool { return views[i].ID < views[j].ID })
	var b strings.Builder
	for _, v := range views {
		fmt.Fprintf(&b, "%s name=%s path=%s dir=%s\n", v.ID, v.Name, v.PkgPath, v.Dir)
		fmt.Fprintf(&b, "\tgo %v\n\tcompiled %v\n", v.GoFiles, v.CompiledGoFiles)
		for _, path := range slices.Sorted(func(yield func(string) bool) {
			for k := range v.Imports {
				if !yield(k) {
					return
				}
			}
		}) {
			fmt.Fprintf(&b, "\timport %s %s\n", path, v.Imports[path])
		}
		sort.Strings(v.Errors)
		for _, e := range v.Errors {
			fmt.Fprintf(&b, "\terror %s\n", e)
		}
		fmt.Fprintf(&b, "\tmodule %s\n\ttypes %s\n\tsizes %s\n", v.Module, v.Types, v.Sizes)
	}
	return strings.ReplaceAll(b.String(), dir, "$DIR")
}

// TestFailedGoCommand: a go command that fails without listing anything
// gives its message as Load's error.
func TestFailedGoCommand(t *testing.T) {
	dir := t.TempDir()
	// A go.mod the go command cannot read.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.26\n\nrequire (\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOWORK", "off")
	pkgs, err := Load(&Config{Dir: dir}, dir)
	out, _ := exec.Command("go", "list", "-C", dir, "-e", dir).CombinedOutput()
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Msg != strings.TrimSpace(string(out)) || pkgs != nil {
		t.Errorf("got %v, %v; want the error %q", pkgs, err, out)
	}
}

// TestImportersError: a package listed twice, once with the error of a
// bad import of it (as go commands before 1.15 listed it), is listed
// once, without the error, which goes to its importer.
func TestImportersError(t *testing.T) {
	const out = `
{"ImportPath": "example.com/m/cmd", "Name": "main", "Error": {"ImportStack": ["example.com/m/p", "example.com/m/cmd"], "Pos": "p/p.go:3:8", "Err": "import \"example.com/m/cmd\" is a program, not an importable package"}}
{"ImportPath": "example.com/m/p", "Name": "p", "Imports": ["example.com/m/cmd"]}
{"ImportPath": "example.com/m/cmd", "Name": "main"}
`
	byID, roots, err := decode([]byte(out), "/m")
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 2 || roots[0].ID != "example.com/m/cmd" || roots[1].ID != "example.com/m/p" {
		t.Fatalf("roots %v", roots)
	}
	if cmd := byID["example.com/m/cmd"]; len(cmd.Errors) != 0 || roots[0] != cmd {
		t.Errorf("cmd: errors %v", cmd.Errors)
	}
	want := []Error{{Pos: "p/p.go:3:8", Msg: `import "example.com/m/cmd" is a program, not an importable package`, Kind: ListError}}
	if p := byID["example.com/m/p"]; !slices.Equal(p.Errors, want) {
		t.Errorf("p: errors %v, want %v", p.Errors, want)
	}
}
