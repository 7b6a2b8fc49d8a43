package transform

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
)

// event is one reference to a variable, in execution order.
type event struct {
	v     *types.Var
	state int
	def   bool // a full assignment: the old value is dead before it
}

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
}

func (m *machine) addVar(v *types.Var, info *varInfo) {
	if m.vars[v] != nil {
		return
	}
	info.v, info.name, info.states = v, v.Name(), map[int]bool{}
	m.vars[v] = info
	m.order = append(m.order, v)
}

// markAddressed marks the variables whose address is taken (&x, x.M()
// with a pointer method, x[:] of an array) or that a closure captures:
// code may reach them without naming them.
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
		case *dst.CallExpr:
			if sel, ok := n.Fun.(*dst.SelectorExpr); ok {
				if t := m.typeOf(sel.X); t != nil {
					if fn, ok := m.methodOf(sel); ok {
						if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
							if _, ptr := recv.Type().(*types.Pointer); ptr {
								if _, isPtr := t.Underlying().(*types.Pointer); !isPtr {
									m.markRoot(sel.X)
								}
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

// events lists the references to variables in execution order: per
// statement, its uses before its definitions.
func (m *machine) events() []event {
	var evs []event
	for _, st := range m.states {
		if st.wait != nil && st.wait.target != nil {
			evs = append(evs, event{v: st.wait.target, state: st.index, def: true})
		}
		for _, s := range st.stmts {
			var defs []event
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
			dst.Inspect(s, func(n dst.Node) bool {
				id, ok := n.(*dst.Ident)
				if !ok {
					return true
				}
				info := m.varOf(id)
				if info == nil {
					return true
				}
				if m.isDef(id) {
					info.def = st.index
				}
				if defined[id] {
					defs = append(defs, event{v: info.v, state: st.index, def: true})
				} else {
					evs = append(evs, event{v: info.v, state: st.index})
				}
				return true
			})
			evs = append(evs, defs...)
		}
	}
	return evs
}

// decideStorage decides which variables the machine stores (see
// "Variables" in doc.go): those live across a wait, the parameters, and
// those whose address is taken and that are named in more than one state.
func (m *machine) decideStorage() {
	evs := m.events()
	for _, e := range evs {
		m.vars[e.v].states[e.state] = true
	}
	// live[v] holds while scanning backwards: v is used before being
	// redefined after the current point.
	live := map[*types.Var]bool{}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.def {
			live[e.v] = false
		} else {
			live[e.v] = true
		}
		// At a state boundary, whatever is live crosses a wait.
		if i == 0 || evs[i-1].state != e.state {
			for v, l := range live {
				if l && e.state > 0 {
					m.vars[v].hoisted = true
				}
			}
		}
	}
	// Variables live at the start of state 0 are parameters or results.
	for _, v := range m.order {
		info := m.vars[v]
		switch {
		case info.param && len(info.states) > 0:
			info.hoisted = true
		case info.addr && len(info.states) > 1:
			info.hoisted = true
		}
	}
}
