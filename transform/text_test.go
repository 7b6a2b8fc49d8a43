package transform

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// TestWriteDeclsLikeRestorer decorates Go files and checks that their
// declarations, written by writeDecls, format to what dst's restorer and
// go/printer make of the same trees, formatted: go/printer's own test
// inputs (comments, line breaks and alignments in every place a test of
// gofmt thought of) and a few packages of the standard library.
func TestWriteDeclsLikeRestorer(t *testing.T) {
	goroot := filepath.Join(goroot(t), "src")
	var files []string
	patterns := []string{"go/printer/testdata/*.input", "go/printer/testdata/*.golden", "go/printer/*.go", "go/parser/*.go", "go/types/expr.go", "go/types/stmt.go", "fmt/*.go", "strconv/*.go", "text/tabwriter/*.go", "net/http/server.go"}
	if p := os.Getenv("COROFY_TEXT_FILES"); p != "" {
		patterns = strings.Fields(p) // to check more: "*/*.go */*/*.go"
	}
	for _, pattern := range patterns {
		m, err := filepath.Glob(filepath.Join(goroot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("found %d files in %s, want the standard library's", len(files), goroot)
	}
	checked, unsure := 0, 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue // some of go/printer's inputs are not Go
		}
		df, err := decorator.NewDecorator(fset).DecorateFile(f)
		if err != nil {
			t.Fatalf("%s: decorating: %v", name, err)
		}
		var decls []dst.Decl
		for _, d := range df.Decls {
			if gd, ok := d.(*dst.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			decls = append(decls, d)
		}
		restored := restoreDecls(t, decls)
		want, err := format.Source(append([]byte(pieceFile), restored...))
		if err != nil {
			continue // the restorer and printer do not make Go of it either
		}
		written, ok := writeDecls("", nil, decls)
		if !ok {
			unsure++
			continue
		}
		got, err := format.Source(append([]byte(pieceFile), written...))
		if err != nil {
			t.Errorf("%s: the written declarations do not format: %v\n%s", name, err, written)
			continue
		}
		if !bytes.Equal(got, want) {
			at := firstDiff(want, got)
			t.Errorf("%s: written and formatted:\n%s\nwant, restored, printed and formatted:\n%s", name, around(got, at), around(want, at))
		}
		checked++
	}
	if checked < len(files)/2 {
		t.Errorf("checked %d of %d files (%d with comments of several lines)", checked, len(files), unsure)
	}
	t.Logf("checked %d of %d files (%d with comments of several lines)", checked, len(files), unsure)
}

// goroot returns the GOROOT of the go command the tests run with.
func goroot(t *testing.T) string {
	out, err := exec.Command(testmod.GoTool(), "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// restoreDecls returns decls restored and printed as the declarations of
// a file, without its package clause.
func restoreDecls(t *testing.T, decls []dst.Decl) []byte {
	r := decorator.NewRestorer()
	af, err := r.RestoreFile(&dst.File{Name: dst.NewIdent("p"), Decls: decls})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rawConfig.Fprint(&buf, r.Fset, af); err != nil {
		t.Fatal(err)
	}
	text := buf.Bytes()
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	return text
}

// TestWriteDeclsMeaning checks that the text written for trees no parser
// made, as the transform builds them, means the trees: operands in
// parentheses where their precedence needs them, no line where it would
// end a statement, a comma before a closing parenthesis on a line of its
// own.
func TestWriteDeclsMeaning(t *testing.T) {
	id := dst.NewIdent
	bin := func(x dst.Expr, op token.Token, y dst.Expr) dst.Expr { return &dst.BinaryExpr{X: x, Op: op, Y: y} }
	onNewLine := func(x *dst.Ident) *dst.Ident { x.Decs.Before = dst.NewLine; return x }
	lineComment := func(x *dst.Ident, c string) *dst.Ident { x.Decs.End.Append(c); return x }
	tests := []struct {
		name string
		body []dst.Stmt
		want string // the body, formatted
	}{
		{"product of a sum", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{bin(id("a"), token.MUL, bin(id("b"), token.ADD, id("c")))}}},
			"return a * (b + c)"},
		{"difference of a difference", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{bin(id("a"), token.SUB, bin(id("b"), token.SUB, id("c")))}}},
			"return a - (b - c)"},
		{"pointer to a sum", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{&dst.StarExpr{X: bin(id("a"), token.ADD, id("b"))}}}},
			"return *(a + b)"},
		{"field of a pointer", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{&dst.SelectorExpr{X: &dst.StarExpr{X: id("p")}, Sel: id("f")}}}},
			"return (*p).f"},
		{"negated sum", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{&dst.UnaryExpr{Op: token.NOT, X: bin(id("a"), token.LAND, id("b"))}}}},
			"return !(a && b)"},
		{"result on the next line", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{onNewLine(id("x"))}}},
			"return x"},
		{"operand after a line comment", []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{bin(lineComment(id("a"), "// about a"), token.ADD, id("b"))}}},
			"return a /* about a*/ + b"},
		{"argument on a line of its own", []dst.Stmt{&dst.ExprStmt{X: &dst.CallExpr{Fun: id("f"), Args: []dst.Expr{onNewLine(id("a")), func() dst.Expr {
			x := onNewLine(id("b"))
			x.Decs.After = dst.NewLine
			return x
		}()}}}},
			"f(\n\ta,\n\tb,\n)"},
		{"conversion to a func type", []dst.Stmt{&dst.ExprStmt{X: &dst.CallExpr{Fun: &dst.FuncType{Func: true, Params: &dst.FieldList{}}, Args: []dst.Expr{id("g")}}}},
			"(func())(g)"},
	}
	for _, tt := range tests {
		fd := &dst.FuncDecl{Name: id("f"), Type: &dst.FuncType{Params: &dst.FieldList{}}, Body: &dst.BlockStmt{List: tt.body}}
		written, _ := writeDecls("", nil, []dst.Decl{fd})
		out, err := format.Source(append([]byte(pieceFile), written...))
		if err != nil {
			t.Errorf("%s: the written text does not format: %v\n%s", tt.name, err, written)
			continue
		}
		// The body's statements, as gofmt writes them.
		f, err := parser.ParseFile(token.NewFileSet(), "", out, 0)
		if err != nil {
			t.Fatal(err)
		}
		body := f.Decls[0].(*ast.FuncDecl).Body
		got := strings.TrimSpace(string(out[body.Lbrace : body.Rbrace-2]))
		got = strings.ReplaceAll(got, "\n\t", "\n")
		if got != tt.want {
			t.Errorf("%s: the body is written and formatted as\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
