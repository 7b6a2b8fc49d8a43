package transform

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/printer"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/corofy/corofy/internal/srcfile"
	cparser "github.com/corofy/corofy/parser"
)

// Reference returns the reference-semantics program of the .gocoro source
// src of in: each coroutine becomes runtime.Named(name, pos,
// runtime.Lazy(func() R { body })) and each x.wait runtime.Await(x), a
// loop that polls x until it is ready: the reference semantics (README,
// "The language"). Generated machines must print what it prints.
// Comments are dropped; the code is not type-checked here.
//
// With cfg.LineDirectives, a /*line*/ comment starts each line of the
// program whose line in the .gocoro file is not the one the lines before
// it count to (after a dropped comment, say), so that Go gives its code
// the .gocoro's lines (in stack traces, runtime.Caller), as it gives the
// machines'. The comments name the input as the machines' do, from the
// directory of in.Output (or of DefaultOutput(in.Path)).
func Reference(cfg Config, in Input, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := cparser.ParseFile(fset, in.Path, src)
	if err != nil {
		return nil, err
	}
	lineFile := ""
	if cfg.LineDirectives {
		out := in.Output
		if out == "" {
			out = DefaultOutput(in.Path)
		}
		// A name a comment cannot hold gets no directives, as the
		// machines' (see Result.Warnings).
		if name := relFile(in.Path, out); commentSafe(name) {
			lineFile = name
		}
	}
	return referenceSource(fset, f, header(cfg.Command, filepath.Base(in.Path), src), lineFile)
}

// referenceSource prints the lowered file f after header, keeping its
// build constraints and dropping other comments; with a lineFile, with
// /*line lineFile:N*/ comments where the printed lines are not f's.
func referenceSource(fset *token.FileSet, f *cparser.File, header, lineFile string) ([]byte, error) {
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
	name := srcfile.Name(f.Name)
	if lineFile != "" {
		return referenceLines(fset, &file, buf.Bytes(), lineFile, name)
	}
	if err := format.Node(&buf, fset, &file); err != nil {
		return nil, fmt.Errorf("transform: internal error: printing the reference form of %s: %v", name, err)
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("transform: internal error: the reference form of %s does not parse: %v", name, err)
	}
	return out, nil
}

// referenceLines prints file after head with /*line lineFile:N*/
// comments. go/printer finds the lines: in its SourcePos mode it writes
// a //line directive before each line whose source line is not the one
// the lines before it count to. But gofmt indents a //line comment in a
// block, which then is no directive, and the printer's tabwriter
// misplaces the indentation after one; so the program is the printer's
// ordinary output, and each line that followed a directive starts with a
// /*line*/ comment instead (a comment before a line's first token, which
// gofmt leaves where it is).
func referenceLines(fset *token.FileSet, file *ast.File, head []byte, lineFile, name string) ([]byte, error) {
	var plain, marked bytes.Buffer
	plainCfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	markedCfg := plainCfg
	markedCfg.Mode |= printer.SourcePos
	if err := plainCfg.Fprint(&plain, fset, file); err != nil {
		return nil, fmt.Errorf("transform: internal error: printing the reference form of %s: %v", name, err)
	}
	if err := markedCfg.Fprint(&marked, fset, file); err != nil {
		return nil, fmt.Errorf("transform: internal error: printing the reference form of %s: %v", name, err)
	}
	// lineOf[i] is the .gocoro line of the plain printing's line i
	// where a directive precedes it, else 0.
	var lines [][]byte
	for l := range bytes.Lines(plain.Bytes()) {
		lines = append(lines, l)
	}
	lineOf := make([]int, len(lines))
	i := 0
	for l := range bytes.Lines(marked.Bytes()) {
		// (A //line comment of the source, in a doc comment the
		// program keeps, is in both printings.)
		if n, ok := printerDirective(l); ok && (i >= len(lines) || !bytes.Equal(l, lines[i])) {
			if i < len(lineOf) {
				lineOf[i] = n
			}
			continue
		}
		// The printings differ in the directives and in the spaces
		// around them (the indentation after one, the alignment of
		// the lines it cuts apart), nothing else.
		if i >= len(lines) || !bytes.Equal(noBlanks(l), noBlanks(lines[i])) {
			return nil, fmt.Errorf("transform: internal error: the reference form of %s printed with and without line directives differs at line %d", name, i+1)
		}
		i++
	}
	if i != len(lines) {
		return nil, fmt.Errorf("transform: internal error: the reference form of %s printed with and without line directives has %d and %d lines", name, len(lines), i)
	}
	out := bytes.NewBuffer(head)
	for i, l := range lines {
		n := lineOf[i]
		if n == 0 {
			out.Write(l)
			continue
		}
		code := bytes.TrimLeft(l, "\t ")
		indent := l[:len(l)-len(code)]
		switch {
		case len(bytes.TrimSpace(code)) == 0 || bytes.HasPrefix(code, []byte("//")):
			// A comment line (a doc comment's, which the program
			// keeps): the next line is numbered instead, unless it has
			// its own directive.
			if i+1 < len(lines) && lineOf[i+1] == 0 {
				lineOf[i+1] = n + 1
			}
			out.Write(l)
			continue
		case code[0] == '}' || code[0] == ')' || code[0] == ']':
			// gofmt moves a comment before a closing brace to a line
			// of its own, one level in: there it says the line before
			// the brace's.
			fmt.Fprintf(out, "%s\t/*line %s:%d*/\n%s%s", indent, lineFile, n-1, indent, code)
			continue
		case len(indent) > 0 && i > 0 && len(bytes.TrimSpace(lines[i-1])) == 0:
			// And so it does with one that starts a line after a blank
			// line.
			fmt.Fprintf(out, "%s/*line %s:%d*/\n%s%s", indent, lineFile, n-1, indent, code)
			continue
		case len(indent) == 0:
			// A declaration's keyword (func, type, var): gofmt moves
			// a comment before it to a line of its own, and a doc
			// comment must end right before it; so the directive goes
			// after it, for the line's rest.
			if k := bytes.IndexByte(code, ' '); k > 0 {
				fmt.Fprintf(out, "%s /*line %s:%d*/%s", code[:k], lineFile, n, code[k:])
				continue
			}
		}
		fmt.Fprintf(out, "%s/*line %s:%d*/ %s", indent, lineFile, n, code)
	}
	// gofmt aligns again the comments at the ends of lines that the
	// directives cut apart; it must not move a line (the random test
	// checks that the program is gofmt's).
	if formatted, err := format.Source(out.Bytes()); err == nil && sameLines(formatted, out.Bytes()) {
		return formatted, nil
	}
	return out.Bytes(), nil
}

// sameLines reports whether a and b have the same lines but for their
// spaces and tabs.
func sameLines(a, b []byte) bool {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	return slices.EqualFunc(la, lb, func(x, y []byte) bool { return bytes.Equal(noBlanks(x), noBlanks(y)) })
}

// noBlanks returns l without its spaces and tabs.
func noBlanks(l []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, l)
}

// printerDirective returns the line of l if it is a //line directive
// written by go/printer's SourcePos mode ("//line name:line\n").
func printerDirective(l []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(l, []byte("//line "))
	if !ok {
		return 0, false
	}
	rest = bytes.TrimSuffix(rest, []byte("\n"))
	colon := bytes.LastIndexByte(rest, ':')
	if colon < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[colon+1:]))
	return n, err == nil && n > 0
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
