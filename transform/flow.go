package transform

import (
	"fmt"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
)

// This file compiles the body into states (see "Control flow" in doc.go).
// A statement without waits is copied into the current state whole; a
// statement with waits is taken apart: its expressions are put in the
// ordered form (order.go), each wait of which ends a state (split.go),
// and compound statements become states joined by jumps. A jump is a
// marker statement (a goto with no label of the user's) that the lower
// pass (lower.go) turns into "fallthrough" when it ends a case and targets
// the next one, and into "state = N; continue" otherwise.

// target is a loop, switch or select that a break or continue may leave.
type target struct {
	label      string // "" when unlabeled
	loop       bool   // continue is allowed
	breakTo    *state
	continueTo *state
	// How many of the pulled ranges the machine is in (m.pulls) enclose
	// breakTo and continueTo: a jump there leaves the others (see exitTo).
	breakPulls, continuePulls int
}

// newState returns a state that is not placed yet: jumps may target it
// before begin gives it its number.
func (m *machine) newState(comment string) *state {
	return &state{index: -1, comment: comment}
}

// begin places st after the last state and makes it current; the current
// state, if it does not end in a jump or a return, continues into it.
func (m *machine) begin(st *state) {
	if m.current != nil && m.current.term == termOpen {
		m.jump(st)
	}
	st.index = len(m.states)
	m.states = append(m.states, st)
	m.current = st
}

// jump adds a jump to st at the end of the current state.
func (m *machine) jump(st *state) {
	m.add(m.jumpStmt(st), token.Position{})
}

// jumpStmt returns a jump marker to st.
func (m *machine) jumpStmt(st *state) *dst.BranchStmt {
	j := &dst.BranchStmt{Tok: token.GOTO, Label: dst.NewIdent("corofy·jump")}
	m.jumps[j] = st
	return j
}

// isJump reports whether s is a jump marker.
func (m *machine) isJump(s dst.Stmt) bool {
	b, ok := s.(*dst.BranchStmt)
	return ok && m.jumps[b] != nil
}

// compileBody compiles the coroutine's body, starting in state 0.
func (m *machine) compileBody(body *dst.BlockStmt) {
	m.begin(m.newState(""))
	m.stmts(body.List)
	m.dropDeadStates()
}

// dropDeadStates removes the states that are empty and that no jump
// reaches: the state after an if, a switch or a select whose every branch
// returns. Poll would otherwise have a case that can never run. The
// remaining states are numbered again. (A state that holds code the
// coroutine itself can never reach, after a return, stays: it is compiled
// as written, so a variable used only there is still used.)
func (m *machine) dropDeadStates() {
	targeted := map[*state]bool{}
	for _, st := range m.jumps {
		targeted[st] = true
	}
	newIndex := make([]int, len(m.states))
	var kept []*state
	for i, st := range m.states {
		if i > 0 && len(st.stmts) == 0 && st.wait == nil && !targeted[st] {
			newIndex[i] = -1
			continue
		}
		newIndex[i] = len(kept)
		kept = append(kept, st)
	}
	if len(kept) == len(m.states) {
		return
	}
	for _, info := range m.vars {
		if info.def >= 0 && newIndex[info.def] < 0 {
			return // a variable made in the state: keep every state
		}
	}
	for _, info := range m.vars {
		if info.def >= 0 {
			info.def = newIndex[info.def]
		}
	}
	for i, st := range kept {
		st.index = i
	}
	m.states = kept
}

func (m *machine) stmts(list []dst.Stmt) {
	for _, s := range list {
		m.stmt(s, "")
	}
}

// stmt compiles one statement; label is the label it carries, if any.
func (m *machine) stmt(s dst.Stmt, label string) {
	if l, ok := s.(*dst.LabeledStmt); ok {
		m.stmt(l.Stmt, l.Label.Name)
		return
	}
	if label != "" && m.gotoTargets[label] {
		// A goto may come from another state: the label starts one.
		m.begin(m.labelState(label))
	}
	if !m.containsWait(s) {
		if label != "" && (!m.gotoTargets[label] || usesLabel(s, label)) { // the labeled statement was unwrapped
			s = &dst.LabeledStmt{Label: dst.NewIdent(label), Stmt: s}
		}
		pos := m.position(s)
		m.markFlat(s)
		m.add(m.branchesToJumps(s), pos)
		return
	}
	switch s := s.(type) {
	case *dst.ExprStmt, *dst.AssignStmt, *dst.DeclStmt, *dst.IncDecStmt, *dst.SendStmt, *dst.ReturnStmt, *dst.GoStmt, *dst.DeferStmt:
		m.markFlat(s)
		m.splitStmt(s)
		return
	}
	m.keepComments(salvage(s))
	switch s := s.(type) {
	case *dst.BlockStmt:
		m.stmts(s.List)
	case *dst.IfStmt:
		m.ifStmt(s)
	case *dst.ForStmt:
		m.forStmt(s, label)
	case *dst.RangeStmt:
		m.rangeStmt(s, label)
	case *dst.SwitchStmt:
		m.switchStmt(s, label)
	case *dst.TypeSwitchStmt:
		m.typeSwitchStmt(s, label)
	case *dst.SelectStmt:
		m.selectStmt(s, label)
	default:
		m.errorf(m.position(m.firstWait(s)), "'.wait' inside this statement is not supported")
	}
}

// ifStmt compiles an if statement with waits.
//
//	if init; cond { A } else { B }
//
// becomes init and cond's waits in the current state, then
// "if !(cond) { jump else }", A in the next states, B after them.
func (m *machine) ifStmt(s *dst.IfStmt) {
	if s.Init != nil {
		m.stmt(s.Init, "")
		s.Init = nil
	}
	s.Cond = m.spillExpr(s.Cond)
	if !m.containsWait(s.Body) && (s.Else == nil || !m.containsWait(s.Else)) {
		m.add(m.branchesToJumps(s), m.position(s))
		return
	}
	line := m.position(s).Line
	then, after := m.newState(fmt.Sprintf("if at line %d", line)), m.newState(fmt.Sprintf("after the if at line %d", line))
	otherwise := after
	if s.Else != nil {
		otherwise = m.newState(fmt.Sprintf("else at line %d", line))
	}
	m.add(&dst.IfStmt{Cond: m.not(s.Cond), Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(otherwise)}}}, m.position(s))
	m.begin(then)
	m.stmts(s.Body.List)
	if s.Else != nil {
		m.jumpUnlessClosed(after)
		m.begin(otherwise)
		m.stmt(s.Else, "")
	}
	m.begin(after)
}

// jumpUnlessClosed jumps to st unless the current state already left.
func (m *machine) jumpUnlessClosed(st *state) {
	if m.cur().term == termOpen {
		m.jump(st)
	}
}

// forStmt compiles a for loop with waits.
//
//	for init; cond; post { body }
//
// becomes init, then a head state "if !(cond) { jump after }", the body,
// and a post state "post; jump head". The variables init declares are
// per iteration (Go 1.22): see "Variables" in doc.go.
func (m *machine) forStmt(s *dst.ForStmt, label string) {
	line := m.position(s).Line
	if s.Init != nil {
		m.loopDepth++ // init's variables are per iteration
		m.stmt(s.Init, "")
		m.loopDepth--
	}
	head := m.newState(fmt.Sprintf("loop at line %d", line))
	body := m.newState(fmt.Sprintf("loop body at line %d", line))
	after := m.newState(fmt.Sprintf("after the loop at line %d", line))
	next := head
	var post *state
	if s.Post != nil {
		post = m.newState(fmt.Sprintf("loop post statement at line %d", line))
		next = post
	}
	m.begin(head)
	if s.Cond != nil {
		cond := m.spillExpr(s.Cond)
		m.add(&dst.IfStmt{Cond: m.not(cond), Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(after)}}}, m.position(s.Cond))
	}
	m.begin(body)
	m.loop(label, after, next, s.Body.List)
	if post != nil {
		m.begin(post)
		m.copyIterationVars(s.Init)
		m.stmt(s.Post, "")
	}
	m.jumpUnlessClosed(head)
	m.begin(after)
}

// loop compiles a loop body with break and continue targets.
func (m *machine) loop(label string, breakTo, continueTo *state, body []dst.Stmt) {
	m.loopIn(&target{label: label, loop: true, breakTo: breakTo, continueTo: continueTo, breakPulls: len(m.pulls), continuePulls: len(m.pulls)}, body)
}

// loopIn compiles a loop body whose break and continue go to t.
func (m *machine) loopIn(t *target, body []dst.Stmt) {
	continueTo := t.continueTo
	m.targets = append(m.targets, t)
	m.loopDepth++
	m.stmts(body)
	m.loopDepth--
	m.targets = m.targets[:len(m.targets)-1]
	m.jumpUnlessClosed(continueTo)
}

// copyIterationVars gives each variable declared by a loop's init
// statement a new copy before the post statement, as Go 1.22 does, when it
// is stored as a cell (a closure or pointer may hold the previous one).
func (m *machine) copyIterationVars(init dst.Stmt) {
	if init == nil {
		return
	}
	var vars []*types.Var
	dst.Inspect(init, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && m.isDef(id) {
			if info := m.varOf(id); info != nil {
				vars = append(vars, info.v)
			}
		}
		return true
	})
	if len(vars) > 0 {
		marker := &dst.ExprStmt{X: dst.NewIdent("corofy·copy")}
		m.iterationCopies[marker] = vars
		m.add(marker, token.Position{})
	}
}

// not returns the negation of a condition: !(a < b) is a >= b only where
// no operand may be NaN, for which both are false, so a comparison is
// inverted only when the types of both operands are known and neither
// is a float or a complex number; and, to keep the code close to the
// source, only when one operand is a literal (i < 3, not i < n).
func (m *machine) not(x dst.Expr) dst.Expr {
	switch x := x.(type) {
	case *dst.UnaryExpr:
		if x.Op == token.NOT {
			return x.X
		}
	case *dst.BinaryExpr:
		inverse := map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
		if op, ok := inverse[x.Op]; ok && hasLiteral(x) && !m.mayBeNaN(x.X) && !m.mayBeNaN(x.Y) {
			return &dst.BinaryExpr{X: x.X, Op: op, Y: x.Y}
		}
	case *dst.Ident, *dst.CallExpr, *dst.SelectorExpr, *dst.ParenExpr, *dst.IndexExpr:
		return &dst.UnaryExpr{Op: token.NOT, X: x}
	}
	return &dst.UnaryExpr{Op: token.NOT, X: &dst.ParenExpr{X: x}}
}

// hasLiteral reports whether an operand of b is an integer or string
// literal.
func hasLiteral(b *dst.BinaryExpr) bool {
	for _, e := range []dst.Expr{b.X, b.Y} {
		if lit, ok := e.(*dst.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.STRING) {
			return true
		}
	}
	return false
}

// mayBeNaN reports whether e may be a NaN: it is a float or complex
// number, or its type is not known.
func (m *machine) mayBeNaN(e dst.Expr) bool {
	t := m.typeOf(e)
	if t == nil {
		return true
	}
	if _, param := t.(*types.TypeParam); param {
		return true // its type set may hold floats
	}
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return false // pointers, channels, structs, arrays, interfaces...
	}
	return b.Info()&(types.IsFloat|types.IsComplex) != 0
}

// mayHoldNaN reports whether a value of type t may be unequal to itself: a
// float or a complex (a NaN), an interface (holding one), a struct or an
// array with such a field or element, or a type parameter (whose type
// set may hold floats).
func mayHoldNaN(t types.Type) bool {
	if _, param := t.(*types.TypeParam); param {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsFloat|types.IsComplex) != 0
	case *types.Interface:
		return true
	case *types.Array:
		return mayHoldNaN(u.Elem())
	case *types.Struct:
		for i := range u.NumFields() {
			if mayHoldNaN(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// shortCircuit compiles "tmp := x && y" (or x || y) where y waits:
//
//	condK := x
//	if condK { condK = y }     (if !condK for ||)
//
// with y's waits ordered where it runs.
func (m *machine) shortCircuit(tmp *types.Var, b *dst.BinaryExpr) {
	m.add(m.define(tmp, b.X), m.position(b.X))
	line := m.position(b).Line
	right, after := m.newState(fmt.Sprintf("right of %s at line %d", b.Op, line)), m.newState(fmt.Sprintf("after %s at line %d", b.Op, line))
	var decided dst.Expr = m.ident(tmp) // || is decided when the left is true
	if b.Op == token.LAND {
		decided = &dst.UnaryExpr{Op: token.NOT, X: m.ident(tmp)}
	}
	m.add(&dst.IfStmt{Cond: decided, Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(after)}}}, token.Position{})
	m.begin(right)
	m.splitStmt(&dst.AssignStmt{Lhs: []dst.Expr{m.ident(tmp)}, Tok: token.ASSIGN, Rhs: []dst.Expr{b.Y}})
	m.begin(after)
}

// branchesToJumps replaces, in a statement copied whole, the break,
// continue and goto statements that leave it for a transformed loop or
// switch by jumps.
func (m *machine) branchesToJumps(s dst.Stmt) dst.Stmt {
	var visit func(n dst.Node, inner []string, breakable, loop bool)
	replace := map[*dst.BranchStmt]*state{}
	visit = func(n dst.Node, labels []string, breakable, loop bool) {
		dst.Inspect(n, func(c dst.Node) bool {
			switch c := c.(type) {
			case *dst.FuncLit:
				return false
			case *dst.LabeledStmt:
				// A labeled loop or switch is what an unlabeled break
				// (or continue) in it leaves, as an unlabeled one is.
				b, l := breakable, loop
				switch c.Stmt.(type) {
				case *dst.ForStmt, *dst.RangeStmt:
					b, l = true, true
				case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
					b = true
				}
				visit(c.Stmt, append(labels, c.Label.Name), b, l)
				return false
			case *dst.ForStmt, *dst.RangeStmt:
				if c != n {
					visit(c, labels, true, true)
					return false
				}
			case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
				if c != n {
					visit(c, labels, true, loop)
					return false
				}
			case *dst.BranchStmt:
				if c.Tok == token.GOTO {
					if c.Label != nil && m.gotoTargets[c.Label.Name] && !declaredIn(c.Label.Name, s) {
						replace[c] = m.exitTo(m.labelState(c.Label.Name), m.labelPulls[c.Label.Name])
					}
					return true
				}
				if c.Tok != token.BREAK && c.Tok != token.CONTINUE {
					return true
				}
				if c.Label != nil {
					for _, l := range labels {
						if l == c.Label.Name {
							return true
						}
					}
				} else if c.Tok == token.BREAK && breakable || c.Tok == token.CONTINUE && loop {
					return true
				}
				if st, pulls := m.branchTarget(c); st != nil {
					replace[c] = m.exitTo(st, pulls)
				}
			}
			return true
		})
	}
	// The statement itself may be what a break or continue leaves.
	breakable, loop := false, false
	switch s.(type) {
	case *dst.ForStmt, *dst.RangeStmt:
		breakable, loop = true, true
	case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
		breakable = true
	}
	visit(s, nil, breakable, loop)
	if len(replace) == 0 {
		return s
	}
	return replaceStmts(s, func(b *dst.BranchStmt) dst.Stmt {
		if st := replace[b]; st != nil {
			j := m.jumpStmt(st)
			m.setPos(j, m.position(b))
			return j
		}
		return nil
	})
}

// branchTarget returns the state a break or continue leaving the current
// statement goes to, and how many of the pulled ranges the machine is in
// enclose that state.
func (m *machine) branchTarget(b *dst.BranchStmt) (*state, int) {
	for i := len(m.targets) - 1; i >= 0; i-- {
		t := m.targets[i]
		if b.Label != nil && t.label != b.Label.Name {
			continue
		}
		if b.Tok == token.CONTINUE {
			if t.loop {
				return t.continueTo, t.continuePulls
			}
			continue
		}
		return t.breakTo, t.breakPulls
	}
	return nil, 0
}

// replaceStmts replaces the branch statements of s for which fn returns a
// statement.
func replaceStmts(s dst.Stmt, fn func(*dst.BranchStmt) dst.Stmt) dst.Stmt {
	if b, ok := s.(*dst.BranchStmt); ok {
		if r := fn(b); r != nil {
			return r
		}
		return s
	}
	dst.Inspect(s, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.BlockStmt:
			for i, x := range n.List {
				if b, ok := x.(*dst.BranchStmt); ok {
					if r := fn(b); r != nil {
						n.List[i] = r
					}
				}
			}
		case *dst.CaseClause:
			for i, x := range n.Body {
				if b, ok := x.(*dst.BranchStmt); ok {
					if r := fn(b); r != nil {
						n.Body[i] = r
					}
				}
			}
		case *dst.CommClause:
			for i, x := range n.Body {
				if b, ok := x.(*dst.BranchStmt); ok {
					if r := fn(b); r != nil {
						n.Body[i] = r
					}
				}
			}
		case *dst.LabeledStmt:
			if b, ok := n.Stmt.(*dst.BranchStmt); ok {
				if r := fn(b); r != nil {
					n.Stmt = r
				}
			}
		}
		return true
	})
	return s
}

// markFlat records the variables that statement s declares at state level
// (not inside a nested block it keeps): they get names unique among such
// variables, since states are one scope per case, and they are per
// iteration inside transformed loops.
func (m *machine) markFlat(s dst.Stmt) {
	if l, ok := s.(*dst.LabeledStmt); ok {
		m.markFlat(l.Stmt)
		return
	}
	for _, info := range m.declaredBy(s) {
		m.flatVar(info)
	}
}

// flatVar names a variable declared at state level. States are cases of
// one switch, so the name must differ from every other such variable's,
// and from every name the package declares, imports or predeclares: the
// variable's scope is now the whole case, where the user's code may refer
// to such a name outside the block that declared the variable, and the
// generated code may write it (a type, true, len).
func (m *machine) flatVar(info *varInfo) {
	info.inLoop = info.inLoop || m.loopDepth > 0
	if info.flat {
		return
	}
	info.flat = true
	name := info.name
	if m.flat.taken[name] || m.file.names.taken[name] && name == info.v.Name() {
		base := info.v.Name()
		for i := 2; ; i++ {
			name = fmt.Sprintf("%s%d", base, i)
			if !m.flat.taken[name] && !m.locals.taken[name] && !m.fields.taken[name] && !m.file.names.taken[name] {
				break
			}
		}
		m.locals.taken[name] = true
		m.fields.taken[name] = true
	}
	m.flat.taken[name] = true
	info.name = name
}

// rangeStmt compiles a range loop with waits in its body, as a loop over
// hidden variables (see "Range loops" in doc.go).
func (m *machine) rangeStmt(s *dst.RangeStmt, label string) {
	// Before the spill: a wait in the range expression is a call, and makes
	// Go evaluate it ("range *f.wait" dereferences what f gives).
	length, constLength := m.constantLength(s)
	s.X = m.spillExpr(s.X)
	waitsInVars := s.Key != nil && m.containsWait(s.Key) || s.Value != nil && m.containsWait(s.Value)
	if !m.containsWait(s.Body) && !waitsInVars {
		m.add(m.branchesToJumps(s), m.position(s))
		return
	}
	line := m.position(s).Line
	t := m.typeOf(s.X)
	if t == nil {
		m.errorf(m.position(s), "cannot range over %s: unknown type", m.sourceText(s.X))
		return
	}
	var keyType, valueType types.Type
	kind := ""
	switch u := coreType(t).(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsInteger != 0:
			kind, keyType = "int", t
		case u.Info()&types.IsString != 0:
			kind, keyType, valueType = "string", types.Typ[types.Int], runeType
		}
	case *types.Slice:
		kind, keyType, valueType = "slice", types.Typ[types.Int], u.Elem()
	case *types.Array:
		kind, keyType, valueType = "slice", types.Typ[types.Int], u.Elem()
	case *types.Pointer:
		if a, ok := u.Elem().Underlying().(*types.Array); ok {
			kind, keyType, valueType = "slice", types.Typ[types.Int], a.Elem()
		}
	case *types.Map:
		kind, keyType, valueType = "map", u.Key(), u.Elem()
	case *types.Chan:
		kind, keyType = "chan", u.Elem()
	case *types.Signature:
		m.pulledRange(s, label, u)
		return
	}
	if kind == "" {
		m.errorf(m.position(s), "cannot transform a range over %s", t)
		return
	}
	if constLength {
		// Go does not evaluate the range expression: the loop counts to
		// the array's length.
		kind, keyType, valueType, t = "int", types.Typ[types.Int], nil, types.Typ[types.Int]
		s.X = &dst.BasicLit{Kind: token.INT, Value: strconv.FormatInt(length, 10)}
	}
	// The range expression is evaluated once.
	base := "seq"
	if kind == "int" {
		base = "limit"
	}
	coll := m.hidden(base, t, s.X, m.position(s.X))
	head := m.newState(fmt.Sprintf("range loop at line %d", line))
	body := m.newState(fmt.Sprintf("range loop body at line %d", line))
	next := m.newState(fmt.Sprintf("next iteration of the range loop at line %d", line))
	after := m.newState(fmt.Sprintf("after the range loop at line %d", line))
	var index *types.Var
	var keys, values *types.Var
	switch kind {
	case "map":
		if mayHoldNaN(keyType) {
			// A NaN key is found by no lookup: its value is the one it had
			// at the start (see runtime.MapLookup).
			keys, values = m.newVar("keys", types.NewSlice(keyType)), m.newVar("values", types.NewSlice(valueType))
			m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(keys), m.defIdent(values)}, Tok: token.DEFINE, Rhs: []dst.Expr{
				&dst.CallExpr{Fun: m.rt(rtMapEntries), Args: []dst.Expr{m.ident(coll)}},
			}}, token.Position{})
		} else {
			keys = m.hidden("keys", types.NewSlice(keyType), &dst.CallExpr{Fun: m.rt(rtMapKeys), Args: []dst.Expr{m.ident(coll)}}, token.Position{})
		}
		fallthrough
	case "string", "slice":
		index = m.hidden("index", types.Typ[types.Int], &dst.BasicLit{Kind: token.INT, Value: "0"}, token.Position{})
	case "int":
		index = m.hidden("index", keyType, &dst.BasicLit{Kind: token.INT, Value: "0"}, token.Position{})
	}
	m.begin(head)
	var key, value dst.Expr // what the iteration variables get
	switch kind {
	case "int":
		m.exitUnless(&dst.BinaryExpr{X: m.ident(index), Op: token.LSS, Y: m.ident(coll)}, after)
		key = m.ident(index)
	case "slice":
		m.exitUnless(&dst.BinaryExpr{X: m.ident(index), Op: token.LSS, Y: &dst.CallExpr{Fun: dst.NewIdent("len"), Args: []dst.Expr{m.ident(coll)}}}, after)
		key = m.ident(index)
		value = &dst.IndexExpr{X: m.ident(coll), Index: m.ident(index)}
	case "string":
		m.exitUnless(&dst.BinaryExpr{X: m.ident(index), Op: token.LSS, Y: &dst.CallExpr{Fun: dst.NewIdent("len"), Args: []dst.Expr{m.ident(coll)}}}, after)
		r := m.newVar("r", runeType)
		size := m.newVar("size", types.Typ[types.Int])
		var str dst.Expr = m.ident(coll)
		if !types.Identical(t, types.Typ[types.String]) { // a named string type, a type parameter
			str = &dst.CallExpr{Fun: dst.NewIdent("string"), Args: []dst.Expr{str}}
		}
		m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(r), m.defIdent(size)}, Tok: token.DEFINE, Rhs: []dst.Expr{
			&dst.CallExpr{Fun: m.rt(rtDecodeRune), Args: []dst.Expr{str, m.ident(index)}},
		}}, token.Position{})
		key, value = m.ident(index), m.ident(r)
		m.stringSizes[next] = size
	case "map":
		m.exitUnless(&dst.BinaryExpr{X: m.ident(index), Op: token.LSS, Y: &dst.CallExpr{Fun: dst.NewIdent("len"), Args: []dst.Expr{m.ident(keys)}}}, after)
		k := m.newVar("key", keyType)
		v := m.newVar("value", valueType)
		ok := m.newVar("ok", types.Typ[types.Bool])
		m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(k)}, Tok: token.DEFINE, Rhs: []dst.Expr{&dst.IndexExpr{X: m.ident(keys), Index: m.ident(index)}}}, token.Position{})
		var lookup dst.Expr = &dst.IndexExpr{X: m.ident(coll), Index: m.ident(k)}
		if values != nil {
			lookup = &dst.CallExpr{Fun: m.rt(rtMapLookup), Args: []dst.Expr{m.ident(coll), m.ident(k), &dst.IndexExpr{X: m.ident(values), Index: m.ident(index)}}}
		}
		m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(v), m.defIdent(ok)}, Tok: token.DEFINE, Rhs: []dst.Expr{lookup}}, token.Position{})
		// An entry deleted before it is reached is not produced.
		m.add(&dst.IfStmt{Cond: &dst.UnaryExpr{Op: token.NOT, X: m.ident(ok)}, Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(next)}}}, token.Position{})
		key, value = m.ident(k), m.ident(v)
	case "chan":
		v := m.newVar("value", keyType)
		ok := m.newVar("ok", types.Typ[types.Bool])
		m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(v), m.defIdent(ok)}, Tok: token.DEFINE, Rhs: []dst.Expr{&dst.UnaryExpr{Op: token.ARROW, X: m.ident(coll)}}}, m.position(s)) // the receive is the range statement's work
		m.exitUnless(m.ident(ok), after)
		key = m.ident(v)
	}
	m.begin(body)
	m.iterationVars(s, key, value)
	m.loop(label, after, next, s.Body.List)
	m.begin(next)
	switch kind {
	case "string":
		m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.ident(index)}, Tok: token.ADD_ASSIGN, Rhs: []dst.Expr{m.ident(m.stringSizes[next])}}, token.Position{})
	case "int", "slice", "map":
		m.add(&dst.IncDecStmt{X: m.ident(index), Tok: token.INC}, token.Position{})
	}
	m.jump(head)
	m.begin(after)
}

// iterationVars gives the iteration variables of s, at the start of its
// body, the values key and value of this iteration.
func (m *machine) iterationVars(s *dst.RangeStmt, key, value dst.Expr) {
	m.loopDepth++
	if assign := m.rangeAssign(s, key, value); assign != nil && m.containsWait(assign) {
		// for a[f().wait] = range x: the operands of the iteration
		// variables are evaluated at each iteration, as an assignment's.
		m.setPos(assign, m.position(s))
		m.stmt(assign, "")
	} else if assign != nil {
		m.markFlat(assign)
		m.add(assign, m.position(s))
	}
	m.loopDepth--
}

// pulled is a range over a function whose body waits, being compiled (see
// pulledRange).
type pulled struct {
	iter  string   // the machine's field that holds the iterator
	typ   dst.Expr // its type
	line  int
	exits []pullExit // the jumps out of its body, in order of appearance
}

// pullExit is a state that stops the iterator of a pulled range and goes
// on to a state outside the range's body.
type pullExit struct {
	to, via *state
	keep    int // the pulled ranges that enclose to
}

// pulledRange compiles a range over a function whose body waits. Go calls
// the function with the body as its yield, so the body runs inside the
// iterator's call, which a machine cannot suspend; the machine pulls the
// iterator instead (see runtime.Pull), one value per iteration:
//
//	for k, v := range seq {        c.iter = runtime.Pull2[K, V](&c.pulls, seq)
//		body                     // head:
//	}                              key, value, ok := c.iter.Next()
//	                               if !ok { jump after }
//	                               k, v := key, value
//	                               // body; continue jumps to head
//
// A break, continue or goto from the body to a state outside it goes
// through a state that stops the iterator first (see exitTo); a return
// stops them all, and a panic unwinds them, before the deferred calls run
// (complete and unwind).
func (m *machine) pulledRange(s *dst.RangeStmt, label string, sig *types.Signature) {
	line := m.position(s).Line
	var yield *types.Signature
	if sig.Params().Len() == 1 && sig.Results().Len() == 0 {
		yield, _ = coreType(sig.Params().At(0).Type()).(*types.Signature)
	}
	if yield == nil || yield.Params().Len() > 2 || yield.Results().Len() != 1 {
		m.errorf(m.position(s), "cannot range over %s of type %s", m.sourceText(s.X), m.typeOf(s.X))
		return
	}
	fun, typ := m.rt(rtPull0), m.rt(rtIter0)
	var targs []dst.Expr
	for i := range yield.Params().Len() {
		t, err := typeExpr(yield.Params().At(i).Type(), m.file.tc)
		if err != nil {
			m.errorf(m.position(s), "cannot keep the iterator of this range loop: %v", err)
			return
		}
		targs = append(targs, t)
	}
	switch len(targs) {
	case 1:
		fun = &dst.IndexExpr{X: m.rt(rtPull), Index: targs[0]}
		typ = &dst.IndexExpr{X: m.rt(rtIter), Index: m.clone(targs[0]).(dst.Expr)}
	case 2:
		fun = &dst.IndexListExpr{X: m.rt(rtPull2), Indices: targs}
		typ = &dst.IndexListExpr{X: m.rt(rtIter2), Indices: []dst.Expr{m.clone(targs[0]).(dst.Expr), m.clone(targs[1]).(dst.Expr)}}
	}
	if m.pullsField == "" {
		m.pullsField = m.fields.fresh("pulls")
	}
	p := &pulled{iter: m.fields.fresh("iter"), typ: &dst.StarExpr{X: typ}, line: line}
	m.pulled = append(m.pulled, p)
	// The range expression is evaluated once; the iterator is called at
	// the first Next.
	m.add(&dst.AssignStmt{Lhs: []dst.Expr{m.field(p.iter)}, Tok: token.ASSIGN, Rhs: []dst.Expr{&dst.CallExpr{Fun: fun, Args: []dst.Expr{
		&dst.UnaryExpr{Op: token.AND, X: m.field(m.pullsField)}, s.X,
	}}}}, m.position(s))
	head := m.newState(fmt.Sprintf("range loop at line %d", line))
	after := m.newState(fmt.Sprintf("after the range loop at line %d", line))
	m.begin(head)
	next := &dst.CallExpr{Fun: &dst.SelectorExpr{X: m.field(p.iter), Sel: dst.NewIdent("Next")}}
	var key, value dst.Expr
	if len(targs) == 0 {
		m.add(&dst.IfStmt{Cond: m.not(next), Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(after)}}}, m.position(s))
	} else {
		var lhs []dst.Expr
		k := m.newVar("key", yield.Params().At(0).Type())
		key, lhs = m.ident(k), append(lhs, m.defIdent(k))
		if len(targs) == 2 {
			v := m.newVar("value", yield.Params().At(1).Type())
			value, lhs = m.ident(v), append(lhs, m.defIdent(v))
		}
		ok := m.newVar("ok", types.Typ[types.Bool])
		m.add(&dst.AssignStmt{Lhs: append(lhs, m.defIdent(ok)), Tok: token.DEFINE, Rhs: []dst.Expr{next}}, m.position(s))
		m.exitUnless(m.ident(ok), after)
	}
	m.iterationVars(s, key, value)
	m.pulls = append(m.pulls, p)
	d := len(m.pulls)
	m.loopIn(&target{label: label, loop: true, breakTo: after, continueTo: head, breakPulls: d - 1, continuePulls: d}, s.Body.List)
	m.pulls = m.pulls[:d-1]
	for _, e := range p.exits {
		m.begin(e.via)
		m.add(&dst.ExprStmt{X: &dst.CallExpr{Fun: &dst.SelectorExpr{X: m.field(p.iter), Sel: dst.NewIdent("Stop")}}}, m.position(s))
		m.jump(m.exitTo(e.to, e.keep))
	}
	m.begin(after)
}

// exitTo returns the state a jump to st goes to from where the machine is,
// st being inside the first keep of the pulled ranges it is in (m.pulls):
// st itself, or a state that stops the iterator of the innermost range
// first, and goes on (see pulledRange). So the iterators are left one
// after the other, the innermost first, each running its code after the
// yield that returned false before the next is stopped, as in Go; a plain
// range over a function between (one whose body does not wait, run by Go)
// has returned before the jump's state runs.
func (m *machine) exitTo(st *state, keep int) *state {
	if keep >= len(m.pulls) {
		return st
	}
	p := m.pulls[len(m.pulls)-1]
	for _, e := range p.exits {
		if e.to == st {
			return e.via
		}
	}
	via := m.newState(fmt.Sprintf("leaving the range loop at line %d", p.line))
	p.exits = append(p.exits, pullExit{to: st, via: via, keep: keep})
	return via
}

// constantLength returns the length of the array that s ranges over when
// Go does not evaluate the range expression: s has at most one iteration
// variable, and len(s.X) is a constant, s.X being an array or a pointer to
// an array with no function call or receive in it (a wait is a call).
// "for i := range *p" with a nil p runs len(*p) times.
func (m *machine) constantLength(s *dst.RangeStmt) (int64, bool) {
	t := m.typeOf(s.X)
	if s.Value != nil || t == nil {
		return 0, false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	a, ok := t.Underlying().(*types.Array)
	if !ok {
		return 0, false
	}
	// (A constant with a call in it, unsafe.Sizeof(g()), was folded by
	// desugar: any call left is one Go evaluates.)
	return a.Len(), !m.evaluates(s.X)
}

// runeType is rune, as the universe names it.
var runeType = types.Universe.Lookup("rune").Type()

// hidden declares a temporary of the current state set to value.
func (m *machine) hidden(base string, t types.Type, value dst.Expr, pos token.Position) *types.Var {
	v := m.newVar(base, t)
	m.add(m.define(v, value), pos)
	return v
}

// exitUnless adds "if !(cond) { jump to }".
func (m *machine) exitUnless(cond dst.Expr, to *state) {
	m.add(&dst.IfStmt{Cond: m.not(cond), Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(to)}}}, token.Position{})
}

// rangeAssign returns the statement that gives a range loop's iteration
// variables their values (k, v := key, value), or nil when there are none.
func (m *machine) rangeAssign(s *dst.RangeStmt, key, value dst.Expr) dst.Stmt {
	var lhs, rhs []dst.Expr
	if s.Key != nil && !isBlankExpr(s.Key) {
		lhs, rhs = append(lhs, s.Key), append(rhs, key)
	}
	if s.Value != nil && !isBlankExpr(s.Value) && value != nil {
		lhs, rhs = append(lhs, s.Value), append(rhs, value)
	}
	if len(lhs) == 0 {
		return nil
	}
	tok := token.ASSIGN
	if s.Tok == token.DEFINE {
		tok = token.DEFINE
	}
	return &dst.AssignStmt{Lhs: lhs, Tok: tok, Rhs: rhs}
}

func isBlankExpr(e dst.Expr) bool {
	id, ok := e.(*dst.Ident)
	return ok && id.Name == "_"
}

// switchStmt compiles an expression switch with waits: the dispatch tests
// the cases in order (a case expression that waits is evaluated only when
// the ones before it did not match), then each clause's body is states of
// its own; fallthrough jumps to the next body, break to after the switch.
func (m *machine) switchStmt(s *dst.SwitchStmt, label string) {
	if s.Init != nil {
		m.stmt(s.Init, "")
		s.Init = nil
	}
	line := m.position(s).Line
	var tag *types.Var
	if s.Tag != nil {
		x := m.spillExpr(s.Tag)
		t := m.typeOf(s.Tag)
		if tv, ok := m.typeAndValue(s.Tag); ok && tv.Value != nil && types.Default(t) != t {
			t = types.Default(t)
		}
		tag = m.hidden("tag", t, x, m.position(s.Tag))
	}
	after := m.newState(fmt.Sprintf("after the switch at line %d", line))
	var bodies []*state
	var defaultBody *state
	for _, c := range s.Body.List {
		cc := c.(*dst.CaseClause)
		st := m.newState(fmt.Sprintf("case at line %d", m.position(cc).Line))
		bodies = append(bodies, st)
		if cc.List == nil {
			defaultBody = st
		}
	}
	// Dispatch, in the order of the cases.
	for i, c := range s.Body.List {
		for _, e := range c.(*dst.CaseClause).List {
			_, boolean := m.typeOf(e).Underlying().(*types.Basic)
			cond := headerSafe(m.spillExpr(e))
			switch {
			case tag != nil:
				cond = &dst.BinaryExpr{X: m.ident(tag), Op: token.EQL, Y: cond}
			case !boolean:
				// switch { case i: } with i an interface compares i with
				// true; only a boolean can be an if's condition.
				cond = &dst.BinaryExpr{X: cond, Op: token.EQL, Y: dst.NewIdent("true")}
			}
			m.add(&dst.IfStmt{Cond: cond, Body: &dst.BlockStmt{List: []dst.Stmt{m.jumpStmt(bodies[i])}}}, m.position(e))
		}
	}
	if defaultBody != nil {
		m.jump(defaultBody)
	} else {
		m.jump(after)
	}
	m.targets = append(m.targets, &target{label: label, breakTo: after, breakPulls: len(m.pulls)})
	for i, c := range s.Body.List {
		cc := c.(*dst.CaseClause)
		m.begin(bodies[i])
		m.keepComments(decorationsOf(cc))
		list := cc.Body
		fall := len(list) > 0 && isFallthrough(list[len(list)-1])
		if fall {
			list = list[:len(list)-1]
		}
		m.stmts(list)
		if fall && i+1 < len(bodies) {
			m.jumpUnlessClosed(bodies[i+1])
		} else {
			m.jumpUnlessClosed(after)
		}
	}
	m.targets = m.targets[:len(m.targets)-1]
	m.begin(after)
}

// headerSafe returns e, parenthesized if it holds a composite literal of
// a named type outside parentheses, brackets and calls: a case expression
// may (case pt{1, 2}:), but where corofy makes it an if's condition, Go
// would read "pt {" as the start of the if's block ("if tag == pt{1, 2}
// {" does not parse; "if tag == (pt{1, 2}) {" does).
func headerSafe(e dst.Expr) dst.Expr {
	found := false
	var visit func(e dst.Expr)
	visit = func(e dst.Expr) {
		switch e := e.(type) {
		case *dst.CompositeLit:
			switch e.Type.(type) {
			case *dst.Ident, *dst.SelectorExpr, *dst.IndexExpr, *dst.IndexListExpr:
				found = true
			}
		case *dst.BinaryExpr:
			visit(e.X)
			visit(e.Y)
		case *dst.UnaryExpr:
			visit(e.X)
		case *dst.StarExpr:
			visit(e.X)
		case *dst.SelectorExpr:
			visit(e.X)
		case *dst.TypeAssertExpr:
			visit(e.X)
		}
	}
	visit(e)
	if found {
		return &dst.ParenExpr{X: e}
	}
	return e
}

func isFallthrough(s dst.Stmt) bool {
	b, ok := s.(*dst.BranchStmt)
	return ok && b.Tok == token.FALLTHROUGH
}

// labelState returns the state a goto to label jumps to.
func (m *machine) labelState(label string) *state {
	if m.labels[label] == nil {
		m.labels[label] = m.newState("label " + label)
	}
	return m.labels[label]
}

// typeSwitchStmt compiles a type switch with waits in its bodies: the
// dispatch is a type switch whose clauses store the clause's variable and
// jump to the clause's states.
func (m *machine) typeSwitchStmt(s *dst.TypeSwitchStmt, label string) {
	if s.Init != nil {
		m.stmt(s.Init, "")
		s.Init = nil
	}
	// The guard: "x.(type)" or "v := x.(type)"; x may wait.
	var guard *dst.TypeAssertExpr
	var symbol *dst.Ident
	switch a := s.Assign.(type) {
	case *dst.ExprStmt:
		guard = a.X.(*dst.TypeAssertExpr)
	case *dst.AssignStmt:
		guard, symbol = a.Rhs[0].(*dst.TypeAssertExpr), a.Lhs[0].(*dst.Ident)
	}
	guard.X = m.spillExpr(guard.X)
	line := m.position(s).Line
	after := m.newState(fmt.Sprintf("after the type switch at line %d", line))
	name := ""
	if symbol != nil {
		name = m.locals.fresh(symbol.Name + "Typed")
	}
	var clauses []dst.Stmt
	var bodies []*state
	hasDefault := false
	for _, c := range s.Body.List {
		cc := c.(*dst.CaseClause)
		hasDefault = hasDefault || cc.List == nil
		st := m.newState(fmt.Sprintf("type case at line %d", m.position(cc).Line))
		bodies = append(bodies, st)
		var body []dst.Stmt
		if info := m.implicitVar(cc); info != nil && name != "" && m.refersTo(cc.Body, info.v) {
			m.flatVar(info)
			body = append(body, &dst.AssignStmt{Lhs: []dst.Expr{m.defIdent(info.v)}, Tok: token.DEFINE, Rhs: []dst.Expr{dst.NewIdent(name)}})
		}
		body = append(body, m.jumpStmt(st))
		clauses = append(clauses, &dst.CaseClause{List: cc.List, Body: body})
	}
	var assign dst.Stmt = &dst.ExprStmt{X: guard}
	if name != "" && m.anyClauseUses(s) {
		assign = &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(name)}, Tok: token.DEFINE, Rhs: []dst.Expr{guard}}
	}
	m.add(&dst.TypeSwitchStmt{Assign: assign, Body: &dst.BlockStmt{List: clauses}}, m.position(s))
	if hasDefault {
		m.current.term = termDispatch
	} else {
		m.jump(after)
	}
	m.bodies(s.Body.List, bodies, label, after)
}

// bodies compiles the clause bodies of a switch, type switch or select into
// their states; break leaves for after.
func (m *machine) bodies(clauses []dst.Stmt, states []*state, label string, after *state) {
	m.targets = append(m.targets, &target{label: label, breakTo: after, breakPulls: len(m.pulls)})
	for i, c := range clauses {
		var list []dst.Stmt
		switch c := c.(type) {
		case *dst.CaseClause:
			list = c.Body
		case *dst.CommClause:
			list = c.Body
		}
		m.begin(states[i])
		m.keepComments(decorationsOf(c))
		m.stmts(list)
		m.jumpUnlessClosed(after)
	}
	m.targets = m.targets[:len(m.targets)-1]
	m.begin(after)
}

// implicitVar returns the variable a type switch declares in clause cc.
func (m *machine) implicitVar(cc *dst.CaseClause) *varInfo {
	a := m.astOf(cc)
	if a == nil {
		return nil
	}
	start, _ := m.offsets(a)
	m.ix.mustCover(start)
	v, ok := m.ix.implicit[start].(*types.Var)
	if !ok {
		return nil
	}
	if m.vars[v] == nil {
		m.addVar(v, &varInfo{})
	}
	return m.vars[v]
}

// refersTo reports whether list names v.
func (m *machine) refersTo(list []dst.Stmt, v *types.Var) bool {
	found := false
	for _, s := range list {
		dst.Inspect(s, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && m.objectOf(id) == v {
				found = true
			}
			return !found
		})
	}
	return found
}

// anyClauseUses reports whether some clause of a type switch uses its
// variable.
func (m *machine) anyClauseUses(s *dst.TypeSwitchStmt) bool {
	for _, c := range s.Body.List {
		cc := c.(*dst.CaseClause)
		if info := m.implicitVar(cc); info != nil && m.refersTo(cc.Body, info.v) {
			return true
		}
	}
	return false
}

// selectStmt compiles a select with waits: the channel operands and sent
// values are evaluated in source order first (their waits too), then the
// dispatch is a select whose clauses keep what they received and jump to
// the clause's states, where the user's assignment of it runs.
func (m *machine) selectStmt(s *dst.SelectStmt, label string) {
	commWaits := false
	for _, c := range s.Body.List {
		if comm := c.(*dst.CommClause).Comm; comm != nil && m.containsWait(comm) {
			commWaits = true
		}
	}
	line := m.position(s).Line
	if commWaits { // evaluate every operand, in order, into temporaries
		type operand struct {
			base string
			e    *dst.Expr
		}
		var operands []operand
		for _, c := range s.Body.List {
			switch comm := c.(*dst.CommClause).Comm.(type) {
			case *dst.SendStmt:
				operands = append(operands, operand{"ch", &comm.Chan}, operand{"send", &comm.Value})
			case *dst.ExprStmt:
				operands = append(operands, operand{"ch", &comm.X.(*dst.UnaryExpr).X})
			case *dst.AssignStmt:
				operands = append(operands, operand{"ch", &comm.Rhs[0].(*dst.UnaryExpr).X})
			}
		}
		// A variable is read on entering the select, before the waits of
		// the operands after it, which may change it: it is copied then.
		waitsAfter := make([]bool, len(operands)+1)
		for i := len(operands) - 1; i >= 0; i-- {
			waitsAfter[i] = waitsAfter[i+1] || m.containsWait(*operands[i].e)
		}
		for i, o := range operands {
			*o.e = m.evaluated(o.base, *o.e, waitsAfter[i+1])
		}
	}
	after := m.newState(fmt.Sprintf("after the select at line %d", line))
	var clauses []dst.Stmt
	var bodies []*state
	for _, c := range s.Body.List {
		cc := c.(*dst.CommClause)
		st := m.newState(fmt.Sprintf("select case at line %d", m.position(cc).Line))
		bodies = append(bodies, st)
		comm := cc.Comm
		var moved []dst.Stmt
		if a, ok := comm.(*dst.AssignStmt); ok { // v, ok := <-ch: received into temporaries
			var lhs, rhs []dst.Expr
			for _, l := range a.Lhs {
				if isBlankExpr(l) {
					lhs = append(lhs, l)
					rhs = append(rhs, nil)
					continue
				}
				tmp := m.newVar("received", m.typeOf(l))
				lhs = append(lhs, m.defIdent(tmp))
				rhs = append(rhs, m.ident(tmp))
			}
			var ul, ur []dst.Expr
			for i, l := range a.Lhs {
				if rhs[i] != nil {
					ul, ur = append(ul, l), append(ur, rhs[i])
				}
			}
			tok := token.DEFINE
			if len(ul) > 0 {
				moved = append(moved, &dst.AssignStmt{Lhs: ul, Tok: a.Tok, Rhs: ur})
			} else {
				tok = token.ASSIGN // case _ = <-c: nothing new to declare
			}
			comm = &dst.AssignStmt{Lhs: lhs, Tok: tok, Rhs: a.Rhs}
		}
		cc.Body = append(moved, cc.Body...)
		dispatch := &dst.CommClause{Comm: comm, Body: []dst.Stmt{m.jumpStmt(st)}}
		if p := m.position(cc.Comm); p.IsValid() && m.file.cfg.LineDirectives {
			// The clauses are printed without their bodies: each
			// operation would count on from the line of the one before.
			dispatch.Decs.Case.Append(fmt.Sprintf("/*line :%d:%d*/", p.Line, max(p.Column-1, 1)))
		}
		clauses = append(clauses, dispatch)
	}
	m.add(&dst.SelectStmt{Body: &dst.BlockStmt{List: clauses}}, m.position(s))
	m.current.term = termDispatch
	m.bodies(s.Body.List, bodies, label, after)
}

// evaluated evaluates e (cutting its waits) into a new temporary, unless
// it is a constant, nil, or a plain variable and not copyVars (no wait
// comes after it that could change it), and returns what stands for it.
func (m *machine) evaluated(base string, e dst.Expr, copyVars bool) dst.Expr {
	x := m.spillExpr(e)
	if tv, ok := m.typeAndValue(e); ok && (tv.Value != nil || tv.IsNil()) {
		return x
	}
	if id, ok := x.(*dst.Ident); ok {
		if _, isVar := m.objectOf(id).(*types.Var); !isVar || !copyVars || id != e {
			return x // a temporary of the spill, or nothing a wait can change
		}
	}
	t := m.typeOf(e)
	if t == nil {
		return x
	}
	return m.ident(m.hidden(base, t, x, m.position(e)))
}

// declaredIn reports whether label labels a statement inside n.
func declaredIn(label string, n dst.Node) bool {
	found := false
	dst.Inspect(n, func(c dst.Node) bool {
		if l, ok := c.(*dst.LabeledStmt); ok && l.Label.Name == label {
			found = true
		}
		return !found
	})
	return found
}

// usesLabel reports whether a break or continue in s names label.
func usesLabel(s dst.Node, label string) bool {
	found := false
	dst.Inspect(s, func(n dst.Node) bool {
		if b, ok := n.(*dst.BranchStmt); ok && b.Tok != token.GOTO && b.Label != nil && b.Label.Name == label {
			found = true
		}
		return !found
	})
	return found
}
