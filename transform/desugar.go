package transform

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// This file is the desugaring pass (see "Desugaring" in doc.go). It runs
// on the coroutine's body before the body is cut into states, and leaves
// a body in which:
//
//   - no constant expression evaluates anything: Go does not evaluate a
//     constant expression, so in unsafe.Sizeof(f.wait) f is never polled,
//     and in unsafe.Sizeof(g()) g is never called; the expression is
//     written as its value. Nor does the operand of unsafe.Sizeof, Alignof
//     or Offsetof of a size that is not constant (a type parameter's):
//     *new(T) stands for it;
//   - a blank named result beside named ones has a name of its own
//     (result2): "return 3, s" assigns it, and the machine returns it;
//   - a var declaration that waits declares the variables of one spec
//     (the specs of a block are sequential: a later one may read an
//     earlier one, so each spec is its own statement);
//   - no const or type declaration is left outside function literals
//     (lift.go moves them to package level);
//   - in a coroutine with named results that defers calls, every return
//     outside function literals is a bare return: "return e1, e2"
//     became "r1, r2 = e1, e2; return", which evaluates each operand
//     once, in order, assigns the results, and only then completes the
//     coroutine and runs its deferred calls, which see the results, as
//     Go does. (Without deferred calls nothing can see the results
//     between the assignment and the completion: such returns complete
//     the machine with their operands, and the results need no storage.)
//
// Identifiers are moved, never copied, so they keep their bindings; the
// new statements are mapped to the source of the statement they come
// from, for their positions.

// desugar rewrites the coroutine's body into the form above.
func (m *machine) desugar() {
	m.nameBlankResults()
	m.foldWaitingConstants()
	results := m.returnTargets()
	m.rewriteLists(m.decl.Body, func(s dst.Stmt) []dst.Stmt {
		switch s := s.(type) {
		case *dst.DeclStmt:
			return m.splitVarBlock(s)
		case *dst.ReturnStmt:
			return m.returnAsAssign(s, results)
		}
		return nil
	})
}

// rewriteLists calls fn for every statement of every statement list below
// n, outside function literals, inner lists first; a non-nil result
// replaces the statement. A labeled statement's label stays on the first
// statement that replaces it.
func (m *machine) rewriteLists(n dst.Node, fn func(dst.Stmt) []dst.Stmt) {
	rewrite := func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		changed := false
		for _, s := range list {
			inner, label := s, (*dst.LabeledStmt)(nil)
			for {
				l, ok := inner.(*dst.LabeledStmt)
				if !ok {
					break
				}
				label, inner = l, l.Stmt
			}
			repl := fn(inner)
			if repl == nil {
				out = append(out, s)
				continue
			}
			changed = true
			if label != nil {
				if len(repl) == 0 { // the label stays, on an empty statement
					repl = []dst.Stmt{&dst.EmptyStmt{Implicit: true}}
				}
				label.Stmt = repl[0]
				repl[0] = s
			}
			out = append(out, repl...)
		}
		if !changed {
			return list
		}
		return out
	}
	var todo []func() // in the order the lists are found: outer first
	dst.Inspect(n, func(c dst.Node) bool {
		switch c := c.(type) {
		case *dst.FuncLit:
			return false
		case *dst.BlockStmt:
			todo = append(todo, func() { c.List = rewrite(c.List) })
		case *dst.CaseClause:
			todo = append(todo, func() { c.Body = rewrite(c.Body) })
		case *dst.CommClause:
			todo = append(todo, func() { c.Body = rewrite(c.Body) })
		}
		return true
	})
	for i := len(todo) - 1; i >= 0; i-- {
		todo[i]()
	}
}

// splitVarBlock returns one var declaration per spec of a var block that
// waits, or nil to keep s.
//
//	var (
//		a = x.wait
//		b = len(a) + y.wait
//	)
//
// becomes
//
//	var a = x.wait
//	var b = len(a) + y.wait
func (m *machine) splitVarBlock(s *dst.DeclStmt) []dst.Stmt {
	g, ok := s.Decl.(*dst.GenDecl)
	if !ok || g.Tok != token.VAR || len(g.Specs) < 2 || !m.containsWait(s) {
		return nil
	}
	var out []dst.Stmt
	for i, spec := range g.Specs {
		d := &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{spec}}}
		if a := m.astOf(spec); a != nil {
			m.dec.Ast.Nodes[d] = a
		}
		if i == 0 {
			moveComments(s, d)
		}
		// The spec's own comments come before its var: after the
		// keyword they would push the spec's code to later lines than
		// its line directive says. Those after it (the last spec's take
		// the comments before the block's ")") end its var, where the
		// next statement's directive finds those on lines of their own
		// (ownLineComments).
		sd := spec.Decorations()
		d.Decs.Start = append(d.Decs.Start, sd.Start...)
		d.Decs.End = append(d.Decs.End, sd.End...)
		sd.Start, sd.End = nil, nil
		sd.Before = dst.NewLine
		out = append(out, d)
	}
	return out
}

// returnTargets returns the named results of the coroutine when it
// defers calls; nil when it does not, when it has no named results, or
// when one of them is blank (a return must then give it its value: it
// keeps its operands).
func (m *machine) returnTargets() []*types.Var {
	fl := m.decl.Type.Results
	if fl == nil || !m.defers() {
		return nil
	}
	var out []*types.Var
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			return nil
		}
		for _, id := range f.Names {
			v, ok := m.objectOf(id).(*types.Var)
			if !ok || isBlank(v) {
				return nil
			}
			out = append(out, v)
		}
	}
	return out
}

// defers reports whether the body has a defer statement outside function
// literals.
func (m *machine) defers() bool {
	return holds(m.decl.Body, func(n dst.Node) bool { _, ok := n.(*dst.DeferStmt); return ok })
}

// holds reports whether n holds a node for which is is true, outside
// function literals (whose returns and defers are their own).
func holds(n dst.Node, is func(dst.Node) bool) bool {
	found := false
	dst.Inspect(n, func(n dst.Node) bool {
		if _, lit := n.(*dst.FuncLit); lit || found {
			return false
		}
		found = is(n)
		return !found
	})
	return found
}

// returnAsAssign rewrites "return e1, e2" into "r1, r2 = e1, e2" and a
// bare return, for the named results r1, r2; it returns nil to keep s.
// A return of the results themselves, in order, needs no assignment, and
// "return x, err" for the results (n, err) assigns only n.
func (m *machine) returnAsAssign(s *dst.ReturnStmt, results []*types.Var) []dst.Stmt {
	if len(results) == 0 || len(s.Results) == 0 {
		return nil
	}
	same := len(s.Results) == len(results)
	for i, e := range s.Results {
		if id, ok := e.(*dst.Ident); !ok || !same || m.objectOf(id) != results[i] {
			same = false
		}
	}
	bare := &dst.ReturnStmt{}
	if a := m.astOf(s); a != nil {
		m.dec.Ast.Nodes[bare] = a
	}
	if same {
		moveComments(s, bare)
		return []dst.Stmt{bare}
	}
	var lhs, rhs []dst.Expr
	for i, v := range results {
		if len(s.Results) == len(results) {
			// "r = r" is left out: no other operand assigns r, so it
			// keeps the value the return reads.
			if id, ok := s.Results[i].(*dst.Ident); ok && m.objectOf(id) == v {
				continue
			}
			rhs = append(rhs, s.Results[i])
		}
		lhs = append(lhs, m.ident(v))
	}
	if len(s.Results) != len(results) {
		rhs = s.Results // one call with several results
	}
	assign := &dst.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: rhs}
	if a := m.astOf(s); a != nil {
		m.dec.Ast.Nodes[assign] = a
	}
	moveComments(s, assign)
	bare.Decs.End = s.Decs.End
	return []dst.Stmt{assign, bare}
}

// foldWaitingConstants writes every constant expression of the body that
// would evaluate something, a wait, a call or a receive, as its value, and
// gives the operand of a non-constant unsafe.Sizeof, Alignof or Offsetof
// (of a type parameter's size) that would evaluate something a zero value
// of its type instead, *new(T): Go evaluates neither (see the invariant
// above).
func (m *machine) foldWaitingConstants() {
	dstutil.Apply(m.decl.Body, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.FuncLit:
			return false
		case dst.Expr:
			if !exprSlot(c) {
				return true
			}
			tv, ok := m.typeAndValue(n)
			if !ok {
				return true
			}
			if tv.Value == nil {
				m.unevaluatedOperand(n)
				return true
			}
			if !m.evaluates(n) {
				return false // a constant as written: nothing in it runs
			}
			x, err := m.constValue(tv.Value, tv.Type)
			if err != nil {
				m.errorf(m.position(n), "cannot write the value of %s: %v", m.sourceText(n), err)
				return false
			}
			m.standsFor(x, n)
			moveComments(n, x)
			c.Replace(x)
			return false
		}
		return true
	}, nil)
}

// unevaluatedOperand replaces the operand of call, if it is unsafe.Sizeof,
// Alignof or Offsetof, by a zero value of its type that evaluates nothing:
// *new(T) for x, (*new(T)).f for x.f.
func (m *machine) unevaluatedOperand(e dst.Expr) {
	call, ok := e.(*dst.CallExpr)
	if !ok || len(call.Args) != 1 {
		return
	}
	switch m.builtinName(call) {
	case "Sizeof", "Alignof":
		if m.evaluates(call.Args[0]) {
			call.Args[0] = m.zeroOf(call.Args[0])
		}
	case "Offsetof":
		if sel, ok := unparen(call.Args[0]).(*dst.SelectorExpr); ok && m.evaluates(sel.X) {
			sel.X = m.zeroOf(sel.X)
		}
	}
}

// zeroOf returns *new(T), T the type of x, standing for x.
func (m *machine) zeroOf(x dst.Expr) dst.Expr {
	t, err := typeExpr(m.typeOf(x), m.file.tc)
	if err != nil {
		return x
	}
	z := &dst.ParenExpr{X: &dst.StarExpr{X: &dst.CallExpr{Fun: dst.NewIdent("new"), Args: []dst.Expr{t}}}}
	m.standsFor(z, x)
	return z
}

// standsFor gives the new expression x the types of e, which it replaces.
func (m *machine) standsFor(x, e dst.Expr) {
	if a := m.astOf(e); a != nil {
		m.dec.Ast.Nodes[x] = a
	}
}

// evaluates reports whether evaluating e would do something besides
// reading: a wait, a call (not a conversion, not a constant such as
// len of an array), or a receive.
func (m *machine) evaluates(e dst.Expr) bool {
	does := false
	dst.Inspect(e, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false
		case *dst.UnaryExpr:
			does = does || n.Op == token.ARROW
		case *dst.SelectorExpr:
			does = does || m.isWait(n)
		case *dst.CallExpr:
			if tv, ok := m.typeAndValue(n.Fun); ok && tv.IsType() {
				break // a conversion
			}
			if tv, ok := m.typeAndValue(n); !ok || tv.Value == nil {
				does = true
			}
		}
		return !does
	})
	return does
}

// builtinName returns the name of the built-in function call calls (len,
// unsafe.Sizeof), or "".
func (m *machine) builtinName(call *dst.CallExpr) string {
	var id *dst.Ident
	switch f := unparen(call.Fun).(type) {
	case *dst.Ident:
		id = f
	case *dst.SelectorExpr:
		id = f.Sel
	}
	if id == nil {
		return ""
	}
	if b, ok := m.objectOf(id).(*types.Builtin); ok {
		return b.Name()
	}
	return ""
}

// nameBlankResults gives the blank results of a coroutine whose other
// results are named a fresh name each (see the invariant above): a return
// assigns every result, the blank ones too, and a deferred call may change
// the others before the machine returns them all.
func (m *machine) nameBlankResults() {
	fl := m.decl.Type.Results
	if fl == nil {
		return
	}
	var blanks []*dst.Ident
	named := false
	for _, f := range fl.List {
		for _, id := range f.Names {
			if id.Name == "_" {
				blanks = append(blanks, id)
			} else {
				named = true
			}
		}
	}
	if !named {
		return
	}
	for _, id := range blanks {
		v, ok := m.objectOf(id).(*types.Var)
		if !ok {
			continue
		}
		name := m.locals.fresh("result")
		for m.fields.taken[name] {
			name = m.locals.fresh("result")
		}
		m.fields.taken[name] = true
		nv := types.NewVar(v.Pos(), v.Pkg(), name, v.Type())
		id.Name = name
		m.synth[id] = nv
		m.synthDefs[id] = true
	}
}
