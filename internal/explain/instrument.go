package explain

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// The trace's events, as the instrumented machines record them.
const (
	evPoll    = "poll"    // Poll is called; st is the state it resumes at
	evEnter   = "enter"   // control enters a state's case (st)
	evPending = "pending" // Poll returns not ready; st is the state it will resume at
	evDone    = "done"    // Poll returns ready: the coroutine has completed
	evReturn  = "return"  // another return of Poll (a panic's path, say)
	evRepeat  = "repeat"  // the Len events before happened N more times, the same
)

// recordFunc is the function the instrumented machines call; helperFile
// defines it.
const recordFunc = "corofyExplainRecord"

// instrument returns the generated file src (parsed as f) with a call to
// recordFunc at the start of each Poll, of each state's case, and before
// each return of Poll. Each call goes on the line of the code it records,
// before it, so that no line of the file moves: the generated line an
// event names is the line the page shows.
func instrument(src []byte, f *ast.File, fset *token.FileSet, m *lineMap) ([]byte, []point, error) {
	type insertion struct {
		off  int
		text string
	}
	var points []point
	var ins []insertion
	tf := fset.File(f.Pos())
	for _, co := range sortedKeys(m.polls) {
		p := m.polls[co]
		if p.recv == "" || p.recv == "_" {
			return nil, nil, fmt.Errorf("the Poll of %s has no receiver name", p.graph.Type)
		}
		stateField := stateFieldOf(p)
		var fields []string
		for _, name := range p.fields {
			if name != stateField && name != "_" {
				fields = append(fields, strconv.Quote(name), p.recv+"."+name)
			}
		}
		call := func(pos token.Pos, ev, st string) insertion {
			off := tf.Offset(pos)
			line := tf.PositionFor(pos, false).Line
			points = append(points, point{co, ev, line})
			args := append([]string{p.recv, strconv.Quote(co), strconv.Quote(ev), st, strconv.Itoa(line)}, fields...)
			return insertion{off, recordFunc + "(" + strings.Join(args, ", ") + "); "}
		}
		resumeAt := "-3"
		if stateField != "" {
			resumeAt = p.recv + "." + stateField
		}
		body := p.decl.Body
		// At the start of Poll, after the brace.
		i := call(body.Lbrace+1, evPoll, resumeAt)
		i.text = " " + i.text
		ins = append(ins, i)
		for n, cc := range p.cases {
			i := call(cc.Colon+1, evEnter, strconv.Itoa(n))
			i.text = " " + i.text
			ins = append(ins, i)
		}
		// Each return of Poll, outside function literals.
		caseOf := func(pos token.Pos) int {
			for n, cc := range p.cases {
				if cc.Pos() <= pos && pos < cc.End() {
					return n
				}
			}
			return -3
		}
		ast.Inspect(body, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				ev, st := evReturn, strconv.Itoa(caseOf(x.Pos()))
				if len(x.Results) > 0 {
					if id, ok := x.Results[len(x.Results)-1].(*ast.Ident); ok {
						switch id.Name {
						case "false":
							ev = evPending
							if stateField != "" {
								st = p.recv + "." + stateField
							}
						case "true":
							ev, st = evDone, "-1"
						}
					}
				}
				ins = append(ins, call(x.Pos(), ev, st))
			}
			return true
		})
	}
	slices.SortStableFunc(ins, func(a, b insertion) int { return b.off - a.off })
	out := slices.Clone(src)
	for _, i := range ins {
		out = slices.Insert(out, i.off, []byte(i.text)...)
	}
	return out, points, nil
}

// point is a place where the instrumented code records an event.
type point struct {
	co, ev string
	line   int // generated
}

// stateFieldOf returns the machine's field that holds its state: the
// field Poll copies into the variable its switch is on ("state :=
// c.state"), or "".
func stateFieldOf(p *pollInfo) string {
	var tag string
	ast.Inspect(p.decl.Body, func(x ast.Node) bool {
		sw, ok := x.(*ast.SwitchStmt)
		if !ok || tag != "" || !slices.ContainsFunc(sw.Body.List, func(c ast.Stmt) bool { return c == p.cases[0] }) {
			return tag == ""
		}
		switch t := sw.Tag.(type) {
		case *ast.Ident:
			tag = t.Name
		case *ast.SelectorExpr: // switch c.state
			if x, ok := t.X.(*ast.Ident); ok && x.Name == p.recv {
				tag = "-"
				p.stateField = t.Sel.Name
			}
		}
		return tag == ""
	})
	if p.stateField != "" {
		return p.stateField
	}
	field := ""
	for _, s := range p.decl.Body.List {
		as, ok := s.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != tag {
			continue
		}
		if sel, ok := as.Rhs[0].(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == p.recv {
				field = sel.Sel.Name
			}
		}
	}
	return field
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// helperFile returns the file added to the package for a traced run: it
// defines recordFunc, which writes each event as a line of JSON to the
// file named by $COROFY_EXPLAIN_TRACE, with the size of standard output
// at that moment (standard output is a file during the run), so the page
// can show what the program had printed at each step.
func helperFile(pkg string) []byte {
	return []byte(strings.Replace(helperSrc, "package main", "package "+pkg, 1))
}

const helperSrc = `// Code generated by corofy explain -run for a traced run; DO NOT EDIT.

package main

import (
	corofyExplainJSON "encoding/json"
	corofyExplainFmt "fmt"
	corofyExplainOS "os"
	corofyExplainStrconv "strconv"
	corofyExplainSync "sync"
	corofyExplainTime "time"
)

var corofyExplainState struct {
	mu    corofyExplainSync.Mutex
	enc   *corofyExplainJSON.Encoder
	start corofyExplainTime.Time
	ids   map[any]int
	next  map[string]int
	n     int
	max   int
	// A poll that does the same as the one before (busy polling) is
	// counted, not written: prev is the last group of events from a poll
	// to its return, cur the current one, held its events not written
	// while they are the same as prev's, and repeats how many times prev
	// was done again.
	prev, cur, held []corofyExplainEvent
	matching        bool
	depth           int
	repeats         int
}

// The fields are named as the JSON keys corofy reads (it matches them
// without case).
type corofyExplainEvent struct {
	Co   string
	Inst int
	Ev   string
	St   int
	Gl   int
	F    [][2]string
	Out  int64
	T    int64
	N    int
	Len  int
}

func (e *corofyExplainEvent) same(o *corofyExplainEvent) bool {
	if e.Co != o.Co || e.Inst != o.Inst || e.Ev != o.Ev || e.St != o.St || e.Gl != o.Gl || e.Out != o.Out || len(e.F) != len(o.F) {
		return false
	}
	for i := range e.F {
		if e.F[i] != o.F[i] {
			return false
		}
	}
	return true
}

func init() {
	s := &corofyExplainState
	s.start = corofyExplainTime.Now()
	name := corofyExplainOS.Getenv("COROFY_EXPLAIN_TRACE")
	if name == "" {
		return
	}
	f, err := corofyExplainOS.OpenFile(name, corofyExplainOS.O_WRONLY|corofyExplainOS.O_APPEND|corofyExplainOS.O_CREATE, 0o644)
	if err != nil {
		return
	}
	s.enc = corofyExplainJSON.NewEncoder(f)
	s.ids = map[any]int{}
	s.next = map[string]int{}
	s.max, _ = corofyExplainStrconv.Atoi(corofyExplainOS.Getenv("COROFY_EXPLAIN_MAX"))
}

func corofyExplainEmit(e *corofyExplainEvent) {
	s := &corofyExplainState
	if s.n > s.max {
		return
	}
	if s.n == s.max {
		s.enc.Encode(map[string]any{"ev": "truncated"})
		s.n++
		return
	}
	s.n++
	s.enc.Encode(e)
}

func corofyExplainFlush() {
	s := &corofyExplainState
	if s.repeats > 0 {
		corofyExplainEmit(&corofyExplainEvent{Ev: "repeat", N: s.repeats, Len: len(s.prev), T: corofyExplainTime.Since(s.start).Microseconds()})
		s.repeats = 0
	}
	for i := range s.held {
		corofyExplainEmit(&s.held[i])
	}
	s.held = nil
}

func corofyExplainRecord(m any, co, ev string, st, line int, kv ...any) {
	s := &corofyExplainState
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.enc == nil || s.n > s.max {
		return
	}
	id, ok := s.ids[m]
	if !ok {
		s.next[co]++
		id = s.next[co]
		s.ids[m] = id
	}
	fields := make([][2]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := corofyExplainFmt.Sprintf("%v", kv[i+1])
		if r := []rune(v); len(r) > 160 {
			v = string(r[:159]) + "…"
		}
		fields = append(fields, [2]string{corofyExplainFmt.Sprint(kv[i]), v})
	}
	out := int64(-1)
	if fi, err := corofyExplainOS.Stdout.Stat(); err == nil && fi.Mode().IsRegular() {
		out = fi.Size()
	}
	e := corofyExplainEvent{Co: co, Inst: id, Ev: ev, St: st, Gl: line, F: fields, Out: out, T: corofyExplainTime.Since(s.start).Microseconds()}
	if s.depth == 0 {
		s.cur = s.cur[:0]
		s.matching = len(s.prev) > 0
	}
	if len(s.cur) < 4096 {
		s.cur = append(s.cur, e)
	} else {
		s.prev = s.prev[:0] // a poll too long to compare
	}
	if s.matching && len(s.cur) <= len(s.prev) && e.same(&s.prev[len(s.cur)-1]) {
		s.held = append(s.held, e)
	} else {
		s.matching = false
		corofyExplainFlush()
		corofyExplainEmit(&e)
	}
	if ev == "poll" {
		s.depth++
	} else if ev != "enter" && s.depth > 0 {
		s.depth--
	}
	if s.depth == 0 {
		if s.matching && len(s.cur) == len(s.prev) {
			s.repeats++
			s.held = nil
		} else {
			corofyExplainFlush()
			s.prev = append(s.prev[:0], s.cur...)
			if len(s.cur) >= 4096 {
				s.prev = s.prev[:0]
			}
		}
		s.matching = false
	}
}
`
