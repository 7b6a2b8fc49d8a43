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
	evWake    = "wake"    // the Waker of a Poll was woken; st is the state the machine was in
)

// recordFunc is the function the instrumented machines call; helperFile
// defines it.
const recordFunc = "corofyExplainRecord"

// wrapFunc is the function that gives each instrumented Poll, in place of
// the Waker it was given, a Waker wrapping it that records its wakes;
// helperFile defines it.
const wrapFunc = "corofyExplainWrap"

// instrument returns the generated file src (parsed as f) with a call to
// recordFunc at the start of each Poll, of each state's case, and before
// each return of Poll. Each call goes on the line of the code it records,
// before it, so that no line of the file moves: the generated line an
// event names is the line the page shows. At the start of each Poll, after
// the record of the poll, the Waker parameter is replaced by the recording
// Waker wrapFunc returns for it (a Poll whose Waker is unnamed passes it to
// nothing: nothing can wake it through its Waker).
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
		if w := wakerParam(p.decl); w != "" {
			i.text += fmt.Sprintf("%s = %s(%s, %s, %s); ", w, wrapFunc, p.recv, strconv.Quote(co), w)
		}
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

// wakerParam returns the name of the Waker parameter of a Poll, or "" if
// it has none or it is unnamed.
func wakerParam(decl *ast.FuncDecl) string {
	ps := decl.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) != 1 || ps[0].Names[0].Name == "_" {
		return ""
	}
	return ps[0].Names[0].Name
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
// can show what the program had printed at each step; and wrapFunc, whose
// Wakers record wakes.
//
// A wake comes from any goroutine, the reactor's thread among them, and
// Wake must not block: so it takes no lock and writes nothing. It notes
// the time and pushes the machine onto a lock-free list of woken machines
// (once: a machine already on the list is not pushed again), then calls
// the Waker it wraps; the next event recorded, from any machine, first
// writes the wakes of that list, in the order they came. Several wakes of
// a machine before that are one wake event. The recording Waker is made
// once per machine and Waker it wraps: polled again with the same Waker, a
// machine gets back the one it had, with no allocation.
func helperFile(pkg string) []byte {
	return []byte(strings.Replace(helperSrc, "package main", "package "+pkg, 1))
}

const helperSrc = `// Code generated by corofy explain -run for a traced run; DO NOT EDIT.

package main

import (
	corofyExplainJSON "encoding/json"
	corofyExplainFmt "fmt"
	corofyExplainOS "os"
	corofyExplainReflect "reflect"
	corofyExplainStrconv "strconv"
	corofyExplainSync "sync"
	corofyExplainAtomic "sync/atomic"
	corofyExplainTime "time"

	corofyExplainRuntime "github.com/corofy/corofy/runtime"
)

var corofyExplainState struct {
	mu    corofyExplainSync.Mutex
	enc   *corofyExplainJSON.Encoder
	start corofyExplainTime.Time
	ids   map[any]*corofyExplainMachine
	next  map[string]int
	n     int
	max   int
	// A poll that does the same as the one before (busy polling) is
	// counted, not written: prev is the last group of events from a poll
	// to its return (with the wakes just before it), cur the current
	// one, held its events not written while they are the same as
	// prev's, and repeats how many times prev was done again.
	prev, cur, held []corofyExplainEvent
	matching        bool
	open            bool // cur has begun
	depth           int
	repeats         int
}

// corofyExplainOn is whether wakes are recorded: the trace is on and not
// cut. Wake reads it without the lock.
var corofyExplainOn corofyExplainAtomic.Bool

// corofyExplainWoken is the list of machines woken since the last event
// recorded, newest first, linked by their wnext.
var corofyExplainWoken corofyExplainAtomic.Pointer[corofyExplainMachine]

// corofyExplainMachine is what the recorder knows of one machine.
type corofyExplainMachine struct {
	co string
	id int
	// Under the lock: the machine's last event (the state it waits in),
	// and the recording Waker made for the last Waker it was polled with.
	st, line int
	fields   [][2]string
	waker    *corofyExplainWaker
	// Written by the Wake that set queued, read by the event that writes
	// the wake and then clears queued.
	queued corofyExplainAtomic.Bool
	wokeAt int64
	wnext  *corofyExplainMachine
}

// corofyExplainWaker is the Waker an instrumented Poll passes on: it
// records the wake, then wakes the Waker the Poll was given.
type corofyExplainWaker struct {
	inner corofyExplainRuntime.Waker
	m     *corofyExplainMachine
}

// Unwrap returns the Waker it wraps, for runtime.Spawn to find its
// executor.
func (w *corofyExplainWaker) Unwrap() corofyExplainRuntime.Waker { return w.inner }

// Wake notes the wake without blocking (no lock, no write) and wakes the
// Waker it wraps.
func (w *corofyExplainWaker) Wake() {
	m := w.m
	if corofyExplainOn.Load() && m.queued.CompareAndSwap(false, true) {
		m.wokeAt = corofyExplainTime.Since(corofyExplainState.start).Microseconds()
		for {
			old := corofyExplainWoken.Load()
			m.wnext = old
			if corofyExplainWoken.CompareAndSwap(old, m) {
				break
			}
		}
	}
	w.inner.Wake()
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
	s.ids = map[any]*corofyExplainMachine{}
	s.next = map[string]int{}
	s.max, _ = corofyExplainStrconv.Atoi(corofyExplainOS.Getenv("COROFY_EXPLAIN_MAX"))
	corofyExplainOn.Store(true)
}

func corofyExplainEmit(e *corofyExplainEvent) {
	s := &corofyExplainState
	if s.n > s.max {
		return
	}
	if s.n == s.max {
		s.enc.Encode(map[string]any{"ev": "truncated"})
		s.n++
		corofyExplainOn.Store(false)
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

// corofyExplainMachineOf returns the recorder's machine m, numbered as
// the next of co when first seen. With the lock held.
func corofyExplainMachineOf(m any, co string) *corofyExplainMachine {
	s := &corofyExplainState
	mc, ok := s.ids[m]
	if !ok {
		s.next[co]++
		mc = &corofyExplainMachine{co: co, id: s.next[co], st: -3}
		s.ids[m] = mc
	}
	return mc
}

// corofyExplainWrap returns the recording Waker of machine m for w: the
// one made before if w is the Waker it wraps, or w if it is that
// recording Waker itself.
func corofyExplainWrap(m any, co string, w corofyExplainRuntime.Waker) corofyExplainRuntime.Waker {
	if w == nil || !corofyExplainOn.Load() {
		return w
	}
	s := &corofyExplainState
	s.mu.Lock()
	defer s.mu.Unlock()
	mc := corofyExplainMachineOf(m, co)
	if rw := mc.waker; rw != nil && (rw == w || corofyExplainSame(rw.inner, w)) {
		return rw
	}
	mc.waker = &corofyExplainWaker{inner: w, m: mc}
	return mc.waker
}

// corofyExplainSame reports whether a and b are the same Waker, without
// panicking on Wakers of types that cannot be compared.
func corofyExplainSame(a, b corofyExplainRuntime.Waker) bool {
	t := corofyExplainReflect.TypeOf(a)
	return t == corofyExplainReflect.TypeOf(b) && t.Comparable() && a == b
}

// corofyExplainWakes records the wakes noted since the last event, oldest
// first. With the lock held.
func corofyExplainWakes() {
	var list *corofyExplainMachine
	for m := corofyExplainWoken.Swap(nil); m != nil; {
		next := m.wnext
		m.wnext = list
		list = m
		m = next
	}
	if list == nil {
		return
	}
	out := corofyExplainOut()
	for m := list; m != nil; {
		next := m.wnext
		e := corofyExplainEvent{Co: m.co, Inst: m.id, Ev: "wake", St: m.st, Gl: m.line, F: m.fields, Out: out, T: m.wokeAt}
		m.wnext = nil
		m.queued.Store(false) // m.wokeAt read: another Wake may push m again
		corofyExplainAdd(e)
		m = next
	}
}

func corofyExplainOut() int64 {
	if fi, err := corofyExplainOS.Stdout.Stat(); err == nil && fi.Mode().IsRegular() {
		return fi.Size()
	}
	return -1
}

func corofyExplainRecord(m any, co, ev string, st, line int, kv ...any) {
	s := &corofyExplainState
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.enc == nil || s.n > s.max {
		return
	}
	corofyExplainWakes()
	mc := corofyExplainMachineOf(m, co)
	fields := make([][2]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := corofyExplainFmt.Sprintf("%v", kv[i+1])
		if r := []rune(v); len(r) > 160 {
			v = string(r[:159]) + "…"
		}
		fields = append(fields, [2]string{corofyExplainFmt.Sprint(kv[i]), v})
	}
	mc.st, mc.line, mc.fields = st, line, fields
	corofyExplainAdd(corofyExplainEvent{Co: co, Inst: mc.id, Ev: ev, St: st, Gl: line, F: fields, Out: corofyExplainOut(), T: corofyExplainTime.Since(s.start).Microseconds()})
}

// corofyExplainAdd writes e, or holds it while the events since the start
// of the current group are those of the group before, counting the
// groups done again. A group is a poll with the events until its return
// (and the polls within), and the wakes just before it.
func corofyExplainAdd(e corofyExplainEvent) {
	s := &corofyExplainState
	if !s.open {
		s.cur = s.cur[:0]
		s.matching = len(s.prev) > 0
		s.open = true
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
	switch {
	case e.Ev == "poll":
		s.depth++
	case e.Ev == "enter" || e.Ev == "wake":
	case s.depth > 0:
		s.depth--
	}
	if s.depth == 0 && e.Ev != "wake" {
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
		s.open = false
	}
}
`
