package transform

import (
	"fmt"
	"go/token"
	"go/types"
	"reflect"
	"slices"

	"github.com/dave/dst"
)

// This file is the order pass (see "Waits in expressions" and "The
// passes" in doc.go). It takes a statement, or the head expression of a
// compound statement (a condition, a tag, a range operand, a future)
// standing as the operand of a statement (spillExpr), and returns the
// steps that evaluate it in gc's order, leaving the node itself with no
// wait. It never looks at states: the control-flow compiler (flow.go)
// places the steps, and only ever sees waits in the ordered form. After
// order, for the statement n it was given:
//
//   - n has no wait outside function literals: each was replaced by the
//     variable that receives its output (outK), each && or || whose
//     right operand waits by the variable that holds its value (condK);
//   - the steps are, in the order gc evaluates them:
//     "tmpK := e", a value gc evaluates before a later wait (a call, a
//     receive, or one of the other expressions of the table below);
//     "outK := x.wait", a wait whose future x has no wait and evaluates
//     nothing gc orders before it that is not part of x;
//     "condK := x && y", a short-circuit whose left operand x has no wait
//     and whose right operand y does: the compiler makes it a branch, and
//     orders "condK = y" where it runs.
//
// What gc evaluates in order with the calls of a statement, measured with
// gc 1.26 (cmd/compile/internal/walk/order.go) and pinned by
// testdata/e2e/order.txtar, boxing.txtar, byaddress.txtar, andor.txtar:
//
//	ordered (before a later wait)         after every call and wait
//	calls, method calls, receives         variable and field loads
//	len cap min max make append           arithmetic, comparisons
//	complex real imag                     indexing slices, arrays, maps
//	&& and || (whole)                     pointer indirection
//	slicing                               indexing strings (s[i])
//	                                      conversions (but the two left)
//	type assertions                       slice, struct, &T{...} literals
//	string to []byte or []rune            new, string concatenation
//	map literals, entry by entry          constants (nothing to evaluate)
//	values boxed into an interface        addressable values boxed, and
//	  by address (boxedInOrder)             types boxed by value
//	map keys and comparison operands
//	  gc passes by address (passedByAddress)
//
// The rules are isCall, boxedInOrder, passedByAddress and mapEntry below.

// step is one statement of the ordered form.
type step struct {
	stmt dst.Stmt       // what runs: tmpK := e, outK := x.wait or condK := x && y
	pos  token.Position // the source it stands for
	// wait is the wait of outK := x.wait, and out its variable.
	wait *dst.SelectorExpr
	out  *types.Var
	// cond is the short-circuit of condK := x && y, and condVar its
	// variable.
	cond    *dst.BinaryExpr
	condVar *types.Var
}

// spill orders the statement s (see order) and compiles the steps into
// the current state, which then ends at each wait.
func (m *machine) spill(s dst.Stmt) {
	m.compileSteps(m.order(s))
}

// spillExpr spills the expression e and returns what stands for it. e is
// ordered as the operand of a statement, so that e itself, not only what
// it contains, is replaced where it waits: the future of x.wait.wait is
// the output of x.wait. (order replaces the expressions it cuts in their
// parent; given e alone, a wait that is e would have none and stay.)
func (m *machine) spillExpr(e dst.Expr) dst.Expr {
	holder := &dst.ExprStmt{X: e}
	m.spill(holder)
	return holder.X
}

// compileSteps places the steps of the ordered form: a temporary's
// assignment in the current state, a wait as the end of the state and the
// start of one that polls it, a short-circuit as a branch.
func (m *machine) compileSteps(steps []step) {
	for _, s := range steps {
		switch {
		case s.wait != nil:
			m.await(s.wait, s.out, nil)
		case s.cond != nil:
			m.shortCircuit(s.condVar, s.cond)
		default:
			m.add(s.stmt, s.pos)
		}
	}
}

// order cuts every wait out of the statement s, in Go's order of
// evaluation: the calls and receives evaluated before a wait are
// evaluated into temporaries before it, the wait is a step of its own,
// and its output replaces it. What is not a call stays in place: Go
// evaluates operands that are not calls after the calls of the same
// statement, so keeping them there keeps gc's order.
func (m *machine) order(s dst.Stmt) []step {
	// An effect is an expression evaluated in order with the waits. Its
	// slot's index in the walk (children first) is idx, and the slots of
	// its subtree are those from first to idx: a node contains another
	// when the other's idx falls in its range. That makes the whole cut
	// linear in the size of s (see "Waits in expressions" in doc.go).
	type effect struct {
		e          dst.Expr
		set        func(dst.Expr)
		first, idx int
		target     types.Type // the type an untyped e takes where it stands (targetType)
		// keep: e must stay a value computed at run time, so it goes into
		// a temporary even after the last wait (see lenOfWait).
		keep bool
		// cond, in a generic coroutine, is the condition under which gc
		// evaluates e in order with the calls, decided by a type
		// argument (orderedIf); nil when gc always does. A wait after
		// such an effect makes it two reads of one temporary: "if cond"
		// where gc would read e early, "if !cond" where it would read it
		// late (see "late" below).
		cond dst.Expr
		// lates are the late reads of such effects inside e: they run
		// where e is evaluated, right before it.
		lates []dst.Stmt
	}
	var effects []*effect
	// The operands of a struct or array comparison are copied after both
	// are evaluated (order.go orders X, then Y, then takes their
	// addresses): their effects take the comparison's place in the order.
	pending := map[dst.Expr][]*effect{}
	m.walkSlots(s, func(sl slot) {
		e, path := sl.e, sl.path
		if sl.conditional {
			return // runs only if the left operand lets it: part of the && or ||
		}
		if tv, ok := m.typeAndValue(e); ok && tv.Value != nil {
			return // a constant, such as len("é"): nothing to evaluate
		}
		// The copies of a comparison's operands come before the
		// comparison itself when it is an effect too (boxed into an
		// interface, say): they are inside it, and evaluated with it.
		effects = append(effects, pending[e]...)
		delete(pending, e)
		ef := &effect{e: e, set: sl.set, first: sl.first, idx: sl.idx}
		if t, ok := m.typeOf(e).(*types.Basic); ok && t.Info()&types.IsUntyped != 0 {
			ef.target = m.targetType(e, path)
		}
		if m.isWait(e) || m.isCall(e) || m.shortCircuitWait(e) || m.mapEntry(e, path) || m.boxedInOrder(e, path) {
			ef.keep = m.lenOfWait(e)
			effects = append(effects, ef)
		} else if m.passedByAddress(e, path) {
			if b, ok := path[len(path)-1].(*dst.BinaryExpr); ok {
				pending[b] = append(pending[b], ef)
			} else {
				effects = append(effects, ef)
			}
		} else if cond, atParent := m.orderedIf(e, path); cond != nil {
			ef.cond = cond
			if atParent {
				b := path[len(path)-1].(*dst.BinaryExpr)
				pending[b] = append(pending[b], ef)
			} else {
				effects = append(effects, ef)
			}
		}
	})
	contains := func(outer, inner *effect) bool { return outer.first <= inner.idx && inner.idx < outer.idx }
	var steps []step
	// waits counts the waits compiled before the next one: those of the
	// machine so far and those of the steps (a short-circuit's right
	// operand is compiled before the steps after it), so that outK is
	// the output of futK.
	waits := len(m.waits)
	// The effects not yet evaluated, none inside another: those inside an
	// effect come right before it in the order, so they are on top of the
	// stack when it is pushed, and it stands for them.
	var stack []*effect
	// A late read is "if !cond { tmpK = e }" for an effect e of a
	// condition that was flushed before a wait: gc reads e late, when it
	// evaluates what e is part of (its anchor, the innermost effect that
	// contains it), or with the statement itself when nothing does. The
	// reads not yet given to their anchor are in unanchored.
	type lateRead struct {
		idx  int
		stmt dst.Stmt
		pos  token.Position
	}
	var unanchored []lateRead
	// adopt gives w the late reads of the effects it contains.
	adopt := func(w *effect) []dst.Stmt {
		var got []dst.Stmt
		rest := unanchored[:0]
		for _, l := range unanchored {
			if w.first <= l.idx && l.idx < w.idx {
				got = append(got, l.stmt)
			} else {
				rest = append(rest, l)
			}
		}
		unanchored = rest
		return got
	}
	flush := func(list []*effect) {
		for _, e := range list {
			pos := m.position(e.e)
			if call, ok := e.e.(*dst.CallExpr); ok && e.keep {
				// The operand first, which len(x) of an array variable
				// would not evaluate.
				if _, plain := unparen(call.Args[0]).(*dst.Ident); !plain {
					if t := m.typeOf(call.Args[0]); t != nil {
						m.temps++
						tmp := m.newVar(fmt.Sprintf("tmp%d", m.temps), t)
						steps = append(steps, step{stmt: m.define(tmp, call.Args[0]), pos: pos})
						call.Args[0] = m.ident(tmp)
					}
				}
			}
			t, x := m.standAlone(e.e, e.target)
			if t == nil {
				m.errorf(pos, "internal error: no type for the temporary of %s", m.sourceText(e.e))
				continue
			}
			m.temps++
			tmp := m.newVar(fmt.Sprintf("tmp%d", m.temps), t)
			e.set(m.ident(tmp))
			// The late reads of what this flush put in temporaries
			// inside e run with e.
			e.lates = append(e.lates, adopt(e)...)
			if e.cond == nil {
				for _, l := range e.lates {
					steps = append(steps, step{stmt: l, pos: pos})
				}
				steps = append(steps, step{stmt: m.define(tmp, x), pos: pos})
				continue
			}
			// Read early if gc does; the late read waits for the anchor.
			body := func(lates []dst.Stmt, x dst.Expr) *dst.BlockStmt {
				assign := &dst.AssignStmt{Lhs: []dst.Expr{m.ident(tmp)}, Tok: token.ASSIGN, Rhs: []dst.Expr{m.asType(x, t)}}
				return &dst.BlockStmt{List: append(lates, assign)}
			}
			var lates []dst.Stmt
			for _, l := range e.lates {
				lates = append(lates, m.clone(l).(dst.Stmt))
			}
			if info := m.vars[tmp]; info != nil && info.origin == nil {
				info.origin = x
			}
			notCond := &dst.UnaryExpr{Op: token.NOT, X: m.clone(e.cond).(dst.Expr)}
			late := &dst.IfStmt{Cond: notCond, Body: body(lates, m.clone(x).(dst.Expr))}
			steps = append(steps,
				step{stmt: m.declare(tmp), pos: pos},
				step{stmt: &dst.IfStmt{Cond: e.cond, Body: body(e.lates, x)}, pos: pos})
			unanchored = append(unanchored, lateRead{idx: e.idx, stmt: late, pos: pos})
		}
	}
	for _, w := range effects {
		// The effects w contains are on top of the stack.
		in := len(stack)
		for in > 0 && contains(w, stack[in-1]) {
			in--
		}
		w.lates = adopt(w)
		absorb := w.cond == nil && len(w.lates) == 0
		for _, x := range stack[in:] {
			if len(x.lates) > 0 {
				absorb = false
			}
		}
		switch {
		case absorb:
			stack = stack[:in] // evaluated with w
		case w.cond != nil:
			// What w contains is evaluated in order before it, as
			// always; an effect of a condition inside it is evaluated
			// early when it or w is (it is part of w's value).
			for _, x := range stack[in:] {
				if x.cond != nil {
					x.cond = &dst.BinaryExpr{X: x.cond, Op: token.LOR, Y: m.clone(w.cond).(dst.Expr)}
				}
			}
		}
		// Else late reads run where w is evaluated: gc evaluates the calls
		// inside w first, so they are not evaluated with w but before it.
		if !m.isWait(w.e) && !m.shortCircuitWait(w.e) {
			stack = append(stack, w)
			continue
		}
		// Everything evaluated before the wait goes into temporaries, in
		// order; what is inside it is its future expression, and the late
		// reads in it run right before it.
		flush(stack)
		stack = stack[:0]
		for _, l := range append(w.lates, adopt(w)...) {
			steps = append(steps, step{stmt: l, pos: m.position(w.e)})
		}
		if b, ok := w.e.(*dst.BinaryExpr); ok {
			t := m.typeOf(b)
			if t == nil {
				t = types.Typ[types.Bool]
			}
			m.temps++
			tmp := m.newVar(fmt.Sprintf("cond%d", m.temps), t)
			steps = append(steps, step{stmt: m.define(tmp, b), pos: m.position(b), cond: b, condVar: tmp})
			waits += m.countWaits(b.Y)
			w.set(m.ident(tmp))
			continue
		}
		wait := w.e.(*dst.SelectorExpr)
		waits++
		out := m.newVar(fmt.Sprintf("out%d", waits), m.waitType(wait))
		m.vars[out].tuple = m.waitValues(wait) > 1
		steps = append(steps, step{stmt: m.define(out, wait), pos: m.position(wait.Sel), wait: wait, out: out})
		w.set(m.ident(out))
	}
	// After the last wait: an effect that must stay a run-time value goes
	// into a temporary, and those evaluated before it too. With late reads
	// left, every effect but the statement's own call goes (gc evaluates
	// them before it reads what is not a call), then the late reads.
	last := -1
	for i, e := range stack {
		top := e.e == topCall(s)
		switch {
		case e.keep, !top && (len(e.lates) > 0 || len(unanchored) > 0):
			last = i
		case len(e.lates) > 0: // the statement's call: what comes before it
			last = i - 1
		}
	}
	flush(stack[:last+1])
	for _, e := range stack[last+1:] {
		for _, l := range e.lates { // the statement's call: they run before it
			steps = append(steps, step{stmt: l, pos: m.position(e.e)})
		}
	}
	for _, l := range unanchored {
		steps = append(steps, step{stmt: l.stmt, pos: l.pos})
	}
	return steps
}

// topCall returns the call gc makes as the statement s itself, which it
// does not copy into a temporary (the statement's other calls it does):
// the call of an expression statement, and that of an assignment of its
// results to variables; nil when there is none.
func topCall(s dst.Stmt) dst.Expr {
	var e dst.Expr
	switch s := s.(type) {
	case *dst.ExprStmt:
		e = s.X
	case *dst.AssignStmt:
		if len(s.Rhs) != 1 || s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
			return nil
		}
		if len(s.Lhs) == 1 {
			if _, name := s.Lhs[0].(*dst.Ident); !name {
				return nil
			}
		}
		e = s.Rhs[0]
	}
	if call, ok := unparen(e).(*dst.CallExpr); ok {
		return call
	}
	return nil
}

// lenOfWait reports whether e is len or cap of an array, or a pointer to
// one, that waits: Go evaluates the operand, as it holds a call, and its
// length is not a constant ("len(*f.wait)" dereferences what f gives,
// "1 << len(f.wait)" is a shift at run time). With the wait's output in
// its place the expression would be a constant, evaluating nothing, so it
// is computed into a temporary.
func (m *machine) lenOfWait(e dst.Expr) bool {
	call, ok := e.(*dst.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	if name := m.builtinName(call); name != "len" && name != "cap" {
		return false
	}
	t := m.typeOf(call.Args[0])
	if t == nil {
		return false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	_, array := t.Underlying().(*types.Array)
	return array && m.containsWait(call.Args[0])
}

// declare returns "var v T".
func (m *machine) declare(v *types.Var) dst.Stmt {
	t, err := typeExpr(v.Type(), m.file.tc)
	if err != nil {
		m.errorf(m.pos, "internal error: cannot write the type of %s: %v", v.Name(), err)
	}
	return &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
		&dst.ValueSpec{Names: []*dst.Ident{m.defIdent(v)}, Type: t},
	}}}
}

// define returns "v := e", with e converted to v's type where e alone
// would have another (see asType).
func (m *machine) define(v *types.Var, e dst.Expr) dst.Stmt {
	if info := m.vars[v]; info != nil && info.temp && info.origin == nil {
		info.origin = e
	}
	return &dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(v)}, Tok: token.DEFINE, Rhs: []dst.Expr{m.asType(e, v.Type())}}
}

// standAlone returns the type of the temporary that takes e out of where it
// stands, and e written so that it means the same there: an expression
// moved out of a composite literal or an assignment loses what its place
// told the type checker. So a composite literal whose type was elided
// ({1, 2} for a pt, or for a *pt) gets it written (pt{1, 2}, &pt{1, 2}),
// and an untyped expression (nil, a comparison in an untyped place) takes
// the type of its place, target, or else its default type. The type is
// nil when there is none (an untyped nil with no place).
func (m *machine) standAlone(e dst.Expr, target types.Type) (types.Type, dst.Expr) {
	t := m.typeOf(e)
	if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		switch {
		case target != nil:
			t = target
		case b.Kind() == types.UntypedNil:
			return nil, e
		default:
			t = types.Default(t)
		}
	}
	lit, ok := e.(*dst.CompositeLit)
	if !ok || lit.Type != nil || t == nil {
		return t, e
	}
	elem, pointer := t, false
	if p, ok := t.(*types.Pointer); ok { // an element of a []*T written {...}
		elem, pointer = p.Elem(), true
	}
	x, err := typeExpr(elem, m.file.tc)
	if err != nil {
		m.errorf(m.position(e), "cannot write the type of %s where corofy moves it: %v", m.sourceText(e), err)
		return t, e
	}
	lit.Type = x
	if pointer {
		return t, &dst.UnaryExpr{Op: token.AND, X: lit}
	}
	return t, lit
}

// asType returns e converted to t where e, standing alone, would have
// another type than t: nil, and the expressions the type checker types
// by their place (a comparison, a shift of an untyped constant, and !,
// && and || of those), which have their default type alone.
func (m *machine) asType(e dst.Expr, t types.Type) dst.Expr {
	natural, contextual := m.naturalType(e)
	if !contextual || natural != nil && types.Identical(natural, t) {
		return e
	}
	x, err := typeExpr(t, m.file.tc)
	if err != nil {
		return e // the type checker of the output says what is wrong
	}
	switch x.(type) {
	case *dst.StarExpr, *dst.FuncType, *dst.ChanType:
		x = &dst.ParenExpr{X: x} // (*T)(nil), not *T(nil)
	}
	return &dst.CallExpr{Fun: x, Args: []dst.Expr{e}}
}

// naturalType returns the type e has standing alone, for the expressions
// whose type the type checker takes from their place (contextual): nil
// (none), a comparison (bool), the shift of a constant (not known here,
// nil: converting it to its place's type is always right), and !, &&, ||
// and parentheses of those.
func (m *machine) naturalType(e dst.Expr) (natural types.Type, contextual bool) {
	switch e := e.(type) {
	case *dst.Ident:
		if tv, ok := m.typeAndValue(e); ok && tv.IsNil() {
			return nil, true
		}
	case *dst.ParenExpr:
		return m.naturalType(e.X)
	case *dst.UnaryExpr:
		if e.Op == token.NOT {
			return m.naturalType(e.X)
		}
	case *dst.BinaryExpr:
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return types.Typ[types.Bool], true
		case token.LAND, token.LOR:
			if n, ok := m.naturalType(e.X); ok {
				return n, true
			}
			return m.naturalType(e.Y)
		case token.SHL, token.SHR:
			if tv, ok := m.typeAndValue(e.X); ok && tv.Value != nil {
				return nil, true // 1 << s: its type is its place's (converting to it keeps that)
			}
		}
	}
	return nil, false
}

// countWaits returns the number of waits of n outside function literals.
func (m *machine) countWaits(n dst.Node) int {
	count := 0
	dst.Inspect(n, func(n dst.Node) bool {
		if _, lit := n.(*dst.FuncLit); lit {
			return false
		}
		if e, ok := n.(dst.Expr); ok && m.isWait(e) {
			count++
		}
		return true
	})
	return count
}

// shortCircuitWait reports whether e is a && or || whose right operand
// waits: the wait must run only when the left operand does not decide.
func (m *machine) shortCircuitWait(e dst.Expr) bool {
	b, ok := e.(*dst.BinaryExpr)
	return ok && (b.Op == token.LAND || b.Op == token.LOR) && m.containsWait(b.Y)
}

// isCall reports whether gc evaluates e in order with the calls of its
// statement, so that it must be evaluated before a wait that follows it.
// The spec leaves the order of other operands open; gc evaluates them
// after the calls. What gc orders (measured with gc 1.26, see
// testdata/e2e/order.txtar, boxing.txtar, byaddress.txtar, andor.txtar
// and strindex.txtar): calls, receives, len, cap, min, max, make,
// complex, real, imag, append, && and ||, slicing, type
// assertions, string to []byte or []rune conversions, map literals, some
// values converted to interfaces (boxedInOrder) and some operands gc passes
// by address (passedByAddress). Not ordered: variable and field loads,
// arithmetic and comparisons, indexing strings, slices, arrays and maps, pointer
// indirection, other conversions (including []byte to string), slice,
// struct and &T{...} literals, new and string concatenation.
func (m *machine) isCall(e dst.Expr) bool {
	switch e := e.(type) {
	case *dst.BinaryExpr: // gc evaluates x && y into a temporary where it stands
		return e.Op == token.LAND || e.Op == token.LOR
	case *dst.UnaryExpr:
		return e.Op == token.ARROW
	case *dst.SliceExpr, *dst.TypeAssertExpr:
		return true
	case *dst.CompositeLit:
		t := m.typeOf(e)
		if t == nil {
			return false
		}
		_, isMap := coreType(t).(*types.Map)
		return isMap
	case *dst.CallExpr:
		if tv, ok := m.typeAndValue(e.Fun); ok && tv.IsType() {
			return len(e.Args) == 1 && isStringToSlice(m.typeOf(e.Args[0]), tv.Type)
		}
		if id, ok := e.Fun.(*dst.Ident); ok {
			if b, ok := m.objectOf(id).(*types.Builtin); ok {
				if b.Name() == "new" {
					return false // nothing to read
				}
			}
		}
		return true
	}
	return false
}

// boxedInOrder reports whether gc evaluates e in order with the calls
// because it converts e to an interface. To put a value in an interface,
// gc's order pass (cmd/compile/internal/walk/order.go, OCONVIFACE) copies
// it into a temporary, in order, unless the value is addressable (a
// variable, a field, an element: then it is read later, in place) or its
// type has a conversion that takes it by value (dataWordFuncName: 2-byte,
// and pointer-free 4- and 8-byte values, and types whose sole component
// is a string or a slice). So in
//
//	fmt.Println(pt{g, 0}, x == 1, g+1, &box{n: g}, f().wait)
//
// the struct literal, the comparison (a 1-byte bool) and &box{...} (a
// pointer: gc stores pointers through a temporary too) are evaluated
// before f().wait, and g+1 (an int) after it. Measured with gc 1.26 on
// 64-bit targets; see testdata/e2e/boxing.txtar.
func (m *machine) boxedInOrder(e dst.Expr, path []dst.Node) bool {
	t := m.typeOf(e)
	if t == nil || types.IsInterface(t) || sized(t) != nil || m.addressable(e) {
		return false // (a type parameter's layout is the type argument's: see orderedIf)
	}
	if tv, ok := m.typeAndValue(e); ok && (tv.Value != nil || tv.IsNil() || tv.IsType()) {
		return false // constants are stored as read-only data
	}
	target := m.targetType(e, path)
	if _, param := target.(*types.TypeParam); target == nil || param || !types.IsInterface(target) {
		return false // (a type parameter's underlying type is its constraint, an interface)
	}
	return convertsByAddress(t)
}

// passedByAddress reports whether gc evaluates e in order with the calls
// because it hands e to a runtime function by address: the order pass
// (addrTemp) copies such an operand into a temporary unless it is
// addressable. That is a key of a map whose keys are not looked up by
// value (mapfast in cmd/compile/internal/walk: keys other than strings and
// plain 4- and 8-byte values, such as structs, arrays, bools, floats and
// interfaces, or any key of a map of elements over 128 bytes), and an
// operand of a comparison of structs or arrays. So in
//
//	m[pt{g, 0}] + f().wait    // m is a map[pt]int
//	pt{g, 0} == q && f().wait
//
// pt{g, 0} reads g before the wait. The operands of a comparison are
// copied once both are evaluated, so in pt{g, 0} == f().wait it reads g
// after the wait (spill places them at the comparison). Measured with gc
// 1.26 (see testdata/e2e/byaddress.txtar).
func (m *machine) passedByAddress(e dst.Expr, path []dst.Node) bool {
	if len(path) == 0 {
		return false
	}
	if tv, ok := m.typeAndValue(e); !ok || tv.Value != nil || tv.IsNil() || tv.IsType() {
		return false
	}
	switch p := path[len(path)-1].(type) {
	case *dst.IndexExpr:
		if t := m.typeOf(p.X); t != nil && e == p.Index {
			mt, ok := coreType(t).(*types.Map)
			return ok && m.keyCopied(mt, e)
		}
	case *dst.KeyValueExpr: // the key of a map literal's entry that waits (see mapEntry)
		if len(path) >= 2 && e == p.Key && m.containsWait(p.Value) {
			if lit, ok := path[len(path)-2].(*dst.CompositeLit); ok {
				mt, ok := m.literalType(lit).(*types.Map)
				return ok && m.keyCopied(mt, e)
			}
		}
	}
	if m.addressable(e) {
		return false
	}
	switch p := path[len(path)-1].(type) {
	case *dst.BinaryExpr:
		switch p.Op {
		case token.EQL, token.NEQ:
			if t := m.typeOf(p.X); t != nil {
				switch t.Underlying().(type) {
				case *types.Struct, *types.Array:
					return true
				}
			}
		}
	}
	return false
}

// keyCopied reports whether gc copies the key e of a lookup or an
// assignment in map type t into a temporary where it orders the statement,
// before the calls that follow it (mapKeyTemp in gc's order pass): the
// slow path takes the key by address, and copies one that is not
// addressable (addrTemp); the fast paths take it by value as a uint32, a
// uint64 or a pointer, and a key of another kind, a struct or an array of
// one word (id{n int}, [1]int) or of one string (sk{s string}), goes
// there through a temporary, even a variable (testdata/e2e/mapkeyfast.txtar,
// mapkeystr.txtar).
func (m *machine) keyCopied(t *types.Map, e dst.Expr) bool {
	if genericMap(t) {
		return false // which path gc takes depends on the type arguments (orderedIf)
	}
	if slowMap(t) {
		return !m.addressable(e)
	}
	switch t.Key().Underlying().(type) {
	case *types.Struct, *types.Array:
		return true
	}
	return false
}

// genericMap reports whether gc's path for the keys of t depends on the
// type arguments: t's key or element type has a type parameter's layout,
// and its elements are not known to be over 128 bytes.
func genericMap(t *types.Map) bool {
	if sized(t.Elem()) == nil && gcSizes.Sizeof(t.Elem()) > 128 {
		return false // the slow path for every key
	}
	return sized(t.Key()) != nil || sized(t.Elem()) != nil
}

// orderedIf returns, for an operand whose order gc decides by a type
// argument's representation, the condition under which gc evaluates it in
// order with the calls of its statement: a call of the runtime's
// ConvertsByAddress, KeyCopied or ComparesByAddress on the types as the
// coroutine has them (see runtime/order.go). These are the rules of
// boxedInOrder and passedByAddress where the type has a type parameter's
// layout:
//
//	fmt.Println(T(x), f.wait)     // runtime.ConvertsByAddress[T]()
//	m[K(k)] + f.wait              // runtime.KeyCopied[K, V](false), m a map[K]V
//	T(x) == y == f.wait           // runtime.ComparesByAddress[T]()
//
// atParent tells that e is an operand of a comparison, copied when both
// are evaluated (see passedByAddress). It returns nil when gc's order for
// e is the same for every type argument.
func (m *machine) orderedIf(e dst.Expr, path []dst.Node) (cond dst.Expr, atParent bool) {
	if len(path) == 0 {
		return nil, false
	}
	tv, ok := m.typeAndValue(e)
	if !ok || tv.Value != nil || tv.IsNil() || tv.IsType() || tv.Type == nil {
		return nil, false
	}
	call := func(fun dst.Expr, args []dst.Expr, targs ...types.Type) dst.Expr {
		var idx []dst.Expr
		for _, t := range targs {
			x, err := typeExpr(t, m.file.tc)
			if err != nil {
				return nil
			}
			idx = append(idx, x)
		}
		return &dst.CallExpr{Fun: instantiate(fun, idx), Args: args}
	}
	switch p := path[len(path)-1].(type) {
	case *dst.IndexExpr:
		if t := m.typeOf(p.X); t != nil && e == p.Index {
			if mt, ok := coreType(t).(*types.Map); ok && genericMap(mt) {
				return call(m.rt("KeyCopied"), []dst.Expr{dst.NewIdent(fmt.Sprint(m.addressable(e)))}, mt.Key(), mt.Elem()), false
			}
		}
	case *dst.KeyValueExpr: // the key of a map literal's entry that waits (see mapEntry)
		if len(path) >= 2 && e == p.Key && m.containsWait(p.Value) {
			if lit, ok := path[len(path)-2].(*dst.CompositeLit); ok {
				if mt, ok := m.literalType(lit).(*types.Map); ok && genericMap(mt) {
					return call(m.rt("KeyCopied"), []dst.Expr{dst.NewIdent(fmt.Sprint(m.addressable(e)))}, mt.Key(), mt.Elem()), false
				}
			}
		}
	}
	if m.addressable(e) {
		return nil, false
	}
	if b, ok := path[len(path)-1].(*dst.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
		if t, ok := m.typeOf(b.X).(*types.TypeParam); ok {
			if u, ok := m.typeOf(b.Y).(*types.TypeParam); ok && u == t {
				return call(m.rt("ComparesByAddress"), nil, t), true
			}
		}
	}
	if sized(tv.Type) == nil {
		return nil, false
	}
	target := m.targetType(e, path)
	if _, param := target.(*types.TypeParam); target == nil || param || !types.IsInterface(target) {
		return nil, false
	}
	return call(m.rt("ConvertsByAddress"), nil, tv.Type), false
}

// coreType returns t's underlying type, or, for a type parameter, the
// underlying type every type of its type set has (its core type: a map
// for M ~map[K]V, a slice for S ~[]E), or nil when they differ. Go
// lets a value of a type parameter be indexed, ranged over or written as
// a composite literal through that type, and gc compiles each
// instantiation with it, so the rules of order and the lowering of range
// go by it.
func coreType(t types.Type) types.Type {
	tp, ok := t.(*types.TypeParam)
	if !ok {
		return t.Underlying()
	}
	var core types.Type
	var visit func(iface *types.Interface) bool
	visit = func(iface *types.Interface) bool {
		for i := range iface.NumEmbeddeds() {
			var terms []types.Type
			switch e := iface.EmbeddedType(i).(type) {
			case *types.Union:
				for j := range e.Len() {
					terms = append(terms, e.Term(j).Type())
				}
			default:
				if in, ok := e.Underlying().(*types.Interface); ok {
					if !visit(in) {
						return false
					}
					continue
				}
				terms = append(terms, e)
			}
			for _, term := range terms {
				u := term.Underlying()
				if _, ok := u.(*types.Interface); ok {
					return false
				}
				if core == nil {
					core = u
				} else if !types.Identical(core, u) {
					return false
				}
			}
		}
		return true
	}
	iface, ok := tp.Constraint().Underlying().(*types.Interface)
	if !ok || !visit(iface) {
		return nil
	}
	return core
}

// sized returns a type parameter that t's size depends on, or nil when t
// has a size (gcSizes asserts it has).
func sized(t types.Type) *types.TypeParam {
	switch u := t.(type) {
	case *types.TypeParam:
		return u
	case *types.Named:
		if u.TypeArgs().Len() == 0 {
			break
		}
		return sized(u.Underlying())
	}
	switch u := t.Underlying().(type) {
	case *types.Array:
		return sized(u.Elem())
	case *types.Struct:
		for i := range u.NumFields() {
			if p := sized(u.Field(i).Type()); p != nil {
				return p
			}
		}
	}
	return nil
}

// slowMap reports whether gc looks keys of t up through their address
// (mapfast returns mapslow).
func slowMap(t *types.Map) bool {
	if gcSizes.Sizeof(t.Elem()) > 128 {
		return true
	}
	k := t.Key()
	if b, ok := algComponent(k).Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
		return false // compared as a string: the string fast path
	}
	size := gcSizes.Sizeof(k)
	return !(size == 4 || size == 8) || !plainMemory(k)
}

// algComponent returns what gc compares a value of t as when t is a
// struct of one field (not blank) or an array of one element: that
// field's or element's (types.AlgType); else t.
func algComponent(t types.Type) types.Type {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		if u.NumFields() == 1 && u.Field(0).Name() != "_" {
			return algComponent(u.Field(0).Type())
		}
	case *types.Array:
		if u.Len() == 1 {
			return algComponent(u.Elem())
		}
	}
	return t
}

// plainMemory reports whether gc compares values of t as plain memory
// (AMEM algorithms): integers, pointers, channels, and arrays and
// structs of them without padding or blank fields.
func plainMemory(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsInteger != 0 || u.Kind() == types.UnsafePointer || u.Kind() == types.Bool
	case *types.Pointer, *types.Chan:
		return true
	case *types.Array:
		return plainMemory(u.Elem())
	case *types.Struct:
		var sum int64
		for i := range u.NumFields() {
			f := u.Field(i)
			if f.Name() == "_" || !plainMemory(f.Type()) {
				return false
			}
			sum += gcSizes.Sizeof(f.Type())
		}
		return sum == gcSizes.Sizeof(t) // no padding
	}
	return false
}

// targetType returns the type e is converted to where it stands, the
// operand at the end of path: a parameter, an element or field of a
// composite literal, a variable assigned, a result returned, a value sent,
// or the other operand of a comparison; nil when e keeps its own type.
func (m *machine) targetType(e dst.Expr, path []dst.Node) types.Type {
	if len(path) == 0 {
		return nil
	}
	switch p := path[len(path)-1].(type) {
	case *dst.ParenExpr:
		return m.targetType(p, path[:len(path)-1])
	case *dst.CallExpr:
		i := slices.Index(p.Args, e)
		if i < 0 {
			return nil
		}
		if tv, ok := m.typeAndValue(p.Fun); ok && tv.IsType() {
			return tv.Type // a conversion
		}
		if id, ok := p.Fun.(*dst.Ident); ok {
			if b, ok := m.objectOf(id).(*types.Builtin); ok {
				if b.Name() == "panic" {
					return types.Universe.Lookup("any").Type()
				}
				return nil
			}
		}
		ft := m.typeOf(p.Fun)
		if ft == nil {
			return nil
		}
		sig, ok := ft.Underlying().(*types.Signature)
		if !ok {
			return nil
		}
		params := sig.Params()
		switch {
		case sig.Variadic() && i >= params.Len()-1:
			last := params.At(params.Len() - 1).Type()
			if p.Ellipsis {
				return last
			}
			if s, ok := last.(*types.Slice); ok {
				return s.Elem()
			}
		case i < params.Len():
			return params.At(i).Type()
		}
	case *dst.CompositeLit:
		i := slices.Index(p.Elts, e)
		if i < 0 {
			return nil
		}
		switch u := m.literalType(p).(type) {
		case *types.Slice:
			return u.Elem()
		case *types.Array:
			return u.Elem()
		case *types.Struct:
			if i < u.NumFields() {
				return u.Field(i).Type()
			}
		}
	case *dst.KeyValueExpr:
		if len(path) < 2 {
			return nil
		}
		lit, ok := path[len(path)-2].(*dst.CompositeLit)
		if !ok {
			return nil
		}
		switch u := m.literalType(lit).(type) {
		case *types.Map:
			if e == p.Key {
				return u.Key()
			}
			return u.Elem()
		case *types.Slice:
			if e == p.Value {
				return u.Elem()
			}
		case *types.Array:
			if e == p.Value {
				return u.Elem()
			}
		case *types.Struct:
			if key, ok := p.Key.(*dst.Ident); ok && e == p.Value {
				for i := range u.NumFields() {
					if u.Field(i).Name() == key.Name {
						return u.Field(i).Type()
					}
				}
			}
		}
	case *dst.AssignStmt:
		if i := slices.Index(p.Rhs, e); i >= 0 && len(p.Lhs) == len(p.Rhs) && p.Tok == token.ASSIGN {
			return m.typeOf(p.Lhs[i])
		}
	case *dst.ValueSpec:
		if p.Type != nil && slices.Contains(p.Values, e) {
			if tv, ok := m.typeAndValue(p.Type); ok {
				return tv.Type
			}
		}
	case *dst.ReturnStmt:
		results := m.resultTypes()
		if i := slices.Index(p.Results, e); i >= 0 && len(p.Results) == len(results) {
			return results[i]
		}
	case *dst.SendStmt:
		if t := m.typeOf(p.Chan); t != nil && e == p.Value {
			if ch, ok := t.Underlying().(*types.Chan); ok {
				return ch.Elem()
			}
		}
	case *dst.BinaryExpr:
		if p.Op == token.EQL || p.Op == token.NEQ {
			other := p.X
			if e == p.X {
				other = p.Y
			}
			return m.typeOf(other)
		}
	case *dst.IndexExpr:
		if t := m.typeOf(p.X); t != nil && e == p.Index {
			if mt, ok := coreType(t).(*types.Map); ok {
				return mt.Key()
			}
		}
	}
	return nil
}

// resultTypes returns the types of the coroutine's results, as declared.
func (m *machine) resultTypes() []types.Type {
	var out []types.Type
	if m.decl.Type.Results == nil {
		return nil
	}
	for _, f := range m.decl.Type.Results.List {
		tv, ok := m.typeAndValue(f.Type)
		if !ok {
			return nil
		}
		for range max(1, len(f.Names)) {
			out = append(out, tv.Type)
		}
	}
	return out
}

// literalType returns the underlying type of a composite literal, through
// the pointer of an element written without its &T.
func (m *machine) literalType(lit *dst.CompositeLit) types.Type {
	t := m.typeOf(lit)
	if t == nil {
		return nil
	}
	u := coreType(t)
	if p, ok := u.(*types.Pointer); ok {
		u = coreType(p.Elem())
	}
	return u
}

// addressable reports whether e denotes a variable: gc then reads it in
// place rather than copying it (see boxedInOrder).
func (m *machine) addressable(e dst.Expr) bool {
	switch e := e.(type) {
	case *dst.Ident:
		_, ok := m.objectOf(e).(*types.Var)
		return ok
	case *dst.ParenExpr:
		return m.addressable(e.X)
	case *dst.StarExpr:
		return true
	case *dst.SelectorExpr:
		if _, ok := m.objectOf(e.Sel).(*types.Var); !ok {
			return false // a method value, or a qualified name other than a variable
		}
		if id, ok := e.X.(*dst.Ident); ok {
			if _, pkg := m.objectOf(id).(*types.PkgName); pkg {
				return true // a package's variable
			}
		}
		if t := m.typeOf(e.X); t != nil {
			if _, ptr := t.Underlying().(*types.Pointer); ptr {
				return true
			}
		}
		return m.addressable(e.X)
	case *dst.IndexExpr:
		t := m.typeOf(e.X)
		if t == nil {
			return false
		}
		switch coreType(t).(type) { // (an S ~[]E indexes as a slice)
		case *types.Slice:
			return true
		case *types.Pointer: // a pointer to an array
			return true
		case *types.Array:
			return m.addressable(e.X)
		}
	}
	return false
}

// convertsByAddress reports whether gc converts a value of type t to an
// interface through its address, which makes the order pass copy it
// (dataWordFuncName in cmd/compile/internal/walk/convert.go).
func convertsByAddress(t types.Type) bool {
	size, align := gcSizes.Sizeof(t), gcSizes.Alignof(t)
	switch {
	case size == 2 && align == 2:
		return false
	case size == 4 && align == 4 && !hasPointers(t):
		return false
	case size == 8 && align == 8 && !hasPointers(t):
		return false
	}
	if sc := soleComponent(t); sc != nil {
		switch u := sc.Underlying().(type) {
		case *types.Basic:
			if u.Info()&types.IsString != 0 {
				return false
			}
		case *types.Slice:
			return false
		}
	}
	return true
}

// soleComponent returns the one element a struct or array type is made of,
// as gc's types.Type.SoleComponent does: through structs of one field
// (a blank one too, and a struct with a blank field besides another has
// none) and arrays of length 1; t itself for other types; nil when there
// is no sole component (testdata/e2e/boxblank.txtar).
func soleComponent(t types.Type) types.Type {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		if u.NumFields() != 1 {
			return nil
		}
		return soleComponent(u.Field(0).Type())
	case *types.Array:
		if u.Len() != 1 {
			return nil
		}
		return soleComponent(u.Elem())
	}
	return t
}

// mapEntry reports whether e is a key or value of a map literal, other
// than a constant or nil: gc builds a map literal entry by entry, so what an entry
// reads is read before the waits of later entries.
func (m *machine) mapEntry(e dst.Expr, path []dst.Node) bool {
	if len(path) < 2 {
		return false
	}
	if _, kv := path[len(path)-1].(*dst.KeyValueExpr); !kv {
		return false
	}
	lit, ok := path[len(path)-2].(*dst.CompositeLit)
	if !ok || !m.isCall(lit) {
		return false
	}
	if kv := path[len(path)-1].(*dst.KeyValueExpr); e == kv.Key && m.containsWait(kv.Value) {
		// The entry that waits is m[key] = value for gc: its key is read
		// after the value's calls, as an assignment's index is, unless
		// gc copies it first (keyCopied, in passedByAddress).
		return false
	}
	tv, ok := m.typeAndValue(e)
	return !ok || tv.Value == nil && !tv.IsNil() // nil, as a constant, reads nothing
}

// isStringToSlice reports whether converting from to to turns a string into
// a []byte or []rune.
func isStringToSlice(from, to types.Type) bool {
	if from == nil || to == nil {
		return false
	}
	b, ok := from.Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsString == 0 {
		return false
	}
	_, isSlice := to.Underlying().(*types.Slice)
	return isSlice
}

// slot is an expression in a replaceable slot, as walkSlots visits it.
type slot struct {
	e   dst.Expr
	set func(dst.Expr) // replaces e in its slot
	// path holds the enclosing nodes, outermost first; it is valid only
	// during the call (the walk reuses it).
	path []dst.Node
	// idx is the slot's number in the walk; first is the number of the
	// first slot of its subtree (idx when it has none).
	first, idx int
	// conditional tells that e is inside the right operand of a && or
	// ||: it runs only when the left operand does not decide, so it is
	// never evaluated on its own, only with the whole expression (a wait
	// there is compiled as a branch: see shortCircuit).
	conditional bool
}

// walkSlots calls fn, children first (Go's order of evaluation for calls),
// for every expression below n that sits in a replaceable slot. It does
// not enter function literals, whose bodies do not run here. Its cost is
// linear in the size of n.
func (m *machine) walkSlots(n dst.Node, fn func(slot)) {
	exprType := reflect.TypeOf((*dst.Expr)(nil)).Elem()
	var path []dst.Node
	count, conditional := 0, 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			node, ok := v.Interface().(dst.Node)
			if !ok {
				return
			}
			if _, lit := node.(*dst.FuncLit); lit {
				return
			}
			path = append(path, node)
			b, isBinary := node.(*dst.BinaryExpr)
			switch {
			case isBinary && m.shortCircuitWait(b):
				// Only the left operand runs unconditionally; the right
				// one is compiled as a branch (see shortCircuit).
				walk(reflect.ValueOf(b).Elem().FieldByName("X"))
			case isBinary && (b.Op == token.LAND || b.Op == token.LOR):
				walk(reflect.ValueOf(b).Elem().FieldByName("X"))
				conditional++
				walk(reflect.ValueOf(b).Elem().FieldByName("Y"))
				conditional--
			default:
				walk(v.Elem())
			}
			path = path[:len(path)-1]
		case reflect.Interface:
			if v.IsNil() {
				return
			}
			first := count
			walk(v.Elem())
			if v.Type() == exprType && v.CanSet() {
				e := v.Interface().(dst.Expr)
				if _, lit := e.(*dst.FuncLit); lit {
					return
				}
				slotValue := v
				fn(slot{
					e: e,
					set: func(x dst.Expr) {
						moveLayout(x, e)
						m.keepLinesAfter(x, e)
						slotValue.Set(reflect.ValueOf(&x).Elem())
					},
					path:        path,
					first:       first,
					idx:         count,
					conditional: conditional > 0,
				})
				count++
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if f := v.Type().Field(i); f.IsExported() && f.Name != "Decs" && f.Name != "Obj" && f.Name != "Scope" {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(&n).Elem())
}

// moveLayout gives x, which takes e's place, e's layout: the line break
// before it (an argument or an element on a line of its own), after it,
// and the comments around it. Left to e, which moves to a statement of
// its own (outK := e), the line break would be lost, and with it the
// lines of what follows in the statement.
func moveLayout(x, e dst.Expr) {
	if x == e {
		return
	}
	xd, ed := x.Decorations(), e.Decorations()
	*xd = *ed
	*ed = dst.NodeDecs{}
}

// keepLinesAfter gives what follows x, which takes the place of e, its
// line: where e spans several lines of the source, x spans one, and the
// rest of the statement would count on from there (f(g(\n1,\n).wait, h())
// becomes f(out1, h()), h() on g's line). A directive after x names the
// line and column where e ends.
func (m *machine) keepLinesAfter(x, e dst.Expr) {
	if x == e || !m.file.cfg.LineDirectives {
		return
	}
	a := m.astOf(e)
	if a == nil {
		return
	}
	start, end := m.fset.Position(a.Pos()), m.fset.Position(a.End())
	if end.Line > start.Line {
		x.Decorations().End.Prepend(fmt.Sprintf("/*line :%d:%d*/", end.Line, end.Column))
	}
}
