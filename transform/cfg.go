package transform

import (
	"github.com/dave/dst"
)

// This file is the cfg pass (see "The passes" in doc.go): it makes the
// control flow between the states that flow.go cut explicit, once, so that
// every later reader takes it from one place.
//
// Invariant, after buildCFG: every way control leaves a state within one
// Poll is one of the state's exits, in the order of the code: a jump to a
// state, or the coroutine's completion (a return, or the end of a state
// that runs off its end). Each exit carries its guards, the statements of
// the state it sits in (an if's branch, a case or comm clause), outermost
// first: the conditions under which it is taken. The state's terminator
// says how its code ends. A state that waits is entered by polling its
// future, and returns from Poll, not ready, until the future is ready:
// that self loop across Polls is the wait's, not an exit.
//
// Liveness (vars.go) reads the successors off the exits, lower (lower.go)
// completes the machine where the terminator says the state runs off its
// end, and corofy -graph draws the exits, labelled with their guards as
// the generated code writes them (labelGraphs in graph.go). The tests read
// the same graph off the printed Poll and compare (graph_test.go).

// terminator is how the code of a state ends.
type terminator int

const (
	// termOpen: the state does not end yet (while flow.go builds it), or,
	// once the body is cut, it runs off its end: the coroutine completes
	// there, as at the end of the body.
	termOpen terminator = iota
	// termJump: an unconditional jump to a state (written as a fallthrough
	// into the next case, or "state = N; continue").
	termJump
	// termDispatch: a type switch or select of flow.go whose clauses each
	// jump to the state of their body.
	termDispatch
	// termReturn: a return of the coroutine.
	termReturn
	// termStop: any other terminating statement (a panic, a loop with no
	// way out, a switch whose clauses all end so): control does not run
	// on.
	termStop
)

// article names the terminator after "ends in", for COROFY_DUMP.
func (t terminator) article() string {
	return [...]string{
		termOpen:     "nothing: runs off its end",
		termJump:     "a jump",
		termDispatch: "a dispatch",
		termReturn:   "a return",
		termStop:     "a terminating statement",
	}[t]
}

// exit is one way out of a state within a Poll.
type exit struct {
	to     *state  // nil: the coroutine completes
	guards []guard // the statements of the state around it, outermost first
}

// guard is a condition an exit is under: the then branch or the else
// branch of an if, or a clause of a switch, type switch or select.
type guard struct {
	node dst.Node // *dst.IfStmt, *dst.CaseClause or *dst.CommClause
	els  bool     // the else branch of the if
}

// terminatorOf returns the terminator that statement s gives the state it
// ends.
func (m *machine) terminatorOf(s dst.Stmt) terminator {
	switch {
	case m.isJump(s):
		return termJump
	case isReturn(s):
		return termReturn
	case isTerminating(s):
		return termStop
	}
	return termOpen
}

func isReturn(s dst.Stmt) bool {
	_, ok := s.(*dst.ReturnStmt)
	return ok
}

// buildCFG gives every state its exits, in one walk over its statements:
// jump markers and returns, at any depth but not in function literals
// (whose returns are their own), and the completion at the end of a
// state that runs off its end. The returns in the body of a range over a
// function that completes the machine after the loop (see iterCheck) are
// one exit, under that check.
func (m *machine) buildCFG() {
	for _, st := range m.states {
		st.exits = nil
		var guards []guard
		inIter := false // in the body of such a range
		var visit func(s dst.Stmt)
		under := func(g guard, list []dst.Stmt) {
			guards = append(guards, g)
			for _, s := range list {
				visit(s)
			}
			guards = guards[:len(guards)-1]
		}
		add := func(to *state) {
			st.exits = append(st.exits, exit{to: to, guards: append([]guard(nil), guards...)})
		}
		visit = func(s dst.Stmt) {
			switch s := s.(type) {
			case *dst.BranchStmt:
				if to := m.jumps[s]; to != nil {
					add(to)
				}
			case *dst.ReturnStmt:
				if !inIter {
					add(nil)
				}
			case *dst.BlockStmt:
				for _, s := range s.List {
					visit(s)
				}
			case *dst.LabeledStmt:
				visit(s.Stmt)
			case *dst.IfStmt:
				under(guard{node: s}, s.Body.List)
				if s.Else != nil {
					under(guard{node: s, els: true}, []dst.Stmt{s.Else})
				}
			case *dst.ForStmt:
				visit(s.Body)
			case *dst.RangeStmt:
				var check *dst.IfStmt
				if !inIter {
					check = m.iterCheck(s)
				}
				if check == nil {
					visit(s.Body)
					break
				}
				inIter = true
				visit(s.Body)
				inIter = false
				guards = append(guards, guard{node: check})
				add(nil)
				guards = guards[:len(guards)-1]
			case *dst.SwitchStmt:
				visit(s.Body)
			case *dst.TypeSwitchStmt:
				visit(s.Body)
			case *dst.SelectStmt:
				visit(s.Body)
			case *dst.CaseClause:
				under(guard{node: s}, s.Body)
			case *dst.CommClause:
				under(guard{node: s}, s.Body)
			}
		}
		for _, s := range st.stmts {
			visit(s)
		}
		if st.term == termOpen {
			add(nil) // completes at its end, as the body's end does
		}
	}
}

// successors returns the states st may jump to, in the order of its exits.
func (st *state) successors() []int {
	var out []int
	for _, e := range st.exits {
		if e.to != nil {
			out = append(out, e.to.index)
		}
	}
	return out
}
