package transform

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/token"
	"path/filepath"
	"strconv"

	"github.com/corofy/corofy/internal/srcfile"
	cparser "github.com/corofy/corofy/parser"
)

// Reference returns the reference-semantics program of a .gocoro source:
// each coroutine becomes runtime.Named(name, pos, runtime.Lazy(func() R {
// body })) and each x.wait runtime.Await(x), a loop that polls x until it
// is ready: the reference semantics (README, "The language"). Generated
// machines must print what it prints. Comments are dropped; the code is
// not type-checked here.
func Reference(cfg Config, path string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := cparser.ParseFile(fset, path, src)
	if err != nil {
		return nil, err
	}
	return referenceSource(fset, f, header(cfg.Command, filepath.Base(path), src))
}

// referenceSource prints the lowered file f after header, keeping its
// build constraints and dropping other comments.
func referenceSource(fset *token.FileSet, f *cparser.File, header string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	for _, cg := range f.AST.Comments {
		if cg.Pos() >= f.AST.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) || constraint.IsPlusBuild(c.Text) {
				buf.WriteString(c.Text + "\n\n")
			}
		}
	}
	file := *f.AST
	file.Comments = nil
	file.Doc = nil
	for _, co := range f.Coroutines {
		co.Decl.Doc = nil
		named(f, co, fset)
	}
	if err := format.Node(&buf, fset, &file); err != nil {
		return nil, fmt.Errorf("transform: internal error: printing the reference form of %s: %v", srcfile.Name(f.Name), err)
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("transform: internal error: the reference form of %s does not parse: %v", srcfile.Name(f.Name), err)
	}
	return out, nil
}

// named makes the reference form of the coroutine co, return
// runtime.Lazy(body), return runtime.Named(name, pos, runtime.Lazy(body)):
// polled again after it completed or after a panic escaped it, it panics
// with the message of the generated machine, which names the coroutine
// and its position in the .gocoro file (runtime.PollError).
func named(f *cparser.File, co *cparser.Coroutine, fset *token.FileSet) {
	body := co.Decl.Body
	if body == nil || len(body.List) != 1 {
		return
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return
	}
	pos := co.Decl.Type.Func
	p := fset.Position(pos)
	str := func(s string) ast.Expr {
		return &ast.BasicLit{ValuePos: pos, Kind: token.STRING, Value: strconv.Quote(s)}
	}
	ret.Results[0] = &ast.CallExpr{
		Fun:    &ast.SelectorExpr{X: &ast.Ident{Name: f.RuntimeName, NamePos: pos}, Sel: &ast.Ident{Name: "Named", NamePos: pos}},
		Lparen: pos,
		Args:   []ast.Expr{str(co.Name()), str(fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)), ret.Results[0]},
		Rparen: ret.Results[0].End(),
	}
}
