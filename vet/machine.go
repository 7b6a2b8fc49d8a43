package vet

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// machine is the Poll method of a coroutine's state machine, in a file
// corofy generated: the coroutine's body, cut into the cases of one
// switch over the state.
//
//	func (c *fooCoroutine) Poll(w runtime.Waker) (T, bool) {
//		state := c.state
//		c.state = runtime.StatePoisoned
//		for { // when a state jumps to another
//			switch state {
//			case 0:
//				...
//			}
//		}
//	}
//
// Only machines assign runtime.StatePoisoned, which is how they are told
// from the hand-written futures a .gocoro file may declare.
type machine struct {
	file    *genFile
	decl    *ast.FuncDecl
	recv    string          // Poll's receiver, c
	state   types.Object    // Poll's variable state, the switch's tag
	sw      *ast.SwitchStmt // the switch over the states
	cases   map[int]*ast.CaseClause
	anchors []ast.Stmt // the statements of the states that have a /*line*/ directive, in order
	isCase  map[*ast.CaseClause]bool
}

// machine returns fd as a machine, or nil if it is not a Poll method of
// one.
func (a *pass) machine(g *genFile, fd *ast.FuncDecl) *machine {
	if fd.Recv == nil || len(fd.Recv.List) != 1 || fd.Name.Name != "Poll" || fd.Body == nil {
		return nil
	}
	poisoned := false
	var sw *ast.SwitchStmt
	for _, st := range fd.Body.List {
		if l, ok := st.(*ast.LabeledStmt); ok {
			st = l.Stmt
		}
		switch st := st.(type) {
		case *ast.AssignStmt:
			if len(st.Rhs) == 1 {
				if sel, ok := unparen(st.Rhs[0]).(*ast.SelectorExpr); ok && isRuntime(a.TypesInfo.Uses[sel.Sel], "StatePoisoned") {
					poisoned = true
				}
			}
		case *ast.SwitchStmt:
			sw = st
		case *ast.ForStmt:
			if st.Cond == nil && len(st.Body.List) == 1 {
				sw, _ = st.Body.List[0].(*ast.SwitchStmt)
			}
		}
	}
	if !poisoned || sw == nil {
		return nil
	}
	tag, ok := sw.Tag.(*ast.Ident)
	if !ok || a.TypesInfo.Uses[tag] == nil {
		return nil
	}
	m := &machine{
		file:   g,
		decl:   fd,
		state:  a.TypesInfo.Uses[tag],
		sw:     sw,
		cases:  make(map[int]*ast.CaseClause),
		isCase: make(map[*ast.CaseClause]bool),
	}
	if names := fd.Recv.List[0].Names; len(names) == 1 {
		m.recv = names[0].Name
	}
	for _, st := range sw.Body.List {
		cc := st.(*ast.CaseClause)
		m.isCase[cc] = true
		if len(cc.List) == 1 {
			if k, ok := stateNumber(cc.List[0]); ok {
				m.cases[k] = cc
			}
		}
		ast.Inspect(cc, func(n ast.Node) bool {
			if st, ok := n.(ast.Stmt); ok && g.hasDirective(st) {
				m.anchors = append(m.anchors, st)
			}
			return true
		})
	}
	return m
}

// stateNumber returns the state an integer literal names.
func stateNumber(e ast.Expr) (int, bool) {
	lit, ok := unparen(e).(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, false
	}
	k, err := strconv.Atoi(lit.Value)
	return k, err == nil
}

// next returns the case after cc, the target of its fallthrough.
func (m *machine) next(cc *ast.CaseClause) *ast.CaseClause {
	for i, st := range m.sw.Body.List {
		if st == cc && i+1 < len(m.sw.Body.List) {
			return m.sw.Body.List[i+1].(*ast.CaseClause)
		}
	}
	return nil
}

// sourcePos returns the position to report n at, n being cur's node or
// inside it, in the body of m: a position of the generated file whose
// //line-adjusted position is where n's text starts in the .gocoro file.
//
// Every statement of a state carries a /*line*/ directive that gives the
// position of the source it stands for. An expression inside it is
// printed at another column than in the source (c.x for x, a wait's
// future stored in a field), so the column is found by looking for
// needle, n's text as the source writes it, on the statement's source
// line, from the statement's column on. The position reported is then
// one of the generated file that the directives map there: on n's line,
// or on another line of the state with a directive for the same source
// line, when n's line is too short. If there is none, or the needle is
// not on the line, the position is the statement's. A statement corofy
// adds without a position of its own (a range loop's head) takes that of
// the last statement before it that has one.
func (m *machine) sourcePos(a *pass, cur inspector.Cursor, n ast.Node, needle string) token.Pos {
	g := m.file
	p := n.Pos()
	var anchor ast.Stmt
	for c := range cur.Enclosing() {
		if cc, ok := c.Node().(*ast.CaseClause); ok && m.isCase[cc] {
			break
		}
		if st, ok := c.Node().(ast.Stmt); ok && g.hasDirective(st) {
			anchor = st
			break
		}
	}
	if anchor == nil {
		i := sort.Search(len(m.anchors), func(i int) bool { return m.anchors[i].Pos() >= p })
		if i == 0 {
			return p
		}
		return m.anchors[i-1].Pos()
	}
	posn := a.Fset.Position(p)
	ap := a.Fset.Position(anchor.Pos())
	if ap.Line != posn.Line || ap.Filename != posn.Filename {
		return p // a later line of a statement that spans several
	}
	if needle == "" || posn.Line > len(g.lines) {
		return anchor.Pos()
	}
	line := g.lines[posn.Line-1]
	start := ap.Column - 1
	if start < 0 || start > len(line) {
		return anchor.Pos()
	}
	i := strings.Index(line[start:], needle)
	if i < 0 {
		return anchor.Pos()
	}
	want := token.Position{Filename: posn.Filename, Line: posn.Line, Column: start + i + 1}
	if pos := m.at(a, p, want); pos.IsValid() {
		return pos
	}
	for _, st := range m.anchors {
		if pos := m.at(a, st.Pos(), want); pos.IsValid() {
			return pos
		}
	}
	return anchor.Pos()
}

// at returns the position on the line of the generated file that holds
// p whose adjusted position is want, or NoPos.
func (m *machine) at(a *pass, p token.Pos, want token.Position) token.Pos {
	posn := a.Fset.Position(p)
	if posn.Filename != want.Filename || posn.Line != want.Line {
		return token.NoPos
	}
	cand := p + token.Pos(want.Column-posn.Column)
	if int(cand) < m.file.tok.Base() || int(cand) > m.file.tok.Base()+m.file.tok.Size() {
		return token.NoPos
	}
	if q := a.Fset.Position(cand); q.Filename != want.Filename || q.Line != want.Line || q.Column != want.Column {
		return token.NoPos
	}
	return cand
}

// strip removes the receiver of Poll from the text of an expression of
// the body: a variable stored in the machine is c.x in Poll and x in the
// source.
func (m *machine) strip(s string) string {
	if m == nil || m.recv == "" || m.recv == "_" {
		return s
	}
	pre := m.recv + "."
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], pre) && (i == 0 || !isIdentByte(s[i-1]) && s[i-1] != '.') {
			i += len(pre)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// needleOf returns the start of n's text as the source of the coroutine
// writes it: a call's function, a receive's arrow and operand.
func needleOf(m *machine, n ast.Node) string {
	switch n := n.(type) {
	case *ast.CallExpr:
		return needleOf(m, n.Fun)
	case *ast.UnaryExpr:
		if n.Op == token.ARROW {
			return "<-" + needleOf(m, n.X)
		}
		return m.strip(types.ExprString(n))
	case *ast.FuncLit:
		return "func"
	case ast.Expr:
		return m.strip(types.ExprString(n))
	}
	return ""
}

// boundFunc returns the function that fun, a variable of m's Poll, is
// bound to once, as corofy binds the function of a deferred call
// (fn := f) to call it when the coroutine ends; or nil.
func (m *machine) boundFunc(a *pass, fun ast.Expr) ast.Expr {
	id, ok := unparen(fun).(*ast.Ident)
	if m == nil || !ok {
		return nil
	}
	bound := m.definedBy(a, a.TypesInfo.Uses[id])
	if _, isFunc := a.TypesInfo.Uses[funcIdent(bound)].(*types.Func); !isFunc {
		return nil
	}
	return bound
}

// definedBy returns the expression that the definition of the local
// variable v in Poll assigns it (v := x, or a, v := x, y), or for the
// first result of a call (v, ready := c.fut1.Poll(w)) the call; nil if v
// is not defined so.
func (m *machine) definedBy(a *pass, v types.Object) ast.Expr {
	if v == nil || v.Pos() < m.decl.Pos() || v.Pos() >= m.decl.End() {
		return nil
	}
	var rhs ast.Expr
	ast.Inspect(m.decl.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if rhs != nil || !ok || as.Tok != token.DEFINE {
			return rhs == nil
		}
		for i, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && a.TypesInfo.Defs[id] == v {
				switch {
				case len(as.Lhs) == len(as.Rhs):
					rhs = as.Rhs[i]
				case len(as.Rhs) == 1 && i == 0:
					rhs = as.Rhs[0]
				}
			}
		}
		return rhs == nil
	})
	return rhs
}

// funcIdent returns the identifier that names a function in e (f, pkg.f,
// x.m), or nil.
func funcIdent(e ast.Expr) *ast.Ident {
	switch e := unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	case *ast.IndexExpr:
		return funcIdent(e.X)
	case *ast.IndexListExpr:
		return funcIdent(e.X)
	}
	return nil
}
