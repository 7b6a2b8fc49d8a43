package transform

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// This file makes the reading copy of a generated file: SparseLines keeps
// only the line directives that a line of it needs (see "Positions" in
// doc.go).
//
// A directive /*line f:L:C*/ that ends on line o of the generated file
// gives the rest of line o the source line L, and the lines after it L+1,
// L+2 and so on: it shifts the lines that follow it by L-o, up to the
// next directive. Two directives with the same file and the same shift
// say the same thing of every line, so the second is dropped; that alone
// keeps every line's source line exact. A directive whose lines hold no
// token that can panic or be a frame of a stack trace (a call, an index,
// a division, a dereference, a receive; the not-ready return after a
// wait, a state change, a fallthrough hold none) is dropped too: those
// lines then take the shift of the directive before, which says nothing
// wrong of any line a panic can name. The columns of directives that
// stay are kept; the lines between them count on at the generated file's
// own columns. The result is checked token by token against src: every
// token that can panic has the same source file and line in both.

// SparseLines returns src, a file Transform generated with line
// directives, with only the directives that keep the .gocoro line of each
// token that can panic or appear in a stack trace: panics and stack traces
// show the same lines as with src, while the code reads almost as it does
// without directives (corofy -sparse, which the repository's examples
// use). Debuggers and coverage profiles need src's directives, which also
// give columns.
func SparseLines(src []byte) ([]byte, error) {
	full, err := scanDirectives(src)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	last := 0
	curFile, curShift := "", 0 // no directive yet: the generated file's own lines
	for i, d := range full.directives {
		seg := full.segment(i)
		keep := (d.file != curFile || d.shift != curShift) && full.relevantIn(seg)
		text := d.text
		if keep && !d.named && d.file != curFile {
			// An unnamed directive takes the file of the last one kept:
			// name it.
			text = fmt.Sprintf("/*line %s:%d:%d*/", d.file, d.line, d.col)
		}
		if keep {
			curFile, curShift = d.file, d.shift
			out.Write(src[last:d.start])
			out.WriteString(text)
			last = d.end
			continue
		}
		start, end := d.start, d.end
		if end < len(src) && src[end] == ' ' {
			end++ // "/*line :L:C*/ x" -> "x"
		} else if start > 0 && src[start-1] == ' ' {
			start-- // "x /*line :L:C*/" -> "x"
		}
		out.Write(src[last:start])
		last = end
	}
	out.Write(src[last:])
	sparse, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("transform: internal error: the sparse copy does not parse: %v", err)
	}
	if err := full.sameLines(sparse); err != nil {
		return nil, err
	}
	return sparse, nil
}

// lineDirective is one /*line f:L:C*/ comment of a generated file.
type lineDirective struct {
	start, end int    // its offsets in the file
	text       string // as written
	named      bool   // it names its file
	file       string // the file it sets (inherited when not named)
	line, col  int
	shift      int // line minus the generated line it ends on
}

// scanned is a generated file's tokens and line directives.
type scanned struct {
	directives []lineDirective
	toks       []scannedToken
}

// scannedToken is a token that is not a comment, with its source position
// as the directives give it, and whether it can panic.
type scannedToken struct {
	off      int
	tok      token.Token
	lit      string
	file     string
	line     int
	relevant bool
}

// scanDirectives scans src, a generated file.
func scanDirectives(src []byte) (*scanned, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) { errs.Add(pos, msg) }, scanner.ScanComments)
	out := &scanned{}
	curFile := ""
	safe := packageNamesOf(src)  // package names: pkg.X cannot panic
	receiver, depth := "", 0     // the receiver of the method being scanned, and the brace depth
	var prev, prev2 scannedToken // the last two tokens
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if tok == token.COMMENT {
			if d, ok := parseDirective(lit); ok {
				d.start, d.end = off, off+len(lit)
				if d.named {
					curFile = d.file
				} else {
					d.file = curFile
				}
				d.shift = d.line - file.PositionFor(file.Pos(d.end), false).Line
				out.directives = append(out.directives, d)
			}
			continue
		}
		p := fset.PositionFor(pos, true)
		t := scannedToken{off: off, tok: tok, lit: lit, file: p.Filename, line: p.Line}
		switch tok {
		case token.LPAREN:
			// A call or a conversion, f(, x.(T), []T(, func(){}(, or a
			// func literal (a call of it starts at its func), not a
			// grouping !(a < b).
			switch prev.tok {
			case token.IDENT, token.RPAREN, token.RBRACK, token.RBRACE, token.PERIOD, token.FUNC:
				t.relevant = true
			}
		case token.LBRACK, token.QUO, token.REM, token.SHL, token.SHR, token.ARROW, token.MUL,
			token.QUO_ASSIGN, token.REM_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
			t.relevant = true
		case token.PERIOD:
			// x.f dereferences x when it is a pointer: only the
			// receiver (c.state, c.fut1) and a package name are safe.
			t.relevant = !(prev.tok == token.IDENT && (prev.lit == receiver || safe[prev.lit]))
		case token.IDENT:
			if depth == 0 && prev.tok == token.LPAREN && prev2.tok == token.FUNC {
				receiver = lit // func (c *T) M
			}
		case token.FUNC:
			if depth == 0 {
				receiver = ""
			}
		case token.LBRACE:
			depth++
		case token.RBRACE:
			depth--
		}
		out.toks = append(out.toks, t)
		prev2, prev = prev, t
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("transform: internal error: scanning generated code: %v", errs.Err())
	}
	return out, nil
}

// packageNamesOf returns the names of the packages src imports (the last
// element of the path where it has no name of its own).
func packageNamesOf(src []byte) map[string]bool {
	names := map[string]bool{}
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return names
	}
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if spec.Name != nil {
			name = spec.Name.Name
		}
		names[name] = true
	}
	return names
}

// parseDirective parses a /*line f:L:C*/ comment as the compiler does
// (from the back: the column, the line, then the file, which may be
// empty). Only the block form is considered: corofy writes no other.
func parseDirective(c string) (lineDirective, bool) {
	body, ok := strings.CutPrefix(c, "/*line ")
	if !ok {
		return lineDirective{}, false
	}
	body, ok = strings.CutSuffix(body, "*/")
	if !ok {
		return lineDirective{}, false
	}
	rest, colText, ok1 := cutLastColon(body)
	file, lineText, ok2 := cutLastColon(rest)
	line, err1 := strconv.Atoi(lineText)
	col, err2 := strconv.Atoi(colText)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || line <= 0 || col <= 0 {
		return lineDirective{}, false // not one corofy writes: kept as it is
	}
	return lineDirective{text: c, named: file != "", file: file, line: line, col: col}, true
}

func cutLastColon(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// segment returns the range of tokens the i-th directive positions: from
// it to the next directive.
func (sc *scanned) segment(i int) []scannedToken {
	from, to := sc.directives[i].end, int(^uint(0)>>1)
	if i+1 < len(sc.directives) {
		to = sc.directives[i+1].start
	}
	// The tokens are in order of offset: two binary searches, not a scan
	// from the start for each directive.
	lo := sort.Search(len(sc.toks), func(i int) bool { return sc.toks[i].off >= from })
	hi := lo + sort.Search(len(sc.toks)-lo, func(i int) bool { return sc.toks[lo+i].off >= to })
	return sc.toks[lo:hi]
}

// relevantIn reports whether a token of seg can panic or be a frame of a
// stack trace.
func (sc *scanned) relevantIn(seg []scannedToken) bool {
	for _, t := range seg {
		if t.relevant {
			return true
		}
	}
	return false
}

// sameLines checks that sparse has the tokens of the file scanned, and
// that each token that can panic has the same source file and line in
// both.
func (sc *scanned) sameLines(sparse []byte) error {
	sp, err := scanDirectives(sparse)
	if err != nil {
		return err
	}
	if len(sp.toks) != len(sc.toks) {
		return fmt.Errorf("transform: internal error: the sparse copy has %d tokens, the generated code %d", len(sp.toks), len(sc.toks))
	}
	for i, t := range sc.toks {
		s := sp.toks[i]
		if s.tok != t.tok || s.lit != t.lit && t.tok != token.SEMICOLON {
			return fmt.Errorf("transform: internal error: the sparse copy's token %d is %s %q, not %s %q", i, s.tok, s.lit, t.tok, t.lit)
		}
		if t.relevant && (s.file != t.file || s.line != t.line) {
			return fmt.Errorf("transform: internal error: in the sparse copy, %s %q is at %s:%d, not %s:%d", t.tok, t.lit, s.file, s.line, t.file, t.line)
		}
	}
	return nil
}
