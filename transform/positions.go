package transform

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"github.com/dave/dst"
)

// This file gives every line of Poll the position of the source it comes
// from (see "Positions" in doc.go), so that panics, stack traces,
// debuggers and coverage profiles point into the .gocoro file.
//
// A /*line file:L:C*/ directive sets the position of the character right
// after it; the lines after it count on from L, at their own columns. So:
//
//   - every statement of Poll that comes from the source gets a directive
//     with its own position, at any depth (a kept statement is printed
//     with another indentation than in the source, so only a directive
//     gives its lines their columns), and gofmt keeps that directive on the
//     statement's line: a blank line before it is dropped (gofmt would
//     put the directive alone on the line above), and a leading comment
//     gets the directive on its first line instead, counted back;
//   - every statement corofy made (the poll of a wait and what follows it
//     when the future is not ready, state changes, declarations) takes the
//     position of the source statement it stands for or, when it stands
//     for none, of the statement before it in the same case: a breakpoint
//     on the line after a wait stops in the user's next statement, never
//     in the not-ready return;
//   - the label of each case takes the position of the case's first
//     statement, so that a coverage block, which begins right after the
//     colon, begins where its first statement does.
//
// Directives inside Poll name no file (/*line :L:C*/): the compiler takes
// the file of the previous directive, the one of the machine's type.

// setPos records that statement s, made by corofy, runs the source at p.
func (m *machine) setPos(s dst.Stmt, p token.Position) {
	if p.IsValid() {
		if _, ok := m.stmtPos[s]; !ok {
			m.stmtPos[s] = p
		}
	}
}

// stmtPosition returns the source position of s: recorded by setPos, or
// that of the source node s is.
func (m *machine) stmtPosition(s dst.Stmt) token.Position {
	if p, ok := m.stmtPos[s]; ok {
		return p
	}
	if m.astOf(s) != nil {
		return m.position(s)
	}
	return token.Position{}
}

// placePrelude gives Poll's own statements around the switch (and the
// deferred recovery's) the coroutine's position: by themselves they would
// count on from the machine type's directive into the body's lines.
func (m *machine) placePrelude(list []dst.Stmt) {
	for _, s := range list {
		m.writeDirective(s, m.pos)
		switch s := s.(type) {
		case *dst.ForStmt:
			m.placePrelude(s.Body.List)
		case *dst.LabeledStmt:
			if f, ok := s.Stmt.(*dst.ForStmt); ok {
				m.placePrelude(f.Body.List)
			}
		case *dst.DeferStmt:
			if lit, ok := s.Call.Fun.(*dst.FuncLit); ok {
				m.placeLines(lit.Body.List, m.pos)
			}
		}
	}
}

// placeCaseLines writes the directives of one case of Poll.
//
// The case keyword and its value take the coroutine's position: the
// compiler places the comparisons of Poll's switch there, and every Poll
// runs some of them, so on a statement's line they would stop a debugger
// at each Poll (and before a wait is ready, on the line after it). The
// colon then takes the first statement's line.
func (m *machine) placeCaseLines(c *dst.CaseClause) {
	first := m.firstPosition(c.Body)
	m.placeLines(c.Body, first)
	// The printer ends the line before the case with the clause's start
	// decoration: a directive for that line's end numbers the case's line.
	c.Decs.Start.Append(fmt.Sprintf("/*line :%d:1*/", max(m.pos.Line-1, 1)))
	if !first.IsValid() {
		return
	}
	// The colon ends up right before the first statement's column, or at
	// the end of the line before it when the statement starts its line.
	line, col := first.Line, first.Column-2
	if col < 1 {
		line, col = first.Line-1, m.lineLength(first.Line-1)-1
		if line < 1 || col < 1 {
			line, col = first.Line, 1
		}
	}
	d := fmt.Sprintf("/*line :%d:%d*/", line, col)
	if n := len(c.List); n > 0 {
		c.List[n-1].Decorations().End.Append(d)
	} else {
		c.Decs.Case.Append(d)
	}
}

// firstPosition returns the position of the first statement of list (or
// of a statement inside it) that has one.
func (m *machine) firstPosition(list []dst.Stmt) token.Position {
	for _, s := range list {
		if p := m.stmtPosition(s); p.IsValid() {
			return p
		}
		var found token.Position
		forEachList(s, func(inner []dst.Stmt) {
			if !found.IsValid() {
				found = m.firstPosition(inner)
			}
		})
		if found.IsValid() {
			return found
		}
	}
	return token.Position{}
}

// placeLines writes the directives of the statements of list and of the
// statement lists inside them; cur is the position of the code before
// list. It returns the position of the last statement written.
func (m *machine) placeLines(list []dst.Stmt, cur token.Position) token.Position {
	for i, s := range list {
		if e, ok := s.(*dst.EmptyStmt); ok && e.Implicit {
			// Nothing runs there, and nothing is printed (a label at
			// the end of a block labels one): a directive would be on
			// a line of its own.
			continue
		}
		p := m.stmtPosition(s)
		if !p.IsValid() {
			p = cur
		}
		if !p.IsValid() {
			p = m.firstPosition([]dst.Stmt{s})
		}
		if p.IsValid() {
			if i > 0 && list[i-1].Decorations().After == dst.EmptyLine {
				list[i-1].Decorations().After = dst.NewLine
			}
			if i > 0 {
				ownLineComments(list[i-1], s)
			}
			m.writeDirective(s, p)
			cur = p
		}
		forEachList(s, func(inner []dst.Stmt) {
			cur = m.placeLines(inner, cur)
		})
		for _, lit := range funcLits(s) {
			cur = m.placeLines(lit.Body.List, cur)
			m.placeClosingBrace(lit)
		}
	}
	return cur
}

// ownLineComments moves the comments at the end of prev that are on
// lines of their own (its End decorations from a line break on) to the
// start of s, the statement after it: there writeDirective counts them.
// Left to prev, a // comment among them would put s's directive, a /* */
// comment after it, on a line of its own, and s on the next line.
func ownLineComments(prev, s dst.Stmt) {
	end := &prev.Decorations().End
	k := slices.Index(*end, "\n")
	// What follows a // comment is on a line of its own too: ["// c40",
	// "// c41"] is two lines.
	for i, c := range *end {
		if strings.HasPrefix(c, "//") && i+1 < len(*end) && (k < 0 || i+1 < k) {
			k = i + 1
			break
		}
	}
	if k < 0 {
		return
	}
	moved := (*end)[k:]
	for len(moved) > 0 && moved[0] == "\n" {
		moved = moved[1:]
	}
	*end = (*end)[:k]
	start := &s.Decorations().Start
	*start = append(slices.Clone(moved), *start...)
}

// placeClosingBrace numbers the line of the closing brace of the function
// literal lit, when the source has code before it on its line: there the
// directives of the body's statements, each on a line of its own, number
// the brace's line after the last of them, and what follows the brace
// (the arguments of a go statement's call, the rest of an expression)
// would get a later line than its own. A directive at the end of the last
// statement's line, for the line before the brace's, numbers it (as
// placeCaseLines numbers a case's line).
func (m *machine) placeClosingBrace(lit *dst.FuncLit) {
	a, ok := m.astOf(lit).(*ast.FuncLit)
	if !ok || len(lit.Body.List) == 0 || len(a.Body.List) == 0 {
		return
	}
	brace := m.fset.Position(a.Body.Rbrace)
	if m.fset.Position(a.Body.List[len(a.Body.List)-1].End()).Line != brace.Line || brace.Line < 2 {
		return // the brace starts its line, after the body's statements, as in the output
	}
	last := lit.Body.List[len(lit.Body.List)-1].Decorations()
	last.End.Prepend(fmt.Sprintf("/*line :%d:1*/", brace.Line-1))
}

// funcLits returns the function literals of statement s that are not
// inside a statement list of s (forEachList reaches those).
func funcLits(s dst.Stmt) []*dst.FuncLit {
	var out []*dst.FuncLit
	dst.Inspect(s, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			out = append(out, n)
			return false
		case *dst.BlockStmt, *dst.CaseClause, *dst.CommClause:
			return false
		}
		return true
	})
	return out
}

// writeDirective puts the directive for p before statement s.
func (m *machine) writeDirective(s dst.Stmt, p token.Position) {
	d := s.Decorations()
	d.Before = dst.NewLine // a blank line would put the directive on a line of its own
	if len(d.Start) == 0 {
		m.noteDirective(s, p, fmt.Sprintf("/*line :%d:%d*/", p.Line, max(p.Column-1, 1)))
		d.Start.Append(m.directed[s].text)
		return
	}
	// Comments first: the directive goes on their first line, with the
	// line it must have for the statement to land on p.Line.
	if d.Start[0] == "\n" {
		return // the statement keeps the position its line gets
	}
	line := p.Line - startLines(append(dst.Decorations{"/*line*/"}, d.Start...))
	if line < 1 {
		return
	}
	m.noteDirective(s, p, fmt.Sprintf("/*line :%d:1*/", line))
	d.Start.Prepend(m.directed[s].text)
}

// directive is a directive writeDirective wrote, and the position it
// gives its statement.
type directive struct {
	pos  token.Position
	text string
}

func (m *machine) noteDirective(s dst.Stmt, p token.Position, text string) {
	if m.directed == nil {
		m.directed = map[dst.Stmt]directive{}
	}
	m.directed[s] = directive{p, text}
}

// startLines returns how many lines a statement's start decorations ds
// end before the statement's first token, ds starting a line: as
// text.go writes them (and the printer, which it follows), a // comment
// ends its line, and /* */ comments that end ds after a // comment on a
// line of its own (only /* */ comments before it on its line) are
// written on a line of their own, the token on the next
// (commentsStartLine).
func startLines(ds dst.Decorations) int {
	lines := 0
	for _, c := range ds {
		switch {
		case c == "\n", strings.HasPrefix(c, "//"):
			lines++
		default:
			lines += strings.Count(c, "\n")
		}
	}
	block := func(i int) bool { return strings.HasPrefix(ds[i], "/*") }
	n := len(ds)
	for n > 0 && block(n-1) {
		n--
	}
	if n < len(ds) && n > 0 && strings.HasPrefix(ds[n-1], "//") {
		lines++ // ds starts a line: whatever is before the // comment on its line is /* */ comments
	}
	return lines
}

// forEachList calls fn for each statement list directly inside s, outside
// function literals, in order.
func forEachList(s dst.Stmt, fn func([]dst.Stmt)) {
	switch s := s.(type) {
	case *dst.BlockStmt:
		fn(s.List)
	case *dst.LabeledStmt:
		fn([]dst.Stmt{s.Stmt})
	case *dst.IfStmt:
		fn(s.Body.List)
		if s.Else != nil {
			fn([]dst.Stmt{s.Else})
		}
	case *dst.ForStmt:
		fn(s.Body.List)
	case *dst.RangeStmt:
		fn(s.Body.List)
	case *dst.SwitchStmt:
		for _, c := range s.Body.List {
			fn(c.(*dst.CaseClause).Body)
		}
	case *dst.TypeSwitchStmt:
		for _, c := range s.Body.List {
			fn(c.(*dst.CaseClause).Body)
		}
	case *dst.SelectStmt:
		for _, c := range s.Body.List {
			fn(c.(*dst.CommClause).Body)
		}
	}
}

// lineLength returns the length in bytes of line n of the source, or 0,
// from the line table of the loader's parse (the clean parse's is of
// the compact text, whose lines may be shorter).
func (m *machine) lineLength(n int) int {
	tf := m.file.loadFile
	if tf == nil || n < 1 || n > tf.LineCount() {
		return 0
	}
	start := tf.Offset(tf.LineStart(n))
	end := tf.Size()
	if n < tf.LineCount() {
		end = tf.Offset(tf.LineStart(n+1)) - 1 // before the newline
	}
	return end - start
}
