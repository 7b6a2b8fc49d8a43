package transform

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
)

// splitStmt cuts statement s at its waits.
func (m *machine) splitStmt(s dst.Stmt) {
	pos := m.position(s)
	switch s := s.(type) {
	case *dst.ExprStmt:
		if w := unparen(s.X); m.isWait(w) { // f.wait as a statement, or (f.wait): the output is dropped
			m.await(w.(*dst.SelectorExpr), nil, s)
			return
		}
	case *dst.AssignStmt:
		if v := m.simpleTarget(s); v != nil {
			m.await(s.Rhs[0].(*dst.SelectorExpr), v, s)
			return
		}
	case *dst.DeclStmt:
		if v, w := m.simpleVarDecl(s); v != nil {
			m.await(w, v, s)
			return
		}
	}
	m.spill(s)
	m.unpack(s)
	m.add(s, pos)
}

// unpack turns "a, b := outK" (the output of a wait for several values, a
// runtime.TupleN) into "a, b := outK.R0, outK.R1".
func (m *machine) unpack(s dst.Stmt) {
	fields := func(x dst.Expr, n int) []dst.Expr {
		v := m.synth[x.(*dst.Ident)].(*types.Var)
		var out []dst.Expr
		for i := 0; i < n; i++ {
			out = append(out, &dst.SelectorExpr{X: m.ident(v), Sel: dst.NewIdent(fmt.Sprintf("R%d", i))})
		}
		return out
	}
	isTuple := func(x dst.Expr) bool {
		id, ok := x.(*dst.Ident)
		if !ok {
			return false
		}
		v, ok := m.synth[id].(*types.Var)
		return ok && m.vars[v] != nil && m.vars[v].tuple
	}
	switch s := s.(type) {
	case *dst.AssignStmt:
		if len(s.Lhs) > 1 && len(s.Rhs) == 1 && isTuple(s.Rhs[0]) {
			s.Rhs = fields(s.Rhs[0], len(s.Lhs))
		}
	case *dst.DeclStmt:
		for _, spec := range s.Decl.(*dst.GenDecl).Specs {
			if vs, ok := spec.(*dst.ValueSpec); ok && len(vs.Names) > 1 && len(vs.Values) == 1 && isTuple(vs.Values[0]) {
				vs.Values = fields(vs.Values[0], len(vs.Names))
			}
		}
	}
}

// simpleTarget returns v for "v := f.wait" with a new variable v whose type
// is the wait's, and nil for any other statement.
func (m *machine) simpleTarget(s *dst.AssignStmt) *types.Var {
	if s.Tok != token.DEFINE || len(s.Lhs) != 1 || len(s.Rhs) != 1 || !m.isWait(s.Rhs[0]) {
		return nil
	}
	id, ok := s.Lhs[0].(*dst.Ident)
	if !ok || !m.isDef(id) {
		return nil
	}
	v, _ := m.objectOf(id).(*types.Var)
	if isBlank(v) {
		return nil
	}
	return v
}

// simpleVarDecl returns v and the wait for "var v = f.wait" and
// "var v T = f.wait" where T is the wait's type.
func (m *machine) simpleVarDecl(s *dst.DeclStmt) (*types.Var, *dst.SelectorExpr) {
	g, ok := s.Decl.(*dst.GenDecl)
	if !ok || len(g.Specs) != 1 {
		return nil, nil
	}
	vs, ok := g.Specs[0].(*dst.ValueSpec)
	if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || !m.isWait(vs.Values[0]) {
		return nil, nil
	}
	v, _ := m.objectOf(vs.Names[0]).(*types.Var)
	w := vs.Values[0].(*dst.SelectorExpr)
	if isBlank(v) || !types.Identical(v.Type(), m.waitType(w)) {
		return nil, nil
	}
	return v, w
}

// await ends the current state at wait w: the future is stored, and a new
// state polls it, its output going to target (nil: dropped). from is the
// statement w came from, whose comments move to the first new statement.
func (m *machine) await(w *dst.SelectorExpr, target *types.Var, from dst.Stmt) {
	w.X = m.spillExpr(w.X) // waits and calls inside the future expression come first
	k := len(m.waits) + 1
	wp := &waitPoint{
		k:      k,
		field:  m.fields.numbered("fut", k),
		future: m.typeOf(w.X),
		output: m.waitType(w),
		target: target,
		text:   m.sourceText(w),
		pos:    m.position(w.Sel),
	}
	m.waits = append(m.waits, wp)
	if target != nil {
		if info := m.vars[target]; info != nil {
			info.def = k
		}
	}
	store := &dst.AssignStmt{
		Lhs: []dst.Expr{m.field(wp.field)},
		Tok: token.ASSIGN,
		Rhs: []dst.Expr{w.X},
	}
	if from != nil {
		moveComments(from, store)
		// The comment at the end of the wait's line too: the store is
		// the first statement of that line.
		store.Decs.End = append(store.Decs.End, from.Decorations().End...)
		from.Decorations().End = nil
	}
	m.add(store, m.position(w.X))
	st := &state{index: -1, wait: wp}
	m.begin(st)
	wp.state = st
	if target != nil {
		if info := m.vars[target]; info != nil {
			info.def = st.index
		}
	}
}

// field returns c.name.
func (m *machine) field(name string) dst.Expr {
	return &dst.SelectorExpr{X: dst.NewIdent(m.recv), Sel: dst.NewIdent(name)}
}

// waitValues returns how many values a wait stands for: 1, or N for a
// runtime.TupleN unpacked by "a, b := f.wait".
func (m *machine) waitValues(w *dst.SelectorExpr) int {
	a, ok := m.astOf(w).(*ast.SelectorExpr)
	if !ok {
		return 1
	}
	start, end := m.offsets(a)
	if n := m.ix.waitN[[2]int{start, end}]; n > 1 {
		return n
	}
	return 1
}

// containsWait reports whether n has a .wait outside function literals.
func (m *machine) containsWait(n dst.Node) bool {
	found := false
	dst.Inspect(n, func(n dst.Node) bool {
		if found {
			return false
		}
		if _, lit := n.(*dst.FuncLit); lit {
			return false
		}
		if e, ok := n.(dst.Expr); ok && m.isWait(e) {
			found = true
		}
		return !found
	})
	return found
}

// sourceText returns the source of n on one line, shortened for comments.
func (m *machine) sourceText(n dst.Node) string {
	a := m.astOf(n)
	if a == nil {
		return ""
	}
	start, end := m.offsets(a)
	text := strings.Join(strings.Fields(string(m.file.src[m.file.compact.source(start):m.file.compact.source(end)])), " ")
	if r := []rune(text); len(r) > 60 { // cut between characters, never inside one
		text = string(r[:57]) + "..."
	}
	return text
}

// moveComments moves the comments before from to to.
func moveComments(from, to dst.Node) {
	fd, td := from.Decorations(), to.Decorations()
	td.Before = fd.Before
	td.Start = fd.Start
	fd.Start = nil
}

// firstWait returns the first .wait selector of n (its "wait" word).
func (m *machine) firstWait(n dst.Node) dst.Node {
	var found dst.Node = n
	done := false
	dst.Inspect(n, func(c dst.Node) bool {
		if done {
			return false
		}
		if _, lit := c.(*dst.FuncLit); lit {
			return false
		}
		if sel, ok := c.(*dst.SelectorExpr); ok && m.isWait(sel) {
			found, done = sel.Sel, true
		}
		return !done
	})
	return found
}

// unparen returns e without its parentheses.
func unparen(e dst.Expr) dst.Expr {
	for {
		p, ok := e.(*dst.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}
