package transform

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// This file is the lower pass (see "The passes" in doc.go): it writes each
// state's case of Poll in its final Go, from the states flow.go cut, the
// exits of the cfg pass and the decisions of the storage pass.
//
// Invariant, after lower: m.cases holds one case clause per state, in
// state order, then the default that panics on a bad state; every
// statement in them is Go that Poll runs as it is. A variable of the
// coroutine is named as the storage pass decided (c.x, *c.x, *xRef in a
// closure, or its name in Poll, checked by checkBindings), a wait is its
// poll and its not-ready return, a jump is "state = N; continue" (or the
// fallthrough into the next case), a return completes the machine (the
// results set, the deferred calls run, the state done), a defer pushes its
// call. m.loops and m.labeled say whether Poll's dispatch must loop, and
// under a label. Emit (emit.go) assembles the machine's declarations
// around these cases and reads nothing else of the body.

// lower writes the cases of Poll (see the invariant above).
func (m *machine) lower() {
	// The variables each state names, in order: one pass over the
	// variables, not one per state.
	m.stateVars = make([][]*types.Var, len(m.states))
	for _, v := range m.varsInOrder {
		for i := range m.vars[v].states {
			if i >= 0 && i < len(m.states) {
				m.stateVars[i] = append(m.stateVars[i], v)
			}
		}
	}
	for _, vs := range m.stateVars {
		slices.SortFunc(vs, func(a, b *types.Var) int { return m.varIndex[a] - m.varIndex[b] })
	}
	var cases []dst.Stmt
	for _, st := range m.states {
		cases = append(cases, m.lowerState(st))
	}
	bad := &dst.ExprStmt{X: &dst.CallExpr{
		Fun: dst.NewIdent("panic"),
		Args: []dst.Expr{&dst.CallExpr{
			Fun:  m.rt(rtPollError),
			Args: []dst.Expr{m.str(m.name), m.str(m.posString(m.pos)), dst.NewIdent(m.state)},
		}},
	}}
	bad.Decs.Before = dst.NewLine
	m.setPos(bad, m.pos)
	cases = append(cases, &dst.CaseClause{Body: []dst.Stmt{bad}})
	if m.file.cfg.LineDirectives {
		for _, c := range cases {
			m.placeCaseLines(c.(*dst.CaseClause))
		}
	}
	m.checkBindings(&dst.BlockStmt{List: cases})
	m.cases = cases
}

// lowerState writes the case of Poll's switch for one state.
func (m *machine) lowerState(st *state) *dst.CaseClause {
	var body []dst.Stmt
	if wp := st.wait; wp != nil {
		body = append(body, m.resume(wp)...)
	}
	for _, v := range m.stateVars[st.index] { // variables this state uses but does not declare
		info := m.vars[v]
		// A wait's target whose value is dead is not declared by the
		// resume (it polls into _): the state declares it if it names it.
		discarded := st.wait != nil && st.wait.target == v && m.deadOutput(st.wait) && m.refersTo(st.stmts, v)
		if !info.hoisted && info.states[st.index] && (info.def != st.index || discarded) {
			t, err := typeExpr(v.Type(), m.file.tc)
			if err != nil {
				m.errorf(m.pos, "cannot declare %s again: %v", v.Name(), err)
				continue
			}
			body = append(body, &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
				&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(info.name)}, Type: t},
			}}})
			body = append(body, m.markUsed(info, st)...)
		}
	}
	m.refBound = map[*varInfo]bool{} // the bindings of bindCellRefs are per case
	stmts := st.stmts
	var last dst.Stmt
	if n := len(stmts); n > 0 && m.isJump(stmts[n-1]) && m.jumps[stmts[n-1].(*dst.BranchStmt)].index == st.index+1 {
		last, stmts = &dst.BranchStmt{Tok: token.FALLTHROUGH}, stmts[:n-1]
	}
	for i, s := range stmts {
		declared := m.declaredBy(s)
		out := m.rewriteStmt(s)
		for _, o := range out {
			m.setPos(o, st.pos[i])
		}
		body = append(body, out...)
		for _, info := range declared {
			body = append(body, m.markUsed(info, st)...)
		}
	}
	if last != nil {
		body = append(body, last)
	} else if st.term == termOpen {
		body = append(body, m.finish(nil)...)
	}
	body = append(m.embedAliases(body), body...)
	for _, s := range body { // each statement on its own line
		if d := s.Decorations(); d.Before == dst.None {
			d.Before = dst.NewLine
		}
	}
	c := &dst.CaseClause{List: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(st.index)}}, Body: body}
	switch {
	case st.wait != nil:
		c.Decs.Colon.Append("// " + st.wait.text)
	case st.comment != "":
		c.Decs.Colon.Append("// " + st.comment)
	}
	return c
}

// declaredBy returns the variables statement s declares at its top level.
func (m *machine) declaredBy(s dst.Stmt) []*varInfo {
	var ids []*dst.Ident
	switch s := s.(type) {
	case *dst.AssignStmt:
		if s.Tok == token.DEFINE {
			for _, l := range s.Lhs {
				if id, ok := l.(*dst.Ident); ok {
					ids = append(ids, id)
				}
			}
		}
	case *dst.DeclStmt:
		if g, ok := s.Decl.(*dst.GenDecl); ok {
			for _, spec := range g.Specs {
				if vs, ok := spec.(*dst.ValueSpec); ok {
					ids = append(ids, vs.Names...)
				}
			}
		}
	}
	var out []*varInfo
	for _, id := range ids {
		if info := m.varOf(id); info != nil && m.isDef(id) {
			out = append(out, info)
		}
	}
	return out
}

// markUsed returns "_ = x" when a case declares x, a local of the case,
// without reading it: the value it assigns is read in another state, after
// being assigned again there, and Go would report x as not used. An
// assignment, even inside a loop or a closure of the case, is no read
// (readIn; testdata/e2e/assignedonly.txtar).
func (m *machine) markUsed(info *varInfo, st *state) []dst.Stmt {
	if info.hoisted || info.readIn[st.index] {
		return nil
	}
	s := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_")}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent(info.name)}}
	s.Decs.End.Append("// read in another state")
	return []dst.Stmt{s}
}

// deadOutput reports whether the value of wait wp is dead: its target is
// a local of the wait's state that the state assigns again before any
// read. The resume then polls into _.
func (m *machine) deadOutput(wp *waitPoint) bool {
	if wp.target == nil {
		return false
	}
	info := m.vars[wp.target]
	return !info.hoisted && !info.usedIn[wp.state.index]
}

// resume polls the future of a wait: on not ready the machine records
// where it is and returns; when ready it drops the future and the output
// goes to its target.
func (m *machine) resume(wp *waitPoint) []dst.Stmt {
	out := "_"
	var info *varInfo
	if wp.target != nil {
		info = m.vars[wp.target]
		out = info.name
		if m.deadOutput(wp) {
			out, info = "_", nil
		}
	}
	poll := &dst.AssignStmt{
		Lhs: []dst.Expr{dst.NewIdent(out), dst.NewIdent(m.ready)},
		Tok: token.DEFINE,
		Rhs: []dst.Expr{&dst.CallExpr{
			Fun:  &dst.SelectorExpr{X: m.field(wp.field), Sel: dst.NewIdent("Poll")},
			Args: []dst.Expr{dst.NewIdent(m.waker)},
		}},
	}
	m.setPos(poll, wp.pos)
	notReady := &dst.IfStmt{
		Cond: &dst.UnaryExpr{Op: token.NOT, X: dst.NewIdent(m.ready)},
		Body: &dst.BlockStmt{List: []dst.Stmt{
			&dst.AssignStmt{Lhs: []dst.Expr{m.field(m.stateField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(wp.state.index)}}},
			&dst.ReturnStmt{Results: []dst.Expr{m.zeroResult(), dst.NewIdent("false")}},
		}},
	}
	stmts := []dst.Stmt{poll, notReady}
	if hasPointers(wp.future) { // let the GC have the completed future
		zero, err := zeroExpr(wp.future, m.file.tc)
		if err != nil {
			zero = dst.NewIdent("nil") // a field of interface type (see typeDecl)
		}
		drop := &dst.AssignStmt{Lhs: []dst.Expr{m.field(wp.field)}, Tok: token.ASSIGN, Rhs: []dst.Expr{zero}}
		drop.Decs.End.Append("// drop the completed future")
		stmts = append(stmts, drop)
	}
	if info != nil && info.hoisted {
		if info.cell {
			stmts = append(stmts, m.newCell(info))
		}
		stmts = append(stmts, &dst.AssignStmt{Lhs: []dst.Expr{m.stored(info)}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent(out)}})
	}
	return stmts
}

// finish returns the statements that complete the machine with results
// (nil: the zero result of a coroutine without results, or the named
// results). With deferred calls, the results are set first, then the
// calls run (and may change named results), as in Go.
func (m *machine) finish(results []dst.Expr) []dst.Stmt {
	if m.hasDefer {
		return append(m.setResults(results), m.complete()...)
	}
	if m.results > 1 && results != nil {
		results = []dst.Expr{m.tuple(results)}
	}
	if results == nil {
		results = []dst.Expr{m.finalResult(m.namedResult())}
	}
	done := &dst.AssignStmt{Lhs: []dst.Expr{m.field(m.stateField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{m.rt(rtStateDone)}}
	return []dst.Stmt{done, &dst.ReturnStmt{Results: append(results, dst.NewIdent("true"))}}
}

// setResults returns the statements that set the results of a return
// before the deferred calls run: results (nil for none, or for the named
// results as they are) assigned to the named results, or to the machine's
// result store.
func (m *machine) setResults(results []dst.Expr) []dst.Stmt {
	named := m.namedResult()
	if m.results > 1 && results != nil {
		results = []dst.Expr{m.tuple(results)}
	}
	var out []dst.Stmt
	if results != nil && m.result != nil && !m.isVar(results, named) {
		var to []dst.Expr
		switch {
		case m.results > 1 && named != nil: // the named results, from the tuple
			for _, v := range m.namedResults() {
				to = append(to, m.ident(v))
			}
			results = m.untuple(results[0])
		case named != nil:
			to = []dst.Expr{m.ident(named)}
		default:
			to = []dst.Expr{m.field(m.resultStore)}
		}
		out = append(out, &dst.AssignStmt{Lhs: to, Tok: token.ASSIGN, Rhs: results})
	}
	return out
}

// complete returns the statements that end a machine that defers calls,
// once setResults has run: the deferred calls run, then Poll returns the
// results (which the calls may have changed).
func (m *machine) complete() []dst.Stmt {
	done := &dst.AssignStmt{Lhs: []dst.Expr{m.field(m.stateField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{m.rt(rtStateDone)}}
	run := &dst.ExprStmt{X: &dst.CallExpr{Fun: m.rt(rtRunDeferred), Args: []dst.Expr{&dst.UnaryExpr{Op: token.AND, X: m.field(m.defersField)}}}}
	list := []dst.Stmt{run, done, &dst.ReturnStmt{Results: []dst.Expr{m.finalResult(m.namedResult()), dst.NewIdent("true")}}}
	if m.pullsField != "" { // the iterators of the ranges it is in return first
		stop := &dst.ExprStmt{X: &dst.CallExpr{Fun: m.rt(rtStopPulls), Args: []dst.Expr{&dst.UnaryExpr{Op: token.AND, X: m.field(m.pullsField)}}}}
		list = append([]dst.Stmt{stop}, list...)
	}
	return list
}

// isVar reports whether results is just the variable v ("return n" for
// the named result n).
func (m *machine) isVar(results []dst.Expr, v *types.Var) bool {
	if v == nil || len(results) != 1 {
		return false
	}
	id, ok := results[0].(*dst.Ident)
	return ok && m.objectOf(id) == v
}

// tuple returns the runtime.TupleN of results: the single expression when it
// already is one (a wait's output, or a call returning a tuple), else
// runtime.TupleNOf(results...), which also takes a call's several results.
func (m *machine) tuple(results []dst.Expr) dst.Expr {
	if len(results) == 1 {
		if t := m.typeOf(results[0]); t != nil && types.Identical(t, m.result) {
			return results[0]
		}
		if id, ok := results[0].(*dst.Ident); ok {
			if v, ok := m.objectOf(id).(*types.Var); ok && types.Identical(v.Type(), m.result) {
				return results[0]
			}
		}
	}
	// Explicit type arguments: an untyped nil among the results leaves
	// nothing to infer from.
	fun := m.rt(fmt.Sprintf("Tuple%dOf", m.results))
	if named, ok := m.result.(*types.Named); ok {
		var args []dst.Expr
		for i := 0; i < named.TypeArgs().Len(); i++ {
			t, err := typeExpr(named.TypeArgs().At(i), m.file.tc)
			if err != nil {
				args = nil
				break
			}
			args = append(args, t)
		}
		if len(args) > 0 {
			fun = &dst.IndexListExpr{X: fun, Indices: args}
		}
	}
	return &dst.CallExpr{Fun: fun, Args: results}
}

// untuple returns the fields of a tuple expression x: x.R0, x.R1, ...
func (m *machine) untuple(x dst.Expr) []dst.Expr {
	if call, ok := x.(*dst.CallExpr); ok {
		if id, ok := call.Fun.(*dst.Ident); ok && id.Path == runtimePath && len(call.Args) == m.results {
			return call.Args // Tuple2Of(a, b): a, b
		}
	}
	var out []dst.Expr
	for i := 0; i < m.results; i++ {
		y := m.clone(x).(dst.Expr)
		out = append(out, &dst.SelectorExpr{X: y, Sel: dst.NewIdent(fmt.Sprintf("R%d", i))})
	}
	return out
}

// deferCall rewrites "defer f(args)": f and the arguments are evaluated
// now, and the call is pushed on the machine's deferred calls (see
// runtime.Deferred). A function that takes nothing is pushed itself; a
// call with arguments is pushed as a link that defers the call itself:
//
//	{
//		fn, arg1 := f, x
//		c.defers = append(c.defers, func(next func()) { defer fn(arg1); next() })
//	}
//
// recover stops a panic only in the function a defer calls itself, so the
// user's function must be the deferred one, never called by a closure.
func (m *machine) deferCall(d *dst.DeferStmt) dst.Stmt {
	call := d.Call
	push := func(f dst.Expr) dst.Stmt {
		return &dst.AssignStmt{Lhs: []dst.Expr{m.field(m.defersField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{
			&dst.CallExpr{Fun: dst.NewIdent("append"), Args: []dst.Expr{m.field(m.defersField), f}},
		}}
	}
	if lit, ok := call.Fun.(*dst.FuncLit); ok && len(call.Args) == 0 {
		s := push(lit) // defer func() { ... }(): the literal itself
		moveComments(d, s)
		return s
	}
	if lit, ok := call.Fun.(*dst.FuncLit); ok && (lit.Type.Results == nil || len(lit.Type.Results.List) == 0) {
		// defer func(p *T) { ... }(&x): the arguments are bound now by
		// a call that returns the body as a func():
		// func(p *T) func() { return func() { ... } }(&x).
		bind := &dst.FuncLit{
			Type: &dst.FuncType{Func: true, Params: lit.Type.Params, Results: &dst.FieldList{List: []*dst.Field{{Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}}}}}},
			Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{
				&dst.FuncLit{Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}}, Body: lit.Body},
			}}}},
		}
		s := push(&dst.CallExpr{Fun: bind, Args: call.Args, Ellipsis: call.Ellipsis})
		moveComments(d, s)
		return s
	}
	fun := call.Fun
	builtin := false
	if id, ok := fun.(*dst.Ident); ok {
		_, builtin = m.objectOf(id).(*types.Builtin)
	}
	if sig, ok := underlyingOf(m.typeOf(fun)).(*types.Signature); ok && !builtin && len(call.Args) == 0 && sig.Params().Len() == 0 && sig.Results().Len() == 0 {
		// defer cleanup(), defer mu.Unlock(): the function value itself,
		// evaluated now, as a func() (runtime.Deferred tells the calls by
		// their dynamic type: one of a named type, context.CancelFunc,
		// is converted).
		if !types.Identical(m.typeOf(fun), types.NewSignatureType(nil, nil, nil, nil, nil, false)) {
			fun = &dst.CallExpr{Fun: &dst.ParenExpr{X: &dst.FuncType{Func: true, Params: &dst.FieldList{}}}, Args: []dst.Expr{fun}}
		}
		s := push(fun)
		moveComments(d, s)
		return s
	}
	// The link's names are free among the coroutine's: a constant
	// argument, kept as written, may not mean one of them.
	var lhs, rhs []dst.Expr
	if !builtin {
		name := m.locals.unreserved("fn")
		lhs, rhs = append(lhs, dst.NewIdent(name)), append(rhs, fun)
		fun = dst.NewIdent(name)
	}
	var args []dst.Expr
	for i, a := range call.Args {
		if tv, ok := m.typeAndValue(a); ok && (tv.Value != nil || tv.IsType()) {
			args = append(args, a) // constants and types need no evaluating
			continue
		}
		name := m.locals.unreserved(fmt.Sprintf("arg%d", i+1))
		lhs, rhs = append(lhs, dst.NewIdent(name)), append(rhs, a)
		args = append(args, dst.NewIdent(name))
	}
	next := m.locals.unreserved("next")
	link := &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{List: []*dst.Field{{
			Names: []*dst.Ident{dst.NewIdent(next)},
			Type:  &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		}}}},
		Body: &dst.BlockStmt{List: []dst.Stmt{
			&dst.DeferStmt{Call: &dst.CallExpr{Fun: fun, Args: args, Ellipsis: call.Ellipsis}},
			&dst.ExprStmt{X: &dst.CallExpr{Fun: dst.NewIdent(next)}},
		}},
	}
	var list []dst.Stmt
	if len(lhs) > 0 {
		list = append(list, &dst.AssignStmt{Lhs: lhs, Tok: token.DEFINE, Rhs: rhs})
	}
	list = append(list, push(link))
	moveComments(d, list[0])
	if len(list) == 1 {
		return list[0]
	}
	return &dst.BlockStmt{List: list}
}

// rewriteStmt rewrites one statement of the body for its place in Poll:
// returns complete the machine, jumps become state changes, declarations
// of stored variables become assignments to their fields, and every stored
// variable is named through the machine.
func (m *machine) rewriteStmt(s dst.Stmt) []dst.Stmt {
	out := m.rewriteFlow([]dst.Stmt{s}, false)
	var binds []dst.Stmt
	for i, s := range out {
		var refs []*varInfo // cells that closures of s refer to
		depth := 0
		out[i] = dstutil.Apply(s, func(c *dstutil.Cursor) bool {
			if _, lit := c.Node().(*dst.FuncLit); lit {
				depth++
				return true
			}
			id, ok := c.Node().(*dst.Ident)
			if !ok {
				return true
			}
			info := m.varOf(id)
			if info == nil {
				return true
			}
			switch {
			case info.cell && depth > 0 && exprSlot(c):
				// A closure keeps the variable of its own iteration: the
				// pointer as it is now, not the field, which the next
				// iteration replaces.
				x := &dst.StarExpr{X: dst.NewIdent(m.cellRef(info))}
				x.Decs.NodeDecs = id.Decs.NodeDecs
				c.Replace(x)
				refs = append(refs, info)
			case info.hoisted:
				if !exprSlot(c) {
					// A declaration left in place after an error was
					// reported (the variable could not be declared apart).
					return true
				}
				// With the name's layout: a line break before it (an
				// element of a list on a line of its own), its comments.
				x := m.stored(info)
				*x.Decorations() = id.Decs.NodeDecs
				c.Replace(x)
			case info.name != id.Name:
				id.Name = info.name
			}
			return true
		}, func(c *dstutil.Cursor) bool {
			if _, lit := c.Node().(*dst.FuncLit); lit {
				depth--
			}
			return true
		}).(dst.Stmt)
		if len(refs) > 0 {
			binds = append(binds, m.bindCellRefs(refs)...)
		}
		binds = append(binds, out[i])
	}
	if len(binds) > len(out) && len(out) > 0 {
		moveComments(out[0], binds[0])
	}
	return binds
}

// cellRef returns the name of the local that holds a cell's pointer for
// the closures of a state.
func (m *machine) cellRef(info *varInfo) string {
	if m.cellRefs[info] == "" {
		m.cellRefs[info] = m.locals.fresh(info.name + "Ref")
	}
	return m.cellRefs[info]
}

// bindCellRefs returns "xRef := c.x" (or = after the first in a state)
// for the cells refs, to come before the statement whose closures use them.
func (m *machine) bindCellRefs(refs []*varInfo) []dst.Stmt {
	var list []dst.Stmt
	seen := map[*varInfo]bool{}
	for _, info := range refs {
		if seen[info] {
			continue
		}
		seen[info] = true
		tok := token.DEFINE
		if m.refBound[info] {
			tok = token.ASSIGN
		}
		m.refBound[info] = true
		bind := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(m.cellRef(info))}, Tok: tok, Rhs: []dst.Expr{m.field(info.field)}}
		bind.Decs.End.Append("// this iteration's " + info.v.Name() + ", for the closures below")
		list = append(list, bind)
	}
	return list
}

// stored returns the expression that names a stored variable: c.x, or
// *c.x for a cell.
func (m *machine) stored(info *varInfo) dst.Expr {
	if info.cell {
		return &dst.StarExpr{X: m.field(info.field)}
	}
	return m.field(info.field)
}

// newCell returns "c.x = new(T)", the declaration of a cell.
func (m *machine) newCell(info *varInfo) dst.Stmt {
	t, err := typeExpr(info.v.Type(), m.file.tc)
	if err != nil {
		m.cannotKeep(info.v, err)
		t = dst.NewIdent("any")
	}
	return &dst.AssignStmt{Lhs: []dst.Expr{m.field(info.field)}, Tok: token.ASSIGN, Rhs: []dst.Expr{&dst.CallExpr{Fun: dst.NewIdent("new"), Args: []dst.Expr{t}}}}
}

// rewriteFlow turns, in list and the statement lists below it (not those
// of closures), every return of the coroutine into
// "c.state = runtime.StateDone; return results, true", every jump marker
// into "state = N; continue", and every per-iteration copy marker into the
// copies. inLoop tells that list is inside a loop of the user's, where
// continue needs Poll's label.
func (m *machine) rewriteFlow(list []dst.Stmt, inLoop bool) []dst.Stmt {
	var out []dst.Stmt
	for _, s := range list {
		switch s := s.(type) {
		case *dst.ReturnStmt:
			var results []dst.Expr
			if len(s.Results) > 0 {
				results = s.Results
			}
			if m.iterExit != "" {
				out = append(out, m.returnFromIterator(s, results)...)
				continue
			}
			done := m.finish(results)
			ret := done[len(done)-1].(*dst.ReturnStmt)
			moveComments(s, done[0])
			ret.Decs.End = s.Decs.End
			ret.Decs.Before = dst.NewLine
			for _, d := range done {
				m.setPos(d, m.stmtPosition(s))
			}
			out = append(out, done...)
			continue
		case *dst.BranchStmt:
			if target := m.jumps[s]; target != nil {
				for _, j := range m.jumpTo(target, inLoop) {
					m.setPos(j, m.stmtPosition(s))
					out = append(out, j)
				}
				continue
			}
		case *dst.DeferStmt:
			out = append(out, m.deferCall(s))
			continue
		case *dst.ExprStmt:
			if vars, ok := m.iterationCopies[s]; ok {
				for _, v := range vars {
					if info := m.vars[v]; info.cell {
						out = append(out, &dst.AssignStmt{Lhs: []dst.Expr{m.field(info.field)}, Tok: token.ASSIGN,
							Rhs: []dst.Expr{&dst.CallExpr{Fun: m.rt(rtCopyVar), Args: []dst.Expr{m.field(info.field)}}}})
					}
				}
				continue
			}
		case *dst.BlockStmt:
			s.List = m.rewriteFlow(s.List, inLoop)
		case *dst.IfStmt:
			s.Body.List = m.rewriteFlow(s.Body.List, inLoop)
			if s.Else != nil {
				s.Else = m.rewriteFlow([]dst.Stmt{s.Else}, inLoop)[0]
			}
		case *dst.ForStmt:
			s.Body.List = m.rewriteFlow(s.Body.List, true)
		case *dst.RangeStmt:
			if m.defersAfterIterator(s) {
				out = append(out, m.rangeFuncReturns(s, nil)...)
				continue
			}
			s.Body.List = m.rewriteFlow(s.Body.List, true)
		case *dst.SwitchStmt:
			s.Body.List = m.rewriteFlow(s.Body.List, inLoop)
		case *dst.TypeSwitchStmt:
			s.Body.List = m.rewriteFlow(s.Body.List, inLoop)
		case *dst.SelectStmt:
			s.Body.List = m.rewriteFlow(s.Body.List, inLoop)
		case *dst.CommClause:
			if a, ok := s.Comm.(*dst.AssignStmt); ok && a.Tok == token.DEFINE && m.declaresStored(a.Lhs) {
				a.Tok = token.ASSIGN // received into stored temporaries
			}
			s.Body = m.rewriteFlow(s.Body, inLoop)
			out = append(out, s)
			continue
		case *dst.CaseClause:
			s.Body = m.rewriteFlow(s.Body, inLoop)
		case *dst.LabeledStmt:
			if r, ok := s.Stmt.(*dst.RangeStmt); ok && m.defersAfterIterator(r) {
				out = append(out, m.rangeFuncReturns(r, s)...)
				continue
			}
			inner := m.rewriteFlow([]dst.Stmt{s.Stmt}, inLoop)
			if len(inner) == 1 {
				s.Stmt = inner[0]
			} else {
				s.Stmt = &dst.BlockStmt{List: inner}
			}
		}
		out = append(out, s)
	}
	return m.rewriteDecls(out)
}

// defersAfterIterator reports whether r is a range over a function, not
// inside another being rewritten, whose body returns from a coroutine that
// defers calls (see iterCheck).
func (m *machine) defersAfterIterator(r *dst.RangeStmt) bool {
	return m.iterExit == "" && m.iterCheck(r) != nil
}

// iterCheck returns the if statement that completes the machine after r,
// a range over a function whose body returns from a coroutine that defers
// calls; nil for any other range. Go runs the deferred calls after the
// iterator has returned (its code after the yield that said stop, and its
// own deferred calls, first); completing the machine at the return would
// run them inside the iterator's call. The statement is made once, empty:
// the cfg pass gives it the exit of the returns in r's body, and
// rangeFuncReturns writes it.
func (m *machine) iterCheck(r *dst.RangeStmt) *dst.IfStmt {
	if check, ok := m.iterChecks[r]; ok {
		return check
	}
	var check *dst.IfStmt
	if m.hasDefer && holds(r.Body, func(n dst.Node) bool { _, ok := n.(*dst.ReturnStmt); return ok }) {
		t := m.typeOf(r.X)
		if t == nil {
			m.errorf(m.position(r), "cannot range over %s: unknown type", m.sourceText(r.X))
		} else if _, ok := coreType(t).(*types.Signature); ok {
			check = &dst.IfStmt{}
		}
	}
	if m.iterChecks == nil {
		m.iterChecks = map[*dst.RangeStmt]*dst.IfStmt{}
	}
	m.iterChecks[r] = check
	return check
}

// rangeFuncReturns rewrites r, a range over a function whose body
// returns (see defersAfterIterator), under its label l or a new one. A
// return in the body sets the results, notes that the machine returns,
// and breaks out of the loop, as Go's own rewrite of such a body does
// ("#next = -1; return false"); after the loop, when the iterator has
// returned, the deferred calls run and the machine completes:
//
//	iterate:
//		for x := range seq {
//			if x > limit {
//				c.r, c.err = x, nil
//				c.returned = true
//				break iterate
//			}
//		}
//		if c.returned {
//			runtime.RunDeferred(&c.defers)
//			...
//		}
func (m *machine) rangeFuncReturns(r *dst.RangeStmt, l *dst.LabeledStmt) []dst.Stmt {
	if l == nil {
		l = &dst.LabeledStmt{Label: dst.NewIdent(m.locals.fresh("iterate")), Stmt: r}
		moveComments(r, l)
		m.setPos(l, m.stmtPosition(r))
	}
	if m.returnedField == "" {
		m.returnedField = m.fields.fresh("returned")
	}
	m.iterExit = l.Label.Name
	r.Body.List = m.rewriteFlow(r.Body.List, true)
	m.iterExit = ""
	check := m.iterCheck(r)
	check.Cond, check.Body = m.field(m.returnedField), &dst.BlockStmt{List: m.complete()}
	pos := m.stmtPosition(r)
	m.setPos(check, pos)
	for _, d := range check.Body.List {
		m.setPos(d, pos)
	}
	return []dst.Stmt{l, check}
}

// returnFromIterator rewrites a return in the body of a range over a
// function (see rangeFuncReturns).
func (m *machine) returnFromIterator(s *dst.ReturnStmt, results []dst.Expr) []dst.Stmt {
	list := append(m.setResults(results),
		&dst.AssignStmt{Lhs: []dst.Expr{m.field(m.returnedField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent("true")}},
		&dst.BranchStmt{Tok: token.BREAK, Label: dst.NewIdent(m.iterExit)})
	moveComments(s, list[0])
	brk := list[len(list)-1].(*dst.BranchStmt)
	brk.Decs.End = s.Decs.End
	for _, d := range list {
		m.setPos(d, m.stmtPosition(s))
	}
	return list
}

// jumpTo returns "state = N; continue", with Poll's label when the jump
// sits in a loop of the user's.
func (m *machine) jumpTo(target *state, inLoop bool) []dst.Stmt {
	set := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(m.state)}, Tok: token.ASSIGN, Rhs: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(target.index)}}}
	set.Decs.Before = dst.NewLine
	if target.comment != "" {
		set.Decs.End.Append("// " + target.comment)
	}
	m.loops = true
	cont := &dst.BranchStmt{Tok: token.CONTINUE}
	if inLoop {
		m.labeled = true
		cont.Label = dst.NewIdent(m.resumeLabel)
	}
	return []dst.Stmt{set, cont}
}

// rewriteDecls turns the declarations of stored variables in list into
// assignments, declaring the other variables of the same statement apart.
func (m *machine) rewriteDecls(list []dst.Stmt) []dst.Stmt {
	var out []dst.Stmt
	for _, s := range list {
		switch s := s.(type) {
		case *dst.AssignStmt:
			if s.Tok == token.DEFINE && m.declaresStored(s.Lhs) {
				pre := append(m.declareApart(s.Lhs), m.newCells(s.Lhs)...)
				if len(pre) > 0 {
					moveComments(s, pre[0])
				}
				s.Tok = token.ASSIGN
				out = append(out, pre...)
			}
		case *dst.DeclStmt:
			if g, ok := s.Decl.(*dst.GenDecl); ok && g.Tok == token.VAR {
				if repl := m.varDecl(g); repl != nil {
					if len(repl) > 0 {
						moveComments(s, repl[0])
					}
					out = append(out, repl...)
					continue
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// newCells returns the declarations of the cells among the variables lhs
// declares.
func (m *machine) newCells(lhs []dst.Expr) []dst.Stmt {
	var out []dst.Stmt
	for _, l := range lhs {
		if id, ok := l.(*dst.Ident); ok && m.isDef(id) {
			if info := m.varOf(id); info != nil && info.cell {
				out = append(out, m.newCell(info))
			}
		}
	}
	return out
}

// declaresStored reports whether a := declares or assigns a stored
// variable: it cannot stay a := once that one is a field ("c.v, s := ..."
// is not Go).
func (m *machine) declaresStored(lhs []dst.Expr) bool {
	for _, l := range lhs {
		if id, ok := l.(*dst.Ident); ok {
			if info := m.varOf(id); info != nil && info.hoisted {
				return true
			}
		}
	}
	return false
}

// declareApart returns var declarations for the new, unstored variables
// among lhs of a := that becomes an =.
func (m *machine) declareApart(lhs []dst.Expr) []dst.Stmt {
	var out []dst.Stmt
	for _, l := range lhs {
		id, ok := l.(*dst.Ident)
		if !ok || !m.isDef(id) {
			continue
		}
		info := m.varOf(id)
		if info == nil || info.hoisted {
			continue
		}
		t, err := typeExpr(info.v.Type(), m.file.tc)
		if err != nil {
			m.errorf(m.position(id), "cannot declare %s: %v", id.Name, err)
			continue
		}
		out = append(out, &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
			&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(info.name)}, Type: t},
		}}})
	}
	return out
}

// specStmts returns the statements of varDecl for one spec of its
// declaration.
func (m *machine) specStmts(vs *dst.ValueSpec) []dst.Stmt {
	var lhs []dst.Expr
	for _, id := range vs.Names {
		lhs = append(lhs, id)
	}
	out := m.declareApart(lhs)
	out = append(out, m.newCells(lhs)...)
	if len(vs.Values) > 0 {
		return append(out, &dst.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: vs.Values})
	}
	for _, id := range vs.Names {
		if info := m.varOf(id); info != nil && info.hoisted {
			zero, err := zeroExpr(info.v.Type(), m.file.tc)
			if err != nil {
				m.errorf(m.position(id), "cannot write the zero value of %s: %v", id.Name, err)
				continue
			}
			out = append(out, &dst.AssignStmt{Lhs: []dst.Expr{id}, Tok: token.ASSIGN, Rhs: []dst.Expr{zero}})
		}
	}
	return out
}

// varDecl rewrites "var a, b T = x, y" when it declares a stored variable:
// the others are declared apart, then all are assigned (stored ones
// without a value get their zero value). It returns nil to keep g.
func (m *machine) varDecl(g *dst.GenDecl) []dst.Stmt {
	stored := false
	for _, spec := range g.Specs {
		for _, id := range spec.(*dst.ValueSpec).Names {
			if info := m.varOf(id); info != nil && info.hoisted {
				stored = true
			}
		}
	}
	if !stored {
		return nil
	}
	var out []dst.Stmt
	for _, spec := range g.Specs {
		vs := spec.(*dst.ValueSpec)
		stmts := m.specStmts(vs)
		if g.Lparen {
			// In a group, they run at the spec's line, not at the var
			// keyword's (var (\n a = f()\n b = g()\n)).
			for _, s := range stmts {
				m.setPos(s, m.position(vs))
			}
		}
		out = append(out, stmts...)
	}
	return out
}
