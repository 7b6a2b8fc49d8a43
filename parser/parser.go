package parser

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
)

// RuntimePath is the import path of the runtime that generated code and the
// reference form use. Keep in sync with transform and runtime/doc.go.
const RuntimePath = "github.com/corofy/corofy/runtime"

// File is a parsed and lowered .gocoro file.
type File struct {
	Name string // file name as given, used in positions
	Src  []byte // the original .gocoro source
	// Go is Src with the word "coroutine" of each declaration blanked out:
	// Go syntax, in which x.wait is a selector, with Src's offsets.
	Go  []byte
	AST *ast.File // the lowered file (see the package doc), with comments

	// Coroutines lists the coroutine functions in source order.
	Coroutines []*Coroutine

	// RuntimeName is the name under which AST refers to the runtime
	// package: the user's own import of it, or an import the lowering added.
	RuntimeName string
	// AddedImport is the import spec the lowering added, or nil.
	AddedImport *ast.ImportSpec
}

// Coroutine is one "coroutine func" declaration.
type Coroutine struct {
	Keyword token.Pos      // position of the word "coroutine"
	Decl    *ast.FuncDecl  // the lowered declaration: results are Future[R]
	Results *ast.FieldList // the results as written (nil when there are none)
	Lit     *ast.FuncLit   // func() R { body } inside Decl: Lit.Body is the user's body
	// Waits lists the lowered .wait expressions, runtime.Await(x) calls,
	// in source order.
	Waits []*Wait
}

// Wait is one x.wait expression.
type Wait struct {
	Call *ast.CallExpr // the lowered runtime.Await(x); Call.Args[0] is x
	Pos  token.Pos     // position of the word "wait"
	N    int           // the values it stands for: 0 or 1, or 2 and 3 for runtime.AwaitN
}

// Body returns the coroutine's body as the user wrote it (lowered waits).
func (c *Coroutine) Body() *ast.BlockStmt { return c.Lit.Body }

// Name returns the coroutine's name, "T.M" for methods.
func (c *Coroutine) Name() string {
	if c.Decl.Recv == nil || len(c.Decl.Recv.List) == 0 {
		return c.Decl.Name.Name
	}
	return RecvTypeName(c.Decl.Recv.List[0].Type) + "." + c.Decl.Name.Name
}

// RecvTypeName returns the name of the type of a method's receiver
// expression: T for T, *T, T[K] and (*T), "?" for anything else.
func RecvTypeName(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return "?"
		}
	}
}

// ParseFile parses the .gocoro source src, recording positions in fset
// under filename, and lowers it (see the package doc). On error it returns
// a scanner.ErrorList; the File may then be partial and must not be used.
func ParseFile(fset *token.FileSet, filename string, src []byte) (*File, error) {
	var errs scanner.ErrorList
	blanked, keywords := findCoroutineKeywords(fset, filename, src, &errs)
	f, err := parser.ParseFile(fset, filename, blanked, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		list, ok := err.(scanner.ErrorList)
		if !ok {
			return nil, err
		}
		errs = append(errs, list...)
	}
	if err == nil { // a syntax error makes the rest of the checks unreliable
		file := &File{Name: filename, Src: src, Go: blanked, AST: f}
		l := &lowerer{file: file, fset: fset, errs: &errs}
		l.run(keywords)
		if len(errs) == 0 {
			return file, nil
		}
	}
	errs.Sort()
	errs.RemoveMultiples()
	return nil, errs
}

// Keyword is the word "coroutine" of a "coroutine func" declaration.
type Keyword struct {
	Offset int // byte offset of "coroutine"
	Func   int // byte offset of the "func" it belongs to (comments may stand between)
}

// BlankKeywords returns a copy of the .gocoro source src in which the word
// "coroutine" of every top-level "coroutine func" declaration is replaced
// by spaces (Go syntax with src's offsets, as [File.Go]), and those words.
// It reports "coroutine" not followed by "func", and "coroutine func"
// below top level, as ParseFile does; positions name filename. Everything
// else, including syntax errors, is left to go/parser.
func BlankKeywords(filename string, src []byte) ([]byte, []Keyword, scanner.ErrorList) {
	var errs scanner.ErrorList
	out, keywords := findCoroutineKeywords(token.NewFileSet(), filename, src, &errs)
	return out, keywords, errs
}

// findCoroutineKeywords scans src and returns a copy in which every
// "coroutine" that starts a top-level "coroutine func" declaration is
// replaced by spaces, and those words. It reports "coroutine" not followed
// by "func", and "coroutine func" below top level.
func findCoroutineKeywords(fset *token.FileSet, filename string, src []byte, errs *scanner.ErrorList) ([]byte, []Keyword) {
	out := append([]byte(nil), src...)
	var keywords []Keyword
	tf := fset.AddFile(filename+"#scan", -1, len(src))
	var s scanner.Scanner
	s.Init(tf, src, nil, 0) // syntax errors are left to go/parser
	depth := 0
	prev := token.SEMICOLON // the token before the current one
	report := func(pos token.Pos, msg string) {
		p := tf.Position(pos)
		p.Filename = filename
		errs.Add(p, msg)
	}
	// next returns the next token: the one a lookahead put back, or a new one.
	type item struct {
		pos token.Pos
		tok token.Token
		lit string
	}
	var back *item
	next := func() item {
		if back != nil {
			it := *back
			back = nil
			return it
		}
		pos, tok, lit := s.Scan()
		return item{pos, tok, lit}
	}
	for {
		it := next()
		pos, tok, lit := it.pos, it.tok, it.lit
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth = max(depth-1, 0) // unbalanced input is go/parser's to report
		case token.IDENT:
			if lit != "coroutine" {
				break
			}
			atDeclStart := prev == token.SEMICOLON
			n := next()
			switch {
			case n.tok == token.FUNC && depth == 0 && atDeclStart:
				keywords = append(keywords, Keyword{tf.Offset(pos), tf.Offset(n.pos)})
			case n.tok == token.FUNC:
				report(pos, "'coroutine func' must be a top-level declaration (coroutine function literals are not supported; declare a coroutine at top level and call it)")
			case depth == 0 && atDeclStart:
				report(n.pos, "expected 'func' after 'coroutine', found "+describe(n.tok, n.lit))
			default:
				// An ordinary identifier named coroutine: the token after
				// it is scanned again, as any other (it may close a bracket).
				back = &n
				prev = tok
				continue
			}
			// The word is blanked so that go/parser goes on to report
			// other errors; the token after it is not a bracket.
			off := tf.Offset(pos)
			copy(out[off:], "         ")
			back = &n
			prev = token.SEMICOLON
			continue
		}
		prev = tok
	}
	return out, keywords
}

// describe names a token for a diagnostic, the way go/parser does.
func describe(tok token.Token, lit string) string {
	switch {
	case tok == token.SEMICOLON && lit == "\n":
		return "newline"
	case tok == token.EOF:
		return "EOF"
	case lit != "":
		return "'" + lit + "'"
	default:
		return "'" + tok.String() + "'"
	}
}
