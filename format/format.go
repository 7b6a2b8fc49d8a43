// Package format formats .gocoro source the way gofmt formats Go.
//
// A .gocoro file is Go with "coroutine" before some top-level "func"
// declarations (and x.wait, which is already Go syntax). Format blanks
// the word out (package parser's [parser.BlankKeywords]), parses the rest
// with go/parser, sorts the imports and prints the file with go/printer
// in gofmt's configuration, then writes "coroutine " back before the
// "func" of each coroutine. Everything but the word is gofmt's: spacing,
// indentation, alignment, comments, CRLF line endings and a leading byte
// order mark dropped, number literals normalised.
//
// The word itself counts in the layout: while printing, the name of each
// coroutine is ten characters longer, as wide as "coroutine " is, so that
// the columns gofmt aligns across lines (bodies of one-line functions,
// trailing comments) and its rule that a function of more than 100
// characters is not kept on one line see the line as it will be written.
// The formatted file is therefore gofmt's output for the Go file in which
// "coroutine func f" reads "func XXXXXXXXXXf", with the ten characters
// moved back to where the word stands.
//
// A comment between "coroutine" and "func" is kept; gofmt puts a comment
// that precedes a declaration on its line on a line of its own, and the
// word stays with its "func", so the comment ends up on the line before.
//
// The word "coroutine" anywhere else is an ordinary identifier and is
// formatted as one.
//
// Formatting is idempotent: formatting the output again changes nothing.
// gofmt's own output is not always formatted: it reformats a doc comment
// only if the declaration it documents starts its line in the source, and
// the line ends in "\n", not "\r\n"; a second gofmt then reformats the
// comment of a declaration the first one moved, or of a file it turned
// from CRLF to LF. Format formats again until nothing changes, so its
// output is gofmt's own in all other cases, and gofmt's output formatted
// again in those.
//
// This package uses the standard library and package parser only.
package format

import (
	"bytes"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/printer"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/corofy/corofy/parser"
)

// Mode selects options of [Format].
type Mode uint

const (
	// AllErrors reports every syntax error, not only the first one of
	// each line and at most about ten (gofmt -e).
	AllErrors Mode = 1 << iota
	// Fragment accepts a list of declarations or of statements as well as
	// a whole file, as gofmt does on its standard input. The output keeps
	// the input's leading and trailing space and the indentation of its
	// first line of code.
	Fragment
)

// The printer's configuration, gofmt's and go/format's.
const (
	tabWidth = 8
	// printerNormalizeNumbers is go/printer's undocumented mode that
	// canonicalises number literals (0X1P-2 -> 0x1p-2); go/format and
	// gofmt set it, with this value.
	printerNormalizeNumbers printer.Mode = 1 << 30
	printerMode                          = printer.UseSpaces | printer.TabIndent | printerNormalizeNumbers
)

// pad stands for the word "coroutine " while the file is printed: it is
// put before the name of each coroutine, which it makes as wide as the
// declaration will be once the word is back. Only its length matters:
// restoreKeywords checks that it is where it should be, and moves it back.
const pad = "coroutine_"

// Source formats the .gocoro source src, a whole file or a fragment (see
// [Fragment]). Errors carry no file name.
func Source(src []byte) ([]byte, error) {
	return Format("", src, Fragment)
}

// Format formats the .gocoro source src, read from filename (used in
// error positions only). On a syntax error it returns no output and a
// [scanner.ErrorList], sorted, each "filename:line:col: message" at the
// position in src; the errors about "coroutine" itself are those of
// package parser ("expected 'func' after 'coroutine'", "'coroutine func'
// must be a top-level declaration"). Misuse of .wait is not a syntax
// error and is formatted like any other selector.
func Format(filename string, src []byte, mode Mode) ([]byte, error) {
	out, err := formatOnce(filename, src, mode)
	// gofmt's output is not always formatted: a comment that ends just
	// before a declaration indented in the source becomes its doc comment
	// once the declaration is moved to the first column, and is then
	// reformatted. The result is the file formatting no longer changes.
	for range 3 {
		if err != nil {
			return nil, err
		}
		again, err2 := formatOnce(filename, out, mode)
		if err2 != nil {
			return nil, fmt.Errorf("internal error: the formatted source does not parse: %v", err2)
		}
		if bytes.Equal(again, out) {
			return out, nil
		}
		out = again
	}
	return out, err
}

// formatOnce formats src as gofmt does.
func formatOnce(filename string, src []byte, mode Mode) ([]byte, error) {
	blanked, keywords, kwErrs := parser.BlankKeywords(filename, src)
	parserMode := goparser.ParseComments | goparser.SkipObjectResolution
	if mode&AllErrors != 0 {
		parserMode |= goparser.AllErrors
	}
	fset := token.NewFileSet()
	file, frag, err := parse(fset, filename, blanked, parserMode, mode&Fragment != 0)
	if err != nil || len(kwErrs) > 0 {
		return nil, errorList(err, kwErrs, mode)
	}

	// Each keyword belongs to the func of a top-level declaration.
	tf := fset.File(file.Pos())
	funcs := map[int]*ast.FuncDecl{} // by the offset of their func in blanked
	index := map[*ast.FuncDecl]int{} // among the FuncDecls
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			funcs[tf.Offset(fd.Type.Func)-frag.prefix] = fd
			index[fd] = len(index)
		}
	}
	if len(keywords) == 0 {
		ast.SortImports(fset, file)
		return printFile(fset, file, frag, src)
	}
	var which []int // indexes of the coroutines among the FuncDecls
	var names []int // offsets of their names in blanked
	for _, kw := range keywords {
		fd := funcs[kw.Func]
		if fd == nil {
			// Only in a fragment of statements, which go/parser reads as
			// the body of a function: there the func is a literal.
			var list scanner.ErrorList
			list.Add(position(src, filename, kw.Offset), "'coroutine func' must be a top-level declaration (coroutine function literals are not supported; declare a coroutine at top level and call it)")
			return nil, list
		}
		which = append(which, index[fd])
		names = append(names, tf.Offset(fd.Name.Pos())-frag.prefix)
	}

	// The file printed is the Go file in which the word and the space
	// after it are deleted, so that the func stands where the word did
	// (gofmt reformats a doc comment only if the func it documents starts
	// its line), and the name made as long as the word was.
	goSrc := make([]byte, 0, len(blanked)+len(keywords))
	last := 0
	for i, kw := range keywords {
		after := kw.Offset + len("coroutine")
		for blanked[after] == ' ' || blanked[after] == '\t' {
			after++
		}
		goSrc = append(goSrc, blanked[last:kw.Offset]...)
		goSrc = append(goSrc, blanked[after:names[i]]...)
		goSrc = append(goSrc, pad...)
		last = names[i]
	}
	goSrc = append(goSrc, blanked[last:]...)
	fset = token.NewFileSet()
	file, frag, err = parse(fset, filename, goSrc, parserMode, mode&Fragment != 0)
	if err != nil {
		return nil, fmt.Errorf("internal error: the source with the coroutine keywords moved does not parse: %v", err)
	}

	ast.SortImports(fset, file)
	out, err := printFile(fset, file, frag, src)
	if err != nil {
		return nil, err
	}
	return restoreKeywords(out, which)
}

// fragment says how src was completed into a file for go/parser.
type fragment struct {
	prefix int // bytes put before src: 0 for a whole file
	// adjust removes the completion from the printed file, whose indent
	// is given (as cmd/gofmt's sourceAdj)
	adjust    func(out []byte, indent int) []byte
	indentAdj int // the completion's own indentation of src
}

// parse parses src as a whole Go file or, if fragmentOK and src has no
// package clause, as a list of declarations or else of statements, as
// gofmt does: the same attempts in the same order, with the same errors.
func parse(fset *token.FileSet, filename string, src []byte, mode goparser.Mode, fragmentOK bool) (*ast.File, fragment, error) {
	file, err := goparser.ParseFile(fset, filename, src, mode)
	if err == nil || !fragmentOK || !strings.Contains(err.Error(), "expected 'package'") {
		return file, fragment{}, err
	}

	// Declarations: a package clause before them, ended by ';' so that
	// line numbers stay; the printer turns the ';' into a newline.
	const declPrefix = "package p;"
	file, err = goparser.ParseFile(fset, filename, append([]byte(declPrefix), src...), mode)
	if err == nil {
		return file, fragment{
			prefix: len(declPrefix),
			adjust: func(out []byte, indent int) []byte {
				return bytes.TrimSpace(out[indent+len("package p\n"):])
			},
		}, nil
	}
	if !strings.Contains(err.Error(), "expected declaration") {
		return nil, fragment{}, err
	}

	// Statements: the body of a function. The two newlines before the
	// closing brace make the printer flush comments before it; it turns
	// "; " into a blank line, and indents the body once.
	const stmtPrefix = "package p; func _() {"
	fsrc := append(append([]byte(stmtPrefix), src...), '\n', '\n', '}')
	file, err = goparser.ParseFile(fset, filename, fsrc, mode)
	if err != nil {
		return nil, fragment{}, err
	}
	return file, fragment{
		prefix: len(stmtPrefix),
		adjust: func(out []byte, indent int) []byte {
			indent = max(indent, 0)
			out = out[2*indent+len("package p\n\nfunc _() {"):]
			out = out[:len(out)-len("}\n")]
			return bytes.TrimSpace(out)
		},
		indentAdj: -1,
	}, nil
}

// printFile prints file in gofmt's configuration. A fragment is printed at
// the indentation of its first line of code in src (the .gocoro source:
// the word "coroutine" is code), between src's own leading and trailing
// space, as gofmt does.
func printFile(fset *token.FileSet, file *ast.File, frag fragment, src []byte) ([]byte, error) {
	cfg := printer.Config{Mode: printerMode, Tabwidth: tabWidth}
	var buf bytes.Buffer
	if frag.adjust == nil {
		if err := cfg.Fprint(&buf, fset, file); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}

	// The leading space up to the last newline before the first code.
	lead, code := 0, 0
	for code < len(src) && isSpace(src[code]) {
		if src[code] == '\n' {
			lead = code + 1
		}
		code++
	}
	res := append([]byte(nil), src[:lead]...)
	// The indentation of the first line of code, in tabs; spaces count
	// as one tab when there are no tabs.
	indent, spaces := 0, false
	for _, b := range src[lead:code] {
		switch b {
		case ' ':
			spaces = true
		case '\t':
			indent++
		}
	}
	if indent == 0 && spaces {
		indent = 1
	}
	res = append(res, bytes.Repeat([]byte{'\t'}, indent)...)

	cfg.Indent = indent + frag.indentAdj
	if err := cfg.Fprint(&buf, fset, file); err != nil {
		return nil, err
	}
	out := frag.adjust(buf.Bytes(), cfg.Indent)
	if len(out) == 0 { // nothing but space
		return src, nil
	}
	res = append(res, out...)
	end := len(src)
	for end > 0 && isSpace(src[end-1]) {
		end--
	}
	return append(res, src[end:]...), nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// restoreKeywords puts "coroutine " back before the func of the
// declarations of printed source out whose indexes among the function
// declarations are listed in which, and takes the pad out of their
// names.
func restoreKeywords(out []byte, which []int) ([]byte, error) {
	if len(which) == 0 {
		return out, nil
	}
	// A function declaration is a "func" at depth 0 that starts a
	// declaration; its name is the first identifier after it at depth 0
	// (a receiver is in parentheses).
	type edit struct{ funcOff, nameOff int }
	var edits []edit
	fset := token.NewFileSet()
	tf := fset.AddFile("", -1, len(out))
	var s scanner.Scanner
	s.Init(tf, out, nil, 0)
	depth, prev, index, next := 0, token.SEMICOLON, 0, 0
	funcOff := -1 // the func of a coroutine whose name comes next
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		case token.FUNC:
			if depth == 0 && prev == token.SEMICOLON {
				if next < len(which) && which[next] == index {
					funcOff = tf.Offset(pos)
					next++
				}
				index++
			}
		case token.IDENT:
			if funcOff >= 0 && depth == 0 {
				if !strings.HasPrefix(lit, pad) {
					return nil, fmt.Errorf("internal error: coroutine declaration %d has no name after its func in the formatted source", len(edits)+1)
				}
				edits = append(edits, edit{funcOff, tf.Offset(pos)})
				funcOff = -1
			}
		}
		prev = tok
	}
	if len(edits) != len(which) {
		return nil, fmt.Errorf("internal error: %d coroutine declarations, %d found in the formatted source", len(which), len(edits))
	}
	res := make([]byte, 0, len(out)+len(edits)*(len("coroutine ")-len(pad)))
	last := 0
	for _, e := range edits {
		res = append(res, out[last:e.funcOff]...)
		res = append(res, "coroutine "...)
		res = append(res, out[e.funcOff:e.nameOff]...)
		last = e.nameOff + len(pad)
	}
	return append(res, out[last:]...), nil
}

// errorList returns the syntax errors, go/parser's err and those about
// the keywords, as one sorted list. go/parser's list alone is returned as
// it is, as gofmt prints it.
func errorList(err error, kwErrs scanner.ErrorList, mode Mode) error {
	var list scanner.ErrorList
	switch e := err.(type) {
	case nil:
	case scanner.ErrorList:
		if len(kwErrs) == 0 {
			return e
		}
		list = append(list, e...)
	default:
		return err
	}
	list = append(list, kwErrs...)
	list.Sort()
	if mode&AllErrors == 0 {
		list.RemoveMultiples()
	}
	return list
}

// position returns the position of offset in src, under filename.
func position(src []byte, filename string, offset int) token.Position {
	line, col := 1, 1
	for _, b := range src[:offset] {
		col++
		if b == '\n' {
			line, col = line+1, 1
		}
	}
	return token.Position{Filename: filename, Offset: offset, Line: line, Column: col}
}
