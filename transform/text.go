package transform

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/dave/dst"
)

// A machine's declarations are written as Go text straight from their
// trees (see chunks.go for when): going through dst's restorer, which
// makes a go/ast tree with positions and maps every node both ways, and
// printing that tree, only to format the printed text again, was most of
// the time corofy spent on a file of many coroutines after its type
// check. The text written here is not gofmt's yet; it is formatted with
// the rest of the output (see format.go), and formats to exactly what
// the restored tree, printed and formatted, did: the tests check it for
// every machine they make (textCheck), and for the declarations of the
// standard library's files and of go/printer's test inputs
// (TestWriteDeclsLikeRestorer).
//
// gofmt's output depends on the tokens and comments; on which line each
// stands (it keeps a line break, a blank line, a one-line body or list
// where the source has one); and on columns in two places: a comment on
// a line of its own is aligned with the token after it when both start
// at the same column (before a case clause, say), and one in the first
// column is taken for a top-level doc comment. The writer reproduces
// what the restorer and the printer make of a tree, in these terms:
//
//   - Lines: the restorer's. It counts line breaks as the restorer does
//     (a NewLine before a node already at a new line adds none, an
//     EmptyLine one), and adds those the printer always starts (before a
//     statement, a case clause, a field of a struct of several, a spec of
//     a group, a declaration, and before the brace that closes a block),
//     but in a function body the printer writes on one line: one the
//     restorer puts on one line, of a few statements without blocks.
//   - Columns: a comment that starts a line is indented as the tokens
//     where it was put, one column further where the restorer puts it
//     there (a comment of End decorations); the restorer starts every
//     line at the same column, the writer at its depth in blocks.
//   - Meaning: where a line would end after a token that ends a statement,
//     inside one, the writer keeps the token and what follows on one
//     line, as the printer does (the line break would add a semicolon,
//     changing the program). The separators the restorer leaves to the printer (commas
//     between list elements, semicolons between statements on one line
//     and in a statement's header, the comma before a closing bracket on
//     a line of its own) go right after the last token, before the
//     comments that follow it, as the printer writes them; and so do the
//     parentheses the printer adds around an operand of lower precedence,
//     and the comma that keeps a type parameter list [P *C] from being
//     an array's length.
//
// Two things it does not reproduce, and a machine with either is printed
// from its restored trees (writeDecls reports them): gofmt rewrites the
// lines after the first of a /* */ comment of several lines, and the
// printer's pass before it changes what it finds; and a // comment where
// a line may not end (the printer ends it anyway).

// A textWriter writes declarations as Go text.
type textWriter struct {
	out   []byte
	own   string            // the package's path: its names are written bare
	names map[string]string // the name the file gives each other package

	queue  []textItem // line breaks and comments before the next token
	unsure bool       // a comment was written that the text may not format as the restored trees
	textState
}

// textState is the state of a textWriter but its text and queue.
type textState struct {
	depth   int  // the indentation of a new line, in tabs
	nl      bool // at a new line, as the restorer counts them
	implied bool // a line break after the last token would end a statement
	stmtEnd bool // a statement ended: a line may end before the next token
	sep     bool // statements come before the next token: a ';' if no line ends between
	force   bool // the printer starts a line at the next token: one ends before it
	fresh   bool // out ends with a line break: the next write indents
	opened  bool // the last token opens a list
	oneLine int  // in a function body the printer writes on one line: no line is forced
	breaks  int  // the line breaks of the restorer so far

	inInterface bool // writing an interface's methods
}

// A textItem is a line break (text "") or a comment waiting for the next
// token.
type textItem struct {
	text  string
	depth int  // its indentation, if it starts a line: the one where it was put
	extra bool // one column further
}

// writeDecls returns the text of decls, the declarations of a file of the
// package whose path is own, which imports the package of each path under
// the name names gives it ("." for a dot import). It reports false if the
// text may not format as the restored declarations do (see above: a /* */
// comment of several lines, a // comment where a line may not end).
func writeDecls(own string, names map[string]string, decls []dst.Decl) ([]byte, bool) {
	w := &textWriter{own: own, names: names}
	for i, d := range decls {
		w.force = i > 0
		w.decl(d)
		w.sep = true
	}
	w.sep, w.stmtEnd = false, true
	w.flush()
	return w.out, !w.unsure
}

// space applies a node's Before or After space.
func (w *textWriter) space(s dst.SpaceType) {
	n := 0
	switch s {
	case dst.NewLine:
		n = 1
	case dst.EmptyLine:
		n = 2
	}
	if w.nl {
		n--
	}
	for range n {
		w.queue = append(w.queue, textItem{})
		w.nl = true
		w.breaks++
	}
}

// decs applies decorations; end says they are a node's End decorations.
func (w *textWriter) decs(ds dst.Decorations, end bool) {
	for _, d := range ds {
		extra := false
		if end && w.nl {
			// The restorer writes a comment of End decorations that
			// starts a line one column further in.
			w.nl = false
			extra = true
		}
		switch {
		case d == "\n":
			w.queue = append(w.queue, textItem{})
			w.nl = true
			w.breaks++
		case strings.HasPrefix(d, "//"):
			w.queue = append(w.queue, textItem{text: d, depth: w.depth, extra: extra})
			w.nl = true // a line comment ends its line
			w.breaks++
		case strings.HasPrefix(d, "/*"):
			w.queue = append(w.queue, textItem{text: d, depth: w.depth, extra: extra})
			w.nl = false
			if strings.Contains(d, "\n") {
				w.breaks++
				w.unsure = true
			}
		}
	}
}

// queueBreaks reports whether a line ends before the next token.
func (w *textWriter) queueBreaks() bool {
	for _, it := range w.queue {
		if it.text == "" || it.text[1] == '/' || strings.Contains(it.text, "\n") {
			return true
		}
	}
	return false
}

// commentsStartLine returns where in the queue the /* */ comments start
// that end it after a // comment on a line of its own (no token before
// it on its line, only /* */ comments, if anything), or -1: the printer,
// which starts a line at the next token, writes them on the line after
// that comment and ends the line after them, and the token starts the
// next one.
func (w *textWriter) commentsStartLine() int {
	block := func(i int) bool { return w.queue[i].text != "" && w.queue[i].text[1] == '*' }
	n := len(w.queue)
	for n > 0 && block(n-1) {
		n--
	}
	if n == len(w.queue) || n < 2 || w.queue[n-1].text == "" || block(n-1) {
		return -1
	}
	// The // comment at n-1: what starts its line?
	i := n - 2
	for i > 0 && block(i) {
		i--
	}
	if w.queue[i].text == "" || !block(i) {
		return n // a line's end, or a // comment, which ends the line before
	}
	return -1
}

// flush writes the queue.
func (w *textWriter) flush() {
	if w.force {
		if w.commentsStartLine() >= 0 {
			// The comments stay where the printer wrote them, before the
			// token, not aligned with it: the restorer writes the token
			// after the /* */ comments, further than any line's start,
			// and the printer, when it finds a comment so placed at the
			// end of an indented part (the lines of a list, a case's
			// statements), keeps it indented with that part.
			for i := range w.queue {
				w.queue[i].extra = true
			}
			w.queue = append(w.queue, textItem{})
		} else if !w.queueBreaks() {
			w.queue = append(w.queue, textItem{})
		}
		w.force = false
		w.stmtEnd = true
	}
	if w.sep {
		if !w.queueBreaks() {
			w.glue(";")
		}
		w.sep = false
		w.stmtEnd = true
	}
	breaks := w.stmtEnd || !w.implied // a line may end here
	for _, it := range w.queue {
		if it.text == "" {
			if breaks {
				w.out = append(w.out, '\n')
				w.fresh = true
			}
			continue
		}
		text := it.text
		if w.fresh {
			w.indent(it.depth, it.extra)
		} else {
			w.out = append(w.out, ' ')
		}
		line := text[1] == '/'
		if line && !breaks {
			// The printer would end the line, and the statement; the
			// restored trees are what this machine is printed from.
			w.unsure = true
			if !strings.Contains(text, "*/") {
				text, line = "/*"+text[2:]+"*/", false
			}
		}
		w.out = append(w.out, text...)
		w.fresh = false
		if line {
			w.out = append(w.out, '\n')
			w.fresh = true
		}
	}
	w.queue = w.queue[:0]
	w.stmtEnd = false
}

func (w *textWriter) indent(depth int, extra bool) {
	for range depth {
		w.out = append(w.out, '\t')
	}
	if extra {
		w.out = append(w.out, ' ')
	}
	w.fresh = false
}

// tok writes a token, after what waits for it.
func (w *textWriter) tok(s string) {
	w.flush()
	if w.fresh {
		w.indent(w.depth, false)
	} else if len(w.out) > 0 {
		w.out = append(w.out, ' ')
	}
	w.out = append(w.out, s...)
	w.implied = impliesSemicolon(s)
	w.opened = s == "(" || s == "[" || s == "{"
	w.nl = false
}

// glue writes a separator right after the last token, before what waits
// for the next.
func (w *textWriter) glue(s string) {
	w.out = append(w.out, s...)
	w.implied = impliesSemicolon(s)
	w.opened = false
}

// closing writes the token that closes a list; a line may end before it
// if it closes statements or declarations, or, with commaTerm, a list
// whose elements the printer ends with a comma when it does.
func (w *textWriter) closing(s string, stmts, commaTerm bool) {
	w.sep = false
	if commaTerm && !w.opened && w.queueBreaks() {
		w.glue(",")
	}
	if stmts {
		w.stmtEnd = true
		w.force = w.oneLine == 0
	}
	w.tok(s)
}

// impliesSemicolon reports whether a line break after the token s ends a
// statement (the Go spec's rule for automatic semicolons).
func impliesSemicolon(s string) bool {
	switch s {
	case "break", "continue", "fallthrough", "return", ")", "]", "}", "++", "--":
		return true
	case "...":
		return false
	}
	if token.Lookup(s).IsKeyword() {
		return false
	}
	c := s[0]
	return c == '_' || c == '.' && len(s) > 1 || c >= '0' && c <= '9' || c == '"' || c == '\'' || c == '`' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func (w *textWriter) open(s string) {
	w.tok(s)
	w.depth++
}

func (w *textWriter) close(s string, stmts, commaTerm bool) {
	w.depth--
	w.closing(s, stmts, commaTerm)
}

// decl writes a declaration.
func (w *textWriter) decl(d dst.Decl) {
	switch d := d.(type) {
	case *dst.FuncDecl:
		w.funcDecl(d)
	case *dst.GenDecl:
		w.genDecl(d)
	default:
		panic(fmt.Sprintf("writing a %T", d))
	}
}

func (w *textWriter) funcDecl(d *dst.FuncDecl) {
	w.space(d.Decs.Before)
	w.decs(d.Decs.Start, false)
	w.decs(d.Type.Decs.Start, false)
	w.tok("func")
	w.decs(d.Decs.Func, false)
	w.decs(d.Type.Decs.Func, false)
	if d.Recv != nil {
		w.fieldList(d.Recv, "(", ")", true)
	}
	w.decs(d.Decs.Recv, false)
	w.expr(d.Name, 0)
	w.decs(d.Decs.Name, false)
	if d.Type.TypeParams != nil {
		w.fieldList(d.Type.TypeParams, "[", "]", true)
	}
	w.decs(d.Decs.TypeParams, false)
	w.decs(d.Type.Decs.TypeParams, false)
	w.params(d.Type.Params)
	w.decs(d.Decs.Params, false)
	w.decs(d.Type.Decs.Params, false)
	if d.Type.Results != nil {
		w.results(d.Type.Results)
	}
	w.decs(d.Decs.Results, false)
	w.decs(d.Type.Decs.End, false)
	if d.Body != nil {
		w.body(d.Body)
	}
	w.decs(d.Decs.End, true)
	w.space(d.Decs.After)
}

func (w *textWriter) genDecl(d *dst.GenDecl) {
	w.space(d.Decs.Before)
	w.decs(d.Decs.Start, false)
	w.tok(d.Tok.String())
	w.decs(d.Decs.Tok, false)
	if d.Lparen {
		w.open("(")
	}
	w.decs(d.Decs.Lparen, false)
	for _, s := range d.Specs {
		w.force = d.Lparen
		w.spec(s)
		if d.Lparen {
			w.sep = true
		}
	}
	if d.Lparen {
		w.close(")", true, false)
	}
	w.decs(d.Decs.End, true)
	w.space(d.Decs.After)
}

func (w *textWriter) spec(s dst.Spec) {
	switch s := s.(type) {
	case *dst.ValueSpec:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.identList(s.Names)
		if s.Type != nil {
			w.expr(s.Type, 0)
		}
		if s.Values != nil {
			w.tok("=")
		}
		w.decs(s.Decs.Assign, false)
		w.exprList(s.Values)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.TypeSpec:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.expr(s.Name, 0)
		w.decs(s.Decs.Name, false)
		if s.TypeParams != nil {
			// [P *C,]: a comma after the last type parameter, which
			// gofmt keeps where [P *C] would be an array's length.
			w.fieldList(s.TypeParams, "[", "", true)
			w.glue(",")
			w.tok("]")
		}
		w.decs(s.Decs.TypeParams, false)
		if s.Assign { // type A[P any] = T[P]: the parameters come first
			w.tok("=")
		}
		w.expr(s.Type, 0)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	default:
		panic(fmt.Sprintf("writing a %T", s))
	}
}

// params writes a parameter list, always in parentheses.
func (w *textWriter) params(fl *dst.FieldList) {
	if fl == nil {
		fl = &dst.FieldList{}
	}
	w.fieldList(fl, "(", ")", true)
}

// results writes a result list: in parentheses unless it is one type
// (as the printer writes it).
func (w *textWriter) results(fl *dst.FieldList) {
	if len(fl.List) == 0 || len(fl.List) == 1 && len(fl.List[0].Names) == 0 {
		w.fieldList(fl, "", "", true)
		return
	}
	w.fieldList(fl, "(", ")", true)
}

// fieldList writes a list of fields between the brackets open and close
// (none if ""), separated by commas if commas, else by statements' rules.
func (w *textWriter) fieldList(fl *dst.FieldList, open, close string, commas bool) {
	w.space(fl.Decs.Before)
	w.decs(fl.Decs.Start, false)
	if open != "" {
		w.open(open)
	}
	w.decs(fl.Decs.Opening, false)
	for i, f := range fl.List {
		if i > 0 && commas {
			w.glue(",")
		}
		w.force = !commas && len(fl.List) > 1
		w.field(f)
		if !commas {
			w.sep = true
		}
	}
	if close != "" {
		oneLine := w.oneLine
		if !commas && len(fl.List) <= 1 {
			w.oneLine++ // the printer keeps a struct of one field on one line
		}
		w.close(close, !commas, commas)
		w.oneLine = oneLine
	} else {
		w.sep = false
	}
	w.decs(fl.Decs.End, true)
	w.space(fl.Decs.After)
}

func (w *textWriter) field(f *dst.Field) {
	w.space(f.Decs.Before)
	w.decs(f.Decs.Start, false)
	w.identList(f.Names)
	if ft, ok := f.Type.(*dst.FuncType); ok && len(f.Names) > 0 && w.inInterface {
		w.funcType(ft, false) // a method: its name, then its signature
	} else if f.Type != nil {
		w.expr(f.Type, 0)
	}
	w.decs(f.Decs.Type, false)
	if f.Tag != nil {
		w.expr(f.Tag, 0)
	}
	w.decs(f.Decs.End, true)
	w.space(f.Decs.After)
}

func (w *textWriter) identList(ids []*dst.Ident) {
	for i, id := range ids {
		if i > 0 {
			w.glue(",")
		}
		w.expr(id, 0)
	}
}

func (w *textWriter) exprList(xs []dst.Expr) {
	for i, x := range xs {
		if i > 0 {
			w.glue(",")
		}
		w.expr(x, 0)
	}
}

// stmts writes a list of statements.
func (w *textWriter) stmts(list []dst.Stmt) {
	for _, s := range list {
		if e, ok := s.(*dst.EmptyStmt); ok {
			// The printer writes nothing of it, not even a line.
			w.space(e.Decs.Before)
			w.decs(e.Decs.Start, false)
			if !e.Implicit {
				w.nl = false // the restorer counts its ';'
			}
			w.decs(e.Decs.End, true)
			w.space(e.Decs.After)
			continue
		}
		w.force = w.oneLine == 0
		w.stmt(s)
		w.sep = true
	}
}

// body writes the body of a function: on one line if the restorer puts
// it on one and the printer keeps it there (it keeps a body of a few
// statements without blocks of their own, and breaks one that is too
// long, as gofmt does after it); else with the lines the printer starts.
func (w *textWriter) body(b *dst.BlockStmt) {
	from, queue, state := len(w.out), slices.Clone(w.queue), w.textState
	w.block(b)
	if w.breaks != state.breaks || len(b.List) > 5 || !simpleStmts(b.List) {
		return
	}
	w.out, w.queue, w.textState = w.out[:from], queue, state
	w.oneLine++
	w.block(b)
	w.oneLine--
}

// simpleStmts reports whether none of list has a block.
func simpleStmts(list []dst.Stmt) bool {
	for _, s := range list {
		for {
			l, ok := s.(*dst.LabeledStmt)
			if !ok {
				break
			}
			s = l.Stmt
		}
		switch s.(type) {
		case *dst.BlockStmt, *dst.IfStmt, *dst.ForStmt, *dst.RangeStmt, *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
			return false
		}
	}
	return true
}

func (w *textWriter) block(b *dst.BlockStmt) {
	w.space(b.Decs.Before)
	w.decs(b.Decs.Start, false)
	w.open("{")
	w.decs(b.Decs.Lbrace, false)
	w.stmts(b.List)
	w.close("}", true, false)
	w.decs(b.Decs.End, true)
	w.space(b.Decs.After)
}

// header writes the init statement of an if, switch or for header and
// the semicolon after it.
func (w *textWriter) header(init dst.Stmt) {
	if init != nil {
		w.stmt(init)
	}
	w.glue(";")
}

func (w *textWriter) stmt(s dst.Stmt) {
	switch s := s.(type) {
	case *dst.ExprStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.expr(s.X, 0)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.AssignStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.exprList(s.Lhs)
		w.tok(s.Tok.String())
		w.decs(s.Decs.Tok, false)
		w.exprList(s.Rhs)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.IncDecStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.expr(s.X, 0)
		w.decs(s.Decs.X, false)
		w.tok(s.Tok.String())
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.SendStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.expr(s.Chan, 0)
		w.decs(s.Decs.Chan, false)
		w.tok("<-")
		w.decs(s.Decs.Arrow, false)
		w.expr(s.Value, 0)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.DeclStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.decl(s.Decl)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.LabeledStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.expr(s.Label, 0)
		w.decs(s.Decs.Label, false)
		w.tok(":")
		w.decs(s.Decs.Colon, false)
		if e, ok := s.Stmt.(*dst.EmptyStmt); ok {
			// The label stays on its empty statement, never on the next.
			w.space(e.Decs.Before)
			w.decs(e.Decs.Start, false)
			w.tok(";")
			w.decs(e.Decs.End, true)
			w.space(e.Decs.After)
		} else {
			w.stmt(s.Stmt)
		}
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.GoStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("go")
		w.decs(s.Decs.Go, false)
		w.expr(s.Call, 0)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.DeferStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("defer")
		w.decs(s.Decs.Defer, false)
		w.expr(s.Call, 0)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.ReturnStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("return")
		w.decs(s.Decs.Return, false)
		w.exprList(s.Results)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.BranchStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok(s.Tok.String())
		w.decs(s.Decs.Tok, false)
		if s.Label != nil {
			w.expr(s.Label, 0)
		}
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.BlockStmt:
		w.block(s)
	case *dst.IfStmt:
		w.ifStmt(s)
	case *dst.ForStmt:
		w.forStmt(s)
	case *dst.RangeStmt:
		w.rangeStmt(s)
	case *dst.SwitchStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("switch")
		w.decs(s.Decs.Switch, false)
		if s.Init != nil {
			w.header(s.Init)
		}
		w.decs(s.Decs.Init, false)
		if s.Tag != nil {
			w.expr(s.Tag, 0)
		}
		w.decs(s.Decs.Tag, false)
		w.clauses(s.Body)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.TypeSwitchStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("switch")
		w.decs(s.Decs.Switch, false)
		if s.Init != nil {
			w.header(s.Init)
		}
		w.decs(s.Decs.Init, false)
		w.stmt(s.Assign)
		w.decs(s.Decs.Assign, false)
		w.clauses(s.Body)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.SelectStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		w.tok("select")
		w.decs(s.Decs.Select, false)
		w.clauses(s.Body)
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	case *dst.EmptyStmt:
		w.space(s.Decs.Before)
		w.decs(s.Decs.Start, false)
		if !s.Implicit {
			w.tok(";")
		}
		w.decs(s.Decs.End, true)
		w.space(s.Decs.After)
	default:
		panic(fmt.Sprintf("writing a %T", s))
	}
}

func (w *textWriter) ifStmt(s *dst.IfStmt) {
	w.space(s.Decs.Before)
	w.decs(s.Decs.Start, false)
	w.tok("if")
	w.decs(s.Decs.If, false)
	if s.Init != nil {
		w.header(s.Init)
	}
	w.decs(s.Decs.Init, false)
	w.expr(s.Cond, 0)
	w.decs(s.Decs.Cond, false)
	w.block(s.Body)
	if s.Else != nil {
		w.tok("else")
	}
	w.decs(s.Decs.Else, false)
	if s.Else != nil {
		w.stmt(s.Else)
	}
	w.decs(s.Decs.End, true)
	w.space(s.Decs.After)
}

func (w *textWriter) forStmt(s *dst.ForStmt) {
	w.space(s.Decs.Before)
	w.decs(s.Decs.Start, false)
	w.tok("for")
	w.decs(s.Decs.For, false)
	clauses := s.Init != nil || s.Post != nil
	if clauses {
		w.header(s.Init)
	}
	w.decs(s.Decs.Init, false)
	if s.Cond != nil {
		w.expr(s.Cond, 0)
	}
	if clauses {
		w.glue(";")
	}
	w.decs(s.Decs.Cond, false)
	if s.Post != nil {
		w.stmt(s.Post)
	}
	w.decs(s.Decs.Post, false)
	w.block(s.Body)
	w.decs(s.Decs.End, true)
	w.space(s.Decs.After)
}

func (w *textWriter) rangeStmt(s *dst.RangeStmt) {
	w.space(s.Decs.Before)
	w.decs(s.Decs.Start, false)
	w.tok("for")
	w.decs(s.Decs.For, false)
	if s.Key != nil {
		w.expr(s.Key, 0)
	}
	if s.Value != nil {
		w.glue(",")
	}
	w.decs(s.Decs.Key, false)
	if s.Value != nil {
		w.expr(s.Value, 0)
	}
	w.decs(s.Decs.Value, false)
	if s.Tok != token.ILLEGAL {
		w.tok(s.Tok.String())
	}
	w.tok("range")
	w.decs(s.Decs.Range, false)
	w.expr(s.X, 0)
	w.decs(s.Decs.X, false)
	w.block(s.Body)
	w.decs(s.Decs.End, true)
	w.space(s.Decs.After)
}

// clauses writes the body of a switch or select.
func (w *textWriter) clauses(b *dst.BlockStmt) {
	w.space(b.Decs.Before)
	w.decs(b.Decs.Start, false)
	w.tok("{")
	w.decs(b.Decs.Lbrace, false)
	for _, s := range b.List {
		w.force = true
		switch c := s.(type) {
		case *dst.CaseClause:
			w.space(c.Decs.Before)
			w.decs(c.Decs.Start, false)
			if c.List == nil {
				w.tok("default")
			} else {
				w.tok("case")
			}
			w.decs(c.Decs.Case, false)
			w.exprList(c.List)
			w.tok(":")
			w.decs(c.Decs.Colon, false)
			w.depth++
			w.stmts(c.Body)
			w.depth--
			w.decs(c.Decs.End, true)
			w.space(c.Decs.After)
		case *dst.CommClause:
			w.space(c.Decs.Before)
			w.decs(c.Decs.Start, false)
			if c.Comm == nil {
				w.tok("default")
			} else {
				w.tok("case")
			}
			w.decs(c.Decs.Case, false)
			if c.Comm != nil {
				w.stmt(c.Comm)
			}
			w.decs(c.Decs.Comm, false)
			w.tok(":")
			w.decs(c.Decs.Colon, false)
			w.depth++
			w.stmts(c.Body)
			w.depth--
			w.decs(c.Decs.End, true)
			w.space(c.Decs.After)
		default:
			panic(fmt.Sprintf("writing a %T in a switch", s))
		}
	}
	w.closing("}", true, false)
	w.decs(b.Decs.End, true)
	w.space(b.Decs.After)
}

// expr writes x as an operand of precedence prec: in parentheses where
// its own is lower, as the printer writes it.
func (w *textWriter) expr(x dst.Expr, prec int) {
	paren := false
	switch x := x.(type) {
	case *dst.BinaryExpr:
		paren = x.Op.Precedence() < prec
	case *dst.UnaryExpr, *dst.StarExpr:
		paren = token.UnaryPrec < prec
	}
	if paren {
		w.tok("(")
		w.expr(x, 0)
		w.glue(")")
		return
	}
	switch x := x.(type) {
	case *dst.Ident:
		w.ident(x)
	case *dst.BasicLit:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok(x.Value)
		if strings.Contains(x.Value, "\n") {
			w.breaks++
		}
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.BinaryExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		p := x.Op.Precedence()
		w.expr(x.X, p)
		w.decs(x.Decs.X, false)
		w.tok(x.Op.String())
		w.decs(x.Decs.Op, false)
		w.expr(x.Y, p+1)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.UnaryExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok(x.Op.String())
		w.decs(x.Decs.Op, false)
		w.expr(x.X, token.UnaryPrec)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.StarExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("*")
		w.decs(x.Decs.Star, false)
		w.expr(x.X, token.UnaryPrec)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.ParenExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("(")
		w.decs(x.Decs.Lparen, false)
		w.expr(x.X, 0)
		w.decs(x.Decs.X, false)
		w.closing(")", false, false)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.SelectorExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.X, token.HighestPrec)
		w.tok(".")
		w.decs(x.Decs.X, false)
		w.expr(x.Sel, 0)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.CallExpr:
		w.call(x)
	case *dst.IndexExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.X, token.HighestPrec)
		w.decs(x.Decs.X, false)
		w.tok("[")
		w.decs(x.Decs.Lbrack, false)
		w.expr(x.Index, 0)
		w.decs(x.Decs.Index, false)
		w.closing("]", false, false)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.IndexListExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.X, token.HighestPrec)
		w.decs(x.Decs.X, false)
		w.tok("[")
		w.decs(x.Decs.Lbrack, false)
		w.exprList(x.Indices)
		w.decs(x.Decs.Indices, false)
		w.closing("]", false, true)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.SliceExpr:
		w.sliceExpr(x)
	case *dst.TypeAssertExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.X, token.HighestPrec)
		w.tok(".")
		w.decs(x.Decs.X, false)
		w.tok("(")
		w.decs(x.Decs.Lparen, false)
		if x.Type != nil {
			w.expr(x.Type, 0)
		} else {
			w.tok("type")
		}
		w.decs(x.Decs.Type, false)
		w.closing(")", false, false)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.KeyValueExpr:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.Key, 0)
		w.decs(x.Decs.Key, false)
		w.tok(":")
		w.decs(x.Decs.Colon, false)
		w.expr(x.Value, 0)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.CompositeLit:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		if x.Type != nil {
			w.expr(x.Type, token.HighestPrec)
		}
		w.decs(x.Decs.Type, false)
		w.open("{")
		w.decs(x.Decs.Lbrace, false)
		w.exprList(x.Elts)
		w.close("}", false, true)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.FuncLit:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.expr(x.Type, 0)
		w.decs(x.Decs.Type, false)
		w.body(x.Body)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.Ellipsis:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("...")
		w.decs(x.Decs.Ellipsis, false)
		if x.Elt != nil {
			w.expr(x.Elt, 0)
		}
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	default:
		w.typeExpr(x)
	}
}

// ident writes an identifier, qualified by its package's name where it
// names another package's object.
func (w *textWriter) ident(x *dst.Ident) {
	w.space(x.Decs.Before)
	w.decs(x.Decs.Start, false)
	if name := w.names[x.Path]; x.Path != "" && x.Path != w.own && name != "." {
		if name == "" {
			panic(fmt.Sprintf("no name for package %q", x.Path))
		}
		w.tok(name)
		w.tok(".")
	}
	w.decs(x.Decs.X, false)
	w.tok(x.Name)
	w.decs(x.Decs.End, true)
	w.space(x.Decs.After)
}

func (w *textWriter) call(x *dst.CallExpr) {
	w.space(x.Decs.Before)
	w.decs(x.Decs.Start, false)
	paren := false
	switch t := x.Fun.(type) {
	case *dst.FuncType:
		paren = true
	case *dst.ChanType:
		paren = t.Dir == dst.RECV
	}
	if paren {
		// A conversion to a func or <-chan type needs it in parentheses.
		w.tok("(")
		w.expr(x.Fun, 0)
		w.glue(")")
	} else {
		w.expr(x.Fun, token.HighestPrec)
	}
	w.decs(x.Decs.Fun, false)
	w.tok("(")
	w.decs(x.Decs.Lparen, false)
	w.exprList(x.Args)
	if x.Ellipsis {
		w.tok("...")
	}
	w.decs(x.Decs.Ellipsis, false)
	w.closing(")", false, true)
	w.decs(x.Decs.End, true)
	w.space(x.Decs.After)
}

func (w *textWriter) sliceExpr(x *dst.SliceExpr) {
	w.space(x.Decs.Before)
	w.decs(x.Decs.Start, false)
	w.expr(x.X, token.HighestPrec)
	w.decs(x.Decs.X, false)
	w.tok("[")
	w.decs(x.Decs.Lbrack, false)
	if x.Low != nil {
		w.expr(x.Low, 0)
	}
	w.tok(":")
	w.decs(x.Decs.Low, false)
	if x.High != nil {
		w.expr(x.High, 0)
	}
	if x.Slice3 {
		w.tok(":")
	}
	w.decs(x.Decs.High, false)
	if x.Max != nil {
		w.expr(x.Max, 0)
	}
	w.decs(x.Decs.Max, false)
	w.closing("]", false, false)
	w.decs(x.Decs.End, true)
	w.space(x.Decs.After)
}

// funcType writes a function type, with the func keyword if keyword.
func (w *textWriter) funcType(x *dst.FuncType, keyword bool) {
	w.space(x.Decs.Before)
	w.decs(x.Decs.Start, false)
	if keyword {
		w.tok("func")
	}
	w.decs(x.Decs.Func, false)
	in := w.inInterface
	w.inInterface = false // the parameters' types are not methods
	if x.TypeParams != nil {
		w.fieldList(x.TypeParams, "[", "]", true)
	}
	w.decs(x.Decs.TypeParams, false)
	w.params(x.Params)
	w.decs(x.Decs.Params, false)
	if x.Results != nil {
		w.results(x.Results)
	}
	w.inInterface = in
	w.decs(x.Decs.End, true)
	w.space(x.Decs.After)
}

// typeExpr writes a type literal.
func (w *textWriter) typeExpr(x dst.Expr) {
	switch x := x.(type) {
	case *dst.ArrayType:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("[")
		w.decs(x.Decs.Lbrack, false)
		if x.Len != nil {
			w.expr(x.Len, 0)
		}
		w.closing("]", false, false)
		w.decs(x.Decs.Len, false)
		w.expr(x.Elt, 0)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.MapType:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("map")
		w.tok("[")
		w.decs(x.Decs.Map, false)
		w.expr(x.Key, 0)
		w.closing("]", false, false)
		w.decs(x.Decs.Key, false)
		w.expr(x.Value, 0)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.ChanType:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		if x.Dir == dst.RECV {
			w.tok("<-")
		}
		w.tok("chan")
		w.decs(x.Decs.Begin, false)
		if x.Dir == dst.SEND {
			w.tok("<-")
		}
		w.decs(x.Decs.Arrow, false)
		w.expr(x.Value, 0)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.FuncType:
		w.funcType(x, x.Func)
	case *dst.StructType:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("struct")
		w.decs(x.Decs.Struct, false)
		w.fieldList(x.Fields, "{", "}", false)
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	case *dst.InterfaceType:
		w.space(x.Decs.Before)
		w.decs(x.Decs.Start, false)
		w.tok("interface")
		w.decs(x.Decs.Interface, false)
		in := w.inInterface
		w.inInterface = true
		w.fieldList(x.Methods, "{", "}", false)
		w.inInterface = in
		w.decs(x.Decs.End, true)
		w.space(x.Decs.After)
	default:
		panic(fmt.Sprintf("writing a %T", x))
	}
}
