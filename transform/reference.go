package transform

import (
	"bytes"
	"fmt"
	"go/build/constraint"
	"go/format"
	"go/token"
	"path/filepath"

	"github.com/corofy/corofy/internal/srcfile"
	cparser "github.com/corofy/corofy/parser"
)

// Reference returns the reference-semantics program of a .gocoro source:
// each coroutine becomes runtime.Lazy(func() R { body }) and each x.wait
// runtime.Await(x), a loop that polls x until it is ready: the reference
// semantics (README, "The language"). Generated machines must print what it prints. Comments are
// dropped; the code is not type-checked here.
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
