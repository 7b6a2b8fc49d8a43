package transform_test

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
	"golang.org/x/tools/txtar"
)

// TestSparseLines checks SparseLines on every golden output and every
// generated file of the repository: the sparse copy is gofmt-clean, has
// fewer directives, is its own sparse copy, and every node that can panic
// or be a frame of a stack trace (calls, index and slice expressions,
// dereferences, type assertions, divisions and shifts, receives and
// sends) starts at the same source file and line as in the full file,
// read by go/parser. TestPositions runs a sparse copy and checks the lines
// the Go runtime reports.
func TestSparseLines(t *testing.T) {
	files := map[string][]byte{}
	goldens, _ := filepath.Glob("../testdata/transform/*.txtar")
	for _, g := range goldens {
		ar, err := txtar.ParseFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "out.go" {
				files[g] = f.Data
			}
		}
	}
	out, err := exec.Command("git", "-C", testmod.Root(), "ls-files", "*_corofied.go", "*_corofied_test.go").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (the goldens are checked)", err)
	}
	for _, name := range strings.Fields(string(out)) {
		data, err := os.ReadFile(filepath.Join(testmod.Root(), name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("/*line ")) {
			files[name] = data
		}
	}
	if len(files) < 20 {
		t.Fatalf("only %d files with line directives found", len(files))
	}
	before, after := 0, 0
	for name, full := range files {
		sparse, err := transform.SparseLines(full)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if h, ok := transform.ParseHeader(full); ok && strings.Contains(h.Command, "-sparse") {
			// Generated with corofy -sparse (the examples): already its
			// own sparse copy.
			if !bytes.Equal(sparse, full) {
				t.Errorf("%s: generated with -sparse, but SparseLines changes it", name)
			}
			continue
		}
		if f, err := format.Source(sparse); err != nil || !bytes.Equal(f, sparse) {
			t.Errorf("%s: the sparse copy is not gofmt-clean (%v)", name, err)
		}
		if again, err := transform.SparseLines(sparse); err != nil || !bytes.Equal(again, sparse) {
			t.Errorf("%s: the sparse copy of the sparse copy differs (%v)", name, err)
		}
		n, m := bytes.Count(full, []byte("/*line ")), bytes.Count(sparse, []byte("/*line "))
		before, after = before+n, after+m
		if m >= n {
			t.Errorf("%s: %d directives of %d kept", name, m, n)
		}
		comparePanicLines(t, name, full, sparse)
	}
	t.Logf("%d files: %d line directives, %d in the sparse copies", len(files), before, after)
}

// comparePanicLines checks that each node of full that can panic starts at
// the same source line in sparse.
func comparePanicLines(t *testing.T, name string, full, sparse []byte) {
	t.Helper()
	nodes := func(src []byte) (*token.FileSet, []ast.Node) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "gen.go", src, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var list []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr, *ast.IndexExpr, *ast.IndexListExpr, *ast.SliceExpr, *ast.StarExpr, *ast.TypeAssertExpr, *ast.SendStmt:
				list = append(list, n)
			case *ast.BinaryExpr:
				if n.Op == token.QUO || n.Op == token.REM || n.Op == token.SHL || n.Op == token.SHR {
					list = append(list, n)
				}
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					list = append(list, n)
				}
			}
			return true
		})
		return fset, list
	}
	fa, a := nodes(full)
	fb, b := nodes(sparse)
	if len(a) != len(b) {
		t.Fatalf("%s: %d nodes that can panic, %d in the sparse copy", name, len(a), len(b))
	}
	for i := range a {
		pa, pb := fa.Position(a[i].Pos()), fb.Position(b[i].Pos())
		if reflect.TypeOf(a[i]) != reflect.TypeOf(b[i]) || pa.Filename != pb.Filename || pa.Line != pb.Line {
			t.Errorf("%s:%d: %T at %s:%d, in the sparse copy %T at %s:%d", name, fa.PositionFor(a[i].Pos(), false).Line, a[i], pa.Filename, pa.Line, b[i], pb.Filename, pb.Line)
		}
	}
}
