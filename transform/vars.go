package transform

import (
	"container/heap"
	"go/token"
	"go/types"
	"math/bits"
	"strconv"

	"github.com/dave/dst"
)

// This file is the storage pass (see "The passes" and "Variables" in
// doc.go), with collectVars, which runs before the cut so that it knows
// the variables.
//
// Invariant, after decideStorage and share: every variable of the
// coroutine is either a local of Poll, declared in the one state that uses
// it, or stored (hoisted) in a field of the machine: a parameter any state
// uses, a named result of a coroutine that defers, a variable live at the
// start of a state other than the first (liveness over the cfg pass's
// successors), or one whose address is taken and that more than one state
// names. A stored variable declared in a loop whose address a closure or
// pointer may keep is a cell (its field a pointer, a new variable per
// declaration). Temporaries of identical types whose lifetimes never
// overlap share a field. Emit only follows these decisions.

// collectVars records the coroutine's parameters, receiver and named
// results, and every variable its body declares outside function literals.
func (m *machine) collectVars() {
	addFields := func(fl *dst.FieldList, param, result bool) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, id := range f.Names {
				if v, ok := m.objectOf(id).(*types.Var); ok && !isBlank(v) {
					m.addVar(v, &varInfo{param: param, result: result, def: -1})
				}
			}
		}
	}
	addFields(m.decl.Recv, true, false)
	addFields(m.decl.Type.Params, true, false)
	addFields(m.decl.Type.Results, false, true)
	// A variable of the body declared at state level must not take the
	// name of a parameter or result: they would be two fields of one name.
	for _, v := range m.varsInOrder {
		m.flat.taken[v.Name()] = true
	}
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false
		case *dst.Ident:
			if v, ok := m.objectOf(n).(*types.Var); ok && m.isDef(n) && !v.IsField() && !isBlank(v) {
				m.addVar(v, &varInfo{})
			}
		}
		return true
	})
	m.renameReserved()
}

// renameReserved renames the variables named like a predeclared
// identifier (true, len, string, ...), which the generated code writes in
// their scope, and those named Poll, which would be a field beside the
// machine's method.
func (m *machine) renameReserved() {
	for _, v := range m.varsInOrder {
		info := m.vars[v]
		if v.Name() != "Poll" && types.Universe.Lookup(v.Name()) == nil {
			continue
		}
		name := v.Name()
		for i := 2; m.locals.taken[name] || m.fields.taken[name] || m.file.names.taken[name]; i++ {
			name = v.Name() + strconv.Itoa(i)
		}
		m.locals.taken[name], m.fields.taken[name] = true, true
		info.name = name
	}
}

func (m *machine) addVar(v *types.Var, info *varInfo) {
	if m.vars[v] != nil {
		return
	}
	info.v, info.name, info.states, info.usedIn, info.readIn = v, v.Name(), map[int]bool{}, map[int]bool{}, map[int]bool{}
	m.vars[v] = info
	m.varsInOrder = append(m.varsInOrder, v)
}

// markAddressed marks the variables whose address is taken (&x, x.M()
// or the method value x.M of a pointer method, x[:] of an array) or that
// a closure captures: code may reach them without naming them.
func (m *machine) markAddressed() {
	var inLit int
	var visit func(n dst.Node) bool
	visit = func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			inLit++
			dst.Inspect(n.Body, visit)
			inLit--
			return false
		case *dst.Ident:
			if info := m.varOf(n); info != nil && inLit > 0 {
				info.addr = true
			}
		case *dst.UnaryExpr:
			if n.Op == token.AND {
				m.markRoot(n.X)
			}
		case *dst.SliceExpr:
			if _, isArray := m.typeOf(n.X).Underlying().(*types.Array); isArray {
				m.markRoot(n.X)
			}
		case *dst.SelectorExpr:
			// x.M with a pointer method M, called or not: a method value
			// binds &x (also for a promoted method, w.M, and an element,
			// arr[i].M) and keeps it for as long as it lives.
			if fn, ok := m.methodOf(n); ok {
				if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
					if _, ptr := recv.Type().(*types.Pointer); ptr {
						if t := m.typeOf(n.X); t != nil {
							if _, isPtr := t.Underlying().(*types.Pointer); !isPtr {
								m.markRoot(n.X)
							}
						}
					}
				}
			}
		}
		return true
	}
	dst.Inspect(m.decl.Body, visit)
}

// markGotoLoops marks the variables a backward goto declares anew: in
//
//	again:
//		x := i
//		...
//		goto again
//
// each run of x := i makes a new variable, as each iteration of a loop
// does, so a closure or a pointer that holds the previous x keeps it
// (see "Variables in loops" in doc.go). Every variable declared between a
// label and a goto to it that comes later in the source is marked, which
// is more than needed where no path leads back, and never less.
func (m *machine) markGotoLoops() {
	labels := map[string]int{} // the offset of each label of the body
	type jump struct {
		label string
		at    int
	}
	var gotos []jump
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false
		case *dst.LabeledStmt:
			if p := m.position(n); p.IsValid() {
				labels[n.Label.Name] = p.Offset
			}
		case *dst.BranchStmt:
			if n.Tok == token.GOTO && n.Label != nil {
				if p := m.position(n); p.IsValid() {
					gotos = append(gotos, jump{n.Label.Name, p.Offset})
				}
			}
		}
		return true
	})
	for _, g := range gotos {
		from, ok := labels[g.label]
		if !ok || from > g.at {
			continue // a forward goto
		}
		for _, v := range m.varsInOrder {
			info := m.vars[v]
			if info.param || info.result || info.temp || !v.Pos().IsValid() {
				continue
			}
			if at := m.file.cleanOffset(v.Pos()); from <= at && at < g.at {
				info.inLoop = true
			}
		}
	}
}

// methodOf returns the method a selector denotes, if any.
func (m *machine) methodOf(sel *dst.SelectorExpr) (*types.Func, bool) {
	fn, ok := m.objectOf(sel.Sel).(*types.Func)
	return fn, ok
}

// markRoot marks the variable an addressable expression x.f[i].g is part of.
func (m *machine) markRoot(x dst.Expr) {
	for {
		switch e := x.(type) {
		case *dst.ParenExpr:
			x = e.X
		case *dst.SelectorExpr:
			if _, ptr := m.typeOf(e.X).Underlying().(*types.Pointer); ptr {
				return
			}
			x = e.X
		case *dst.IndexExpr:
			if _, isArray := m.typeOf(e.X).Underlying().(*types.Array); !isArray {
				return
			}
			x = e.X
		case *dst.Ident:
			if info := m.varOf(e); info != nil {
				info.addr = true
			}
			return
		default:
			return
		}
	}
}

// varOf returns the coroutine variable id denotes, or nil.
func (m *machine) varOf(id *dst.Ident) *varInfo {
	v, ok := m.objectOf(id).(*types.Var)
	if !ok {
		return nil
	}
	return m.vars[v]
}

// refs returns the variables statement s uses and those it defines
// (assigns whole at its top level: x = ..., x := ..., var x ...), in that
// order of execution: uses first. A bare return uses the named results.
func (m *machine) refs(s dst.Stmt, st *state) (uses, defs []*types.Var) {
	defined := map[*dst.Ident]bool{}
	switch s := s.(type) {
	case *dst.AssignStmt:
		if s.Tok == token.ASSIGN || s.Tok == token.DEFINE {
			for _, l := range s.Lhs {
				if id, ok := l.(*dst.Ident); ok {
					defined[id] = true
				}
			}
		}
	case *dst.DeclStmt:
		dst.Inspect(s, func(n dst.Node) bool {
			if vs, ok := n.(*dst.ValueSpec); ok {
				for _, id := range vs.Names {
					defined[id] = true
				}
			}
			return true
		})
	}
	// A variable declared in s starts there: its uses in s are not uses of
	// an earlier value.
	declared := map[*types.Var]bool{}
	dst.Inspect(s, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && m.isDef(id) {
			if info := m.varOf(id); info != nil {
				declared[info.v] = true
				defs = append(defs, info.v)
			}
		}
		return true
	})
	ident := func(n *dst.Ident) {
		info := m.varOf(n)
		if info == nil {
			return
		}
		switch {
		case m.isDef(n):
			info.def = st.index
		case defined[n]:
			defs = append(defs, info.v)
		case !declared[info.v]:
			uses = append(uses, info.v)
		default:
			info.states[st.index] = true
		}
	}
	dst.Inspect(s, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			// What a closure names, it uses; its bare returns are its own.
			dst.Inspect(n, func(n dst.Node) bool {
				if id, ok := n.(*dst.Ident); ok {
					ident(id)
				}
				return true
			})
			return false
		case *dst.ReturnStmt:
			// A bare return reads the coroutine's named results.
			if len(n.Results) == 0 {
				for _, v := range m.varsInOrder {
					if m.vars[v].result {
						uses = append(uses, v)
					}
				}
			}
		case *dst.Ident:
			ident(n)
		}
		return true
	})
	return uses, defs
}

// reads returns the variables statement s uses as Go counts a use for
// "declared and not used": every mention but a declaration and the
// variable itself on the left of an = or a := (at any depth of s, in
// closures too: x = 1 in a loop body or a func literal is no use, x++,
// x += 1 and x.f = 1 are).
func (m *machine) reads(s dst.Stmt) []*types.Var {
	assigned := map[*dst.Ident]bool{}
	dst.Inspect(s, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.AssignStmt:
			if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := unparen(l).(*dst.Ident); ok {
						assigned[id] = true
					}
				}
			}
		case *dst.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, x := range []dst.Expr{n.Key, n.Value} {
					if id, ok := x.(*dst.Ident); ok {
						assigned[id] = true
					}
				}
			}
		}
		return true
	})
	var out []*types.Var
	dst.Inspect(s, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && !assigned[id] && !m.isDef(id) {
			if info := m.varOf(id); info != nil {
				out = append(out, info.v)
			}
		}
		return true
	})
	return out
}

// leaves reports whether s may leave its state: it jumps or returns.
func (m *machine) leaves(s dst.Stmt) bool {
	found := false
	dst.Inspect(s, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false
		case *dst.ReturnStmt:
			found = true
		case *dst.BranchStmt:
			found = found || m.jumps[n] != nil
		}
		return !found
	})
	return found
}

// decideStorage decides which variables the machine stores (see
// "Variables" in doc.go): those live at the start of a state other than
// the first (every case is a scope of its own, and a wait returns from
// Poll), the parameters, and those whose address is taken and that are
// named in more than one state. Liveness is the classic backward dataflow
// over the states: live-in = used before killed, plus live-out less
// killed, where only definitions before the state may leave count as
// kills.
func (m *machine) decideStorage() {
	n, nv := len(m.states), len(m.varsInOrder)
	m.varIndex = make(map[*types.Var]int, nv)
	for i, v := range m.varsInOrder {
		m.varIndex[v] = i
	}
	used := make([]bitset, n)   // used before being killed
	killed := make([]bitset, n) // defined on every way through
	succ := make([][]int, n)
	for _, st := range m.states {
		i := st.index
		used[i], killed[i] = newBitset(nv), newBitset(nv)
		if st.wait != nil && st.wait.target != nil {
			killed[i].add(m.varIndex[st.wait.target])
			m.vars[st.wait.target].states[i] = true
		}
		// A state runs from its top, its statements in order: a use after
		// a definition earlier in the state reads that definition, even
		// when a statement between may leave the state.
		left := false
		defined := newBitset(nv)
		if st.wait != nil && st.wait.target != nil {
			defined.add(m.varIndex[st.wait.target])
		}
		for _, s := range st.stmts {
			for _, v := range m.reads(s) {
				m.vars[v].readIn[i] = true
			}
			uses, defs := m.refs(s, st)
			for _, v := range uses {
				m.vars[v].states[i] = true
				m.vars[v].usedIn[i] = true
				if k := m.varIndex[v]; !defined.has(k) {
					used[i].add(k)
				}
			}
			for _, v := range defs {
				m.vars[v].states[i] = true
				defined.add(m.varIndex[v])
				if !left {
					killed[i].add(m.varIndex[v])
				}
			}
			left = left || m.leaves(s)
		}
		succ[i] = st.successors()
	}
	// Backward dataflow: live in = used | (live in of the successors minus
	// killed). Sets only grow, so the sweeps stop.
	liveIn := make([]bitset, n)
	for i := range liveIn {
		liveIn[i] = newBitset(nv)
		liveIn[i].union(used[i])
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			for _, j := range succ[i] {
				if liveIn[i].unionMinus(liveIn[j], killed[i]) {
					changed = true
				}
			}
		}
	}
	for i := 1; i < n; i++ {
		liveIn[i].each(func(k int) { m.vars[m.varsInOrder[k]].hoisted = true })
	}
	m.liveIn = liveIn
	for _, v := range m.varsInOrder {
		info := m.vars[v]
		switch {
		case info.param && len(info.states) > 0:
			info.hoisted = true
		case info.addr && len(info.states) > 1:
			info.hoisted = true
		case info.result && m.hasDefer:
			info.hoisted = true // deferred calls may set it, Poll's recovery reads it
		}
		// A variable declared anew at each iteration that a closure or a
		// pointer may hold needs storage of its own per declaration.
		info.cell = info.hoisted && info.addr && info.inLoop && !info.param
	}
}

// share lets stored temporaries (corofy's outK, tmpK, condK, ...) of
// identical types whose lifetimes never overlap use one field (see
// "Variables" in doc.go). A variable occupies the states that name it and
// those it is live into; two may share when no state is occupied by both.
// The user's variables keep fields of their own and their names, so that
// the machine reads like the source.
func (m *machine) share() {
	n := len(m.states)
	// The states each variable occupies, from the liveness sets: one pass
	// over them, not one per variable.
	occupied := make([]bitset, len(m.varsInOrder))
	for k := range m.varsInOrder {
		occupied[k] = newBitset(n)
	}
	for i, live := range m.liveIn {
		live.each(func(k int) { occupied[k].add(i) })
	}
	// The slots of each type, in the order they were made, and the same
	// slots by the last state they occupy, the earliest first: a variable
	// whose states all come after that one may take it.
	slots := map[string]*slotsOfType{}
	for k, v := range m.varsInOrder {
		info := m.vars[v]
		info.field = info.name
		if !info.hoisted || !info.temp || info.cell || info.addr || !m.file.cfg.shareFields() {
			continue
		}
		occ := occupied[k]
		for s := range info.states {
			occ.add(s)
		}
		key := types.TypeString(v.Type(), nil)
		if slots[key] == nil {
			slots[key] = &slotsOfType{}
		}
		home := slots[key].find(occ, v.Type())
		if home == nil {
			slots[key].add(&fieldSlot{owner: info, occ: occ})
			continue
		}
		info.field = home.owner.name
		m.sharers[home.owner] = append(m.sharers[home.owner], info)
		slots[key].occupy(home, occ)
	}
}

// A fieldSlot is a field that temporaries share, and the states they
// occupy.
type fieldSlot struct {
	owner   *varInfo
	occ     bitset
	last    int // the last state in occ
	heapIdx int
}

// slotsOfType are the field slots of one type. find tries the first few
// slots made (first fit, where most sharing is found) and then the slot
// that is free the earliest: a bounded amount of work per variable, so
// sharing stays linear in the number of temporaries.
type slotsOfType struct {
	all    []*fieldSlot
	byLast slotHeap
}

// firstFit is how many slots find checks in the order they were made.
const firstFit = 16

func (st *slotsOfType) find(occ bitset, t types.Type) *fieldSlot {
	fits := func(sl *fieldSlot) bool {
		return types.Identical(sl.owner.v.Type(), t) && !sl.occ.intersects(occ)
	}
	for _, sl := range st.all[:min(len(st.all), firstFit)] {
		if fits(sl) {
			return sl
		}
	}
	if len(st.byLast) > 0 && fits(st.byLast[0]) {
		return st.byLast[0]
	}
	return nil
}

func (st *slotsOfType) add(sl *fieldSlot) {
	sl.last = lastOf(sl.occ)
	st.all = append(st.all, sl)
	heap.Push(&st.byLast, sl)
}

func (st *slotsOfType) occupy(sl *fieldSlot, occ bitset) {
	sl.occ.union(occ)
	sl.last = lastOf(sl.occ)
	heap.Fix(&st.byLast, sl.heapIdx)
}

// lastOf returns the largest element of b, or -1.
func lastOf(b bitset) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i*64 + 63 - bits.LeadingZeros64(b[i])
		}
	}
	return -1
}

// slotHeap orders slots by their last state (container/heap).
type slotHeap []*fieldSlot

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].last < h[j].last }
func (h slotHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *slotHeap) Push(x any) {
	sl := x.(*fieldSlot)
	sl.heapIdx = len(*h)
	*h = append(*h, sl)
}
func (h *slotHeap) Pop() any {
	old := *h
	sl := old[len(old)-1]
	*h = old[:len(old)-1]
	return sl
}
