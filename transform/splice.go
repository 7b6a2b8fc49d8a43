package transform

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// A run of declarations without coroutines goes to the output as its
// text: it is neither decorated nor restored (on a file of plain Go that
// cost several times what the type check and the formatting of the output
// cost), but stands in the file as one placeholder function, whose name
// says which run, with the comments around the run; once the file is
// printed the run's text (with the line directives dst would have added)
// replaces it, and format.Source formats it with the rest. The run is
// not even parsed again: the clean parse is of the file without it (see
// compact.go), the placeholder put in its blank. The
// placeholder's body names the packages the run uses, so that the
// restorer keeps their imports. Where the restorer names such a package
// other than the source does (it renamed an import to make room for one
// the machines need), the file is transformed again without copies.

// noSplicing stops transformFile from copying declarations as text (the
// tests compare the output with the one made without); spliced and
// spliceFallbacks count the runs copied and the files transformed again.
var (
	noSplicing               atomic.Bool
	spliced, spliceFallbacks atomic.Int64
)

// splice is a run of declarations copied as text.
type splice struct {
	marker string     // the placeholder function's name
	text   []byte     // the declarations, with their line directives
	starts []int      // where in text each declaration but the first starts
	pieces []*piece   // of text, formatted ahead (see preformat)
	whole  *piece     // all of text, formatted ahead (a machine's: see printMachine)
	paths  []string   // the packages they name, sorted (see usePaths)
	run    []ast.Decl // the declarations, in the loader's parse, until usePaths
	decl   ast.Decl   // the placeholder, in the clean parse
	names  namesInUse // of its identifiers that no package qualifies
}

// namesInUse is the names of the identifiers of a declaration that the
// restorer prints as they are (not qualified by a package).
type namesInUse map[string]bool

// errSpliceImports is returned by transformFileSplicing when the restorer
// named a package a copied run uses otherwise than the source does.
var errSpliceImports = errors.New("transform: a copied declaration's import was renamed")

// spliceRuns finds in f, the loader's parse of the lowered file (src, in
// fset), each run of consecutive declarations that are not coroutines,
// imports, declarations with a comment where their line directive goes,
// or declarations with a line directive of the source's own in them or
// before them (after the declaration before). It returns the splice that
// copies each run, and the runs' offset ranges in src, which the compact
// text blanks out (see compact.go). coroutine reports whether a function
// is a coroutine. The splices' packages are found by usePaths, and their
// placeholders made in the clean parse by placeSplices.
func (ft *fileTransform) spliceRuns(fset *token.FileSet, f *ast.File, src []byte, coroutine func(*ast.FuncDecl) bool) ([]*splice, [][2]int) {
	base := fset.File(f.Pos()).Base()
	off := func(p token.Pos) int { return int(p) - base } // no line and column
	prefix := "corofysplice"
	for i := 2; bytes.Contains(src, []byte(prefix)); i++ {
		prefix = fmt.Sprintf("corofysplice%d_", i)
	}
	ft.markerPrefix = prefix
	// copyable returns where d's line directive goes (NoPos for none),
	// and whether d may be copied.
	copyable := func(d ast.Decl) (token.Pos, bool) {
		var at token.Pos
		switch d := d.(type) {
		case *ast.FuncDecl:
			if coroutine(d) {
				return 0, false
			}
			at = d.Name.Pos()
			if d.Recv != nil {
				at = d.Recv.Pos()
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				return 0, false
			}
			if len(d.Specs) > 0 && !d.Lparen.IsValid() {
				at = d.Specs[0].Pos()
			}
		default:
			return 0, false
		}
		// Where the directive goes among comments is the decorator's call.
		return at, !at.IsValid() || !commentBetween(f.Comments, d.Pos(), at)
	}
	// A line directive of the source's own, in a run or before it, set
	// the positions of what follows it: the run's blank would drop it.
	var directives []token.Pos
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//line ") || strings.HasPrefix(c.Text, "/*line ") {
				directives = append(directives, c.Pos())
			}
		}
	}
	directed := func(j int) bool {
		from := f.Package
		if j > 0 {
			from = f.Decls[j-1].End()
		}
		k, _ := slices.BinarySearch(directives, from)
		return k < len(directives) && directives[k] < f.Decls[j].End()
	}
	var splices []*splice
	var runs [][2]int
	for i := 0; i < len(f.Decls); {
		var ats []token.Pos
		j := i
		for ; j < len(f.Decls); j++ {
			at, ok := copyable(f.Decls[j])
			if !ok || directed(j) {
				break
			}
			ats = append(ats, at)
		}
		if j == i {
			i++
			continue
		}
		run := f.Decls[i:j]
		i = j
		start, end := run[0].Pos(), run[len(run)-1].End()
		s := &splice{marker: fmt.Sprintf("%s%d", prefix, len(splices)), names: namesInUse{}}
		var text []byte
		from := off(start)
		for k, at := range ats {
			if k > 0 {
				// Where the declaration starts in the text, its doc
				// comment first: the formatting may cut there.
				text = append(text, src[from:off(declStart(run[k]))]...)
				from = off(declStart(run[k]))
				s.starts = append(s.starts, len(text))
			}
			if !ft.cfg.LineDirectives || !at.IsValid() {
				continue
			}
			p := fset.Position(at)
			text = append(text, src[from:p.Offset]...)
			text = fmt.Appendf(text, "/*line %s:%d:%d*/ ", ft.lineFile, p.Line, max(p.Column-1, 1))
			from = p.Offset
		}
		s.text = append(text, src[from:off(end)]...)
		s.run = run
		runs = append(runs, [2]int{off(start), afterSemicolon(src, off(end))})
		splices = append(splices, s)
	}
	spliced.Add(int64(len(splices)))
	return splices, runs
}

// afterSemicolon returns the offset after the explicit ";" that ends the
// declaration ending at offset end of src, if one does ("type T int;"),
// else end: the run blanked out takes it, for a ";" left alone where the
// declaration was would be an empty declaration, which Go refuses.
func afterSemicolon(src []byte, end int) int {
	var s scanner.Scanner
	fset := token.NewFileSet()
	rest := src[end:]
	s.Init(fset.AddFile("", -1, len(rest)), rest, nil, 0)
	pos, tok, lit := s.Scan()
	if tok == token.SEMICOLON && lit == ";" {
		return end + fset.Position(pos).Offset + 1
	}
	return end
}

// usePaths sets the packages and names each splice's run uses (see
// declPaths), from info, the type checker's record of the loader's parse.
func (ft *fileTransform) usePaths(splices []*splice, info *types.Info, again reimports) {
	for _, s := range splices {
		paths := map[string]bool{}
		for _, d := range s.run {
			declPaths(d, info, ft.pkg.Path(), again, paths, s.names)
		}
		for p := range paths {
			s.paths = append(s.paths, p)
		}
		slices.Sort(s.paths)
		s.run = nil
	}
}

// placeSplices puts in f, the clean parse of the compact text c, the
// placeholder of each splice, where its run was (c.runs, in the source).
// The placeholder spans the run's blank, so that the comments around it
// go where they went around the run. Its tokens are at the run's start,
// and a bad statement is the rest: the decorator makes nothing of the
// newlines inside a bad node (one newline after the other, it would
// otherwise look through over and over for their node). Its name is "_"
// until fillPlaceholders names it: the decorator counts a name's bytes
// from its start, and a splice's marker could run past a short run into
// the comment after it, which would go with the placeholder's name.
func placeSplices(fset *token.FileSet, f *ast.File, c *compaction, splices []*splice) {
	base := fset.File(f.Pos()).Base()
	decls := make([]ast.Decl, 0, len(f.Decls)+len(splices))
	k := 0
	for i, s := range splices {
		start, end := token.Pos(base+c.clean(c.runs[i][0])), token.Pos(base+c.clean(c.runs[i][1]))
		for ; k < len(f.Decls) && f.Decls[k].Pos() < start; k++ {
			decls = append(decls, f.Decls[k])
		}
		s.decl = &ast.FuncDecl{
			Name: &ast.Ident{NamePos: start, Name: "_"},
			Type: &ast.FuncType{Func: start, Params: &ast.FieldList{Opening: start, Closing: start}},
			Body: &ast.BlockStmt{Lbrace: start, List: []ast.Stmt{&ast.BadStmt{From: start, To: end - 1}}, Rbrace: end - 1},
		}
		decls = append(decls, s.decl)
	}
	f.Decls = append(decls, f.Decls[k:]...)
}

// declStart returns where d starts: at its doc comment, if it has one.
func declStart(d ast.Decl) token.Pos {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			return d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			return d.Doc.Pos()
		}
	}
	return d.Pos()
}

// commentBetween reports whether a comment of the sorted comments starts
// in [from, to).
func commentBetween(comments []*ast.CommentGroup, from, to token.Pos) bool {
	k, _ := slices.BinarySearchFunc(comments, from, func(cg *ast.CommentGroup, p token.Pos) int { return int(cg.Pos()) - int(p) })
	return k < len(comments) && comments[k].Pos() < to
}

// declPaths adds to paths the packages other than pkg that d's
// identifiers name, as the decorator's resolver (gotypes) finds them: the package of
// a qualified identifier, and of an identifier of a dot import, named
// through its own import (see reimports). It adds to names the names of
// the identifiers printed unqualified.
func declPaths(d ast.Decl, info *types.Info, pkg string, again reimports, paths map[string]bool, names namesInUse) {
	qualified := map[*ast.Ident]bool{}
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			// The selected name is a field or method (printed as it is),
			// or a package's (qualified).
			qualified[n.Sel] = true
			if x, ok := n.X.(*ast.Ident); ok {
				if pn, ok := info.ObjectOf(x).(*types.PkgName); ok && again.own(pn) {
					paths[pn.Imported().Path()] = true
					qualified[x] = true
					return true
				}
			}
			names[n.Sel.Name] = true
		case *ast.Ident:
			if qualified[n] {
				return true
			}
			obj := info.ObjectOf(n)
			if v, ok := obj.(*types.Var); obj == nil || ok && v.IsField() || obj.Pkg() == nil || obj.Pkg().Path() == pkg || !again.ownDot(obj.Pkg().Path()) {
				names[n.Name] = true
				return true
			}
			if _, ok := obj.(*types.PkgName); ok {
				names[n.Name] = true
				return true
			}
			paths[obj.Pkg().Path()] = true
		}
		return true
	})
}

// fillPlaceholders gives each placeholder of splices in df its splice's
// marker for a name, and a body naming the packages its declarations
// use.
func fillPlaceholders(dec *decorator.Decorator, splices []*splice) {
	for _, s := range splices {
		fd := dec.Dst.Nodes[s.decl].(*dst.FuncDecl)
		// Only the comments around the placeholder are the run's: what
		// the decorator found inside goes.
		fd.Name.Name = s.marker
		fd.Name.Decs, fd.Type.Decs, fd.Type.Params.Decs = dst.IdentDecorations{}, dst.FuncTypeDecorations{}, dst.FieldListDecorations{}
		fd.Decs = dst.FuncDeclDecorations{NodeDecs: fd.Decs.NodeDecs}
		fd.Body = nil
		if len(s.paths) == 0 {
			continue
		}
		body := &dst.BlockStmt{}
		for _, p := range s.paths {
			body.List = append(body.List, &dst.ExprStmt{X: &dst.Ident{Name: "x", Path: p}})
		}
		fd.Body = body
	}
}

// sameImportNames reports whether the restored file af names every
// package the splices use as the source does (before).
func sameImportNames(splices []*splice, before, after map[string]string) bool {
	for _, s := range splices {
		for _, p := range s.paths {
			if before[p] != after[p] {
				return false
			}
		}
	}
	return true
}

// betweenDecls reports whether rest, what follows a declaration in the
// printed file, starts with a blank line and has more after it.
func betweenDecls(rest []byte) bool {
	return len(rest) > 2 && rest[0] == '\n' && rest[1] == '\n' && rest[2] != '\n'
}

// fillSplices replaces the placeholders of splices in the printed code
// with the declarations' text. It also returns the offsets in the result
// where each declaration of the splices' texts starts, and their pieces
// formatted ahead, whose offsets it moves to the result's.
func fillSplices(code []byte, splices []*splice) ([]byte, []int, []*piece, error) {
	if len(splices) == 0 {
		return code, nil, nil, nil
	}
	var pre []*piece
	var out bytes.Buffer
	out.Grow(len(code) + len(code)/2)
	starts := make([]int, 0, len(splices))
	rest := code
	for _, s := range splices {
		head := "func " + s.marker + "()"
		i := bytes.Index(rest, []byte(head))
		if i < 0 {
			return nil, nil, nil, fmt.Errorf("no placeholder %s", s.marker)
		}
		out.Write(rest[:i])
		rest = rest[i+len(head):]
		if len(s.paths) > 0 {
			j := bytes.IndexByte(rest, '}')
			if j < 0 {
				return nil, nil, nil, fmt.Errorf("placeholder %s has no end", s.marker)
			}
			rest = rest[j+1:]
		}
		at := out.Len()
		starts = append(starts, at)
		for _, k := range s.starts {
			starts = append(starts, at+k)
		}
		for _, p := range s.pieces {
			p.from, p.to = at+p.from, at+p.to // now offsets in the result
			pre = append(pre, p)
		}
		out.Write(s.text)
		if p := s.whole; p != nil && bytes.HasSuffix(out.Bytes()[:at], []byte("\n\n")) && betweenDecls(rest) {
			// A blank line before the text and one after it, before
			// more: the output may be cut at both, and the text, formatted
			// on its own, is the piece between.
			p.from, p.to = at, out.Len()+2
			pre = append(pre, p)
		}
	}
	out.Write(rest)
	return out.Bytes(), starts, pre, nil
}
