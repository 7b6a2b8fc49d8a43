package runtime

import (
	"fmt"
	"unicode/utf8"
)

// Await is what x.wait means in a .gocoro file: poll f until it is ready,
// and evaluate to its value. Outside a coroutine it behaves like [BlockOn]:
// the calling goroutine sleeps between polls until f's waker is called.
//
// corofy's parser lowers every x.wait to Await(x) so that the type checker
// infers the wait's type; the transform then replaces each one with a state
// of the coroutine's machine. Generated code never calls Await. Programs built
// with "corofy -reference" do: they are the reference semantics the
// generated machines are tested against: a program prints what it would
// print if every .wait were a loop polling until ready.
func Await[T any](f Future[T]) T { return BlockOn(f) }

// Lazy is what "coroutine func" means: a future that runs body, to
// completion, at its first poll and is then ready with body's result. The
// reference programs of "corofy -reference" build every coroutine with it.
func Lazy[T any](body func() T) Future[T] { return &lazy[T]{body: body} }

// Lazy0 is [Lazy] for a body with no result.
func Lazy0(body func()) Future[struct{}] {
	return &lazy[struct{}]{body: func() struct{} { body(); return struct{}{} }}
}

type lazy[T any] struct{ body func() T }

func (l *lazy[T]) Poll(Waker) (T, bool) {
	if l.body == nil {
		panic("runtime: coroutine polled after completion")
	}
	body := l.body
	l.body = nil
	return body(), true
}

// The states every generated machine shares, beside 0 (not started) and
// k > 0 (suspended at its k-th .wait). Keep in sync with transform/names.go.
const (
	// StateDone is the state of a machine that has returned.
	StateDone = -1
	// StatePoisoned is the state of a machine while its Poll runs; it stays
	// so when a panic escapes Poll, and every later Poll panics.
	StatePoisoned = -2
)

// PollError returns the panic message for a generated machine polled in
// state, which is StateDone or StatePoisoned (or anything else a bug could
// leave). name is the coroutine, pos its source position.
func PollError(name, pos string, state int) string {
	switch state {
	case StateDone:
		return fmt.Sprintf("coroutine %s (%s) polled after completion", name, pos)
	case StatePoisoned:
		return fmt.Sprintf("coroutine %s (%s) polled after a panic escaped it", name, pos)
	}
	return fmt.Sprintf("coroutine %s (%s) polled in unknown state %d", name, pos, state)
}

// Helpers of generated loops (keep in sync with transform/names.go).

// MapKeys returns the keys of m, for a generated range loop over a map
// whose body waits: the loop visits these keys, skipping those deleted
// before they are reached, as Go's range does.
func MapKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// MapEntries returns the keys of m and their values, in the same order,
// for a generated range loop over a map whose keys may be NaN (a float, a
// complex, an interface or a struct or array holding one) and whose body
// waits: the loop visits these keys and asks MapLookup for each value.
func MapEntries[K comparable, V any](m map[K]V) ([]K, []V) {
	keys, values := make([]K, 0, len(m)), make([]V, 0, len(m))
	for k, v := range m {
		keys, values = append(keys, k), append(values, v)
	}
	return keys, values
}

// MapLookup returns the value a range over m produces for key k, an entry
// of MapEntries whose value was v, and false when the entry was removed
// before the loop reached it, as Go's range does. A key that is not equal
// to itself (a NaN) is found by no lookup, and no assignment changes its
// value: only clear removes it, and removes every such key with it, so the
// entry is still there, with value v, while m holds any key not equal to
// itself. The scan that checks it stops at the first such key: over a whole
// loop it costs, in expectation, one pass over m, not one per NaN key.
func MapLookup[K comparable, V any](m map[K]V, k K, v V) (V, bool) {
	if cur, ok := m[k]; ok || k == k {
		return cur, ok
	}
	for key := range m {
		if key != key {
			return v, true
		}
	}
	var zero V
	return zero, false
}

// DecodeRune returns the rune of s at byte offset i and its size in bytes,
// as a range loop over a string produces it (utf8.RuneError, 1 for an
// invalid byte).
func DecodeRune(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }

// CopyVar returns a new variable holding *p: the next iteration's copy of
// a loop variable that a closure or a pointer may still hold (Go 1.22's
// per-iteration loop variables).
func CopyVar[T any](p *T) *T {
	q := new(T)
	*q = *p
	return q
}

// Deferred is one call a coroutine deferred, as generated code pushes it
// on the machine's list: either a func(), called as a deferred call (a
// function literal, or a function or method value that takes nothing), or
// a link of a chain, func(next func()), for a call with arguments: the
// link defers the call itself, with the arguments evaluated at the defer
// statement, and then calls next:
//
//	func(next func()) { defer fn(arg1, arg2); next() }
//
// So the user's function is itself the deferred function, as in Go, and
// recover works in it (Go's recover stops a panic only when the deferred
// function calls it, not a function that one calls).
type Deferred any

// RunDeferred runs the calls a coroutine deferred, the last first, when it
// returns: each is a real deferred call, so a panic in one still runs the
// others, as in Go. The list is emptied.
func RunDeferred(defers *[]Deferred) {
	fs := *defers
	*defers = nil
	runDeferred(fs, func() {})
}

// runDeferred defers the calls of fs, the first outermost, then calls
// last: once last returns (or panics), the calls run, the last first.
// Consecutive func() entries are deferred by one frame; a link adds the
// frames of its own call and of next.
func runDeferred(fs []Deferred, last func()) {
	for i, d := range fs {
		switch f := d.(type) {
		case func():
			defer f()
		case func(next func()):
			rest := fs[i+1:]
			f(func() { runDeferred(rest, last) })
			return
		default:
			panic(fmt.Sprintf("runtime: a deferred call of type %T (generated code pushes a func() or a func(func()))", d))
		}
	}
	last()
}

// Unwind runs the calls a coroutine deferred while the panic v escapes its
// Poll (v is what recover returned there), so that recover() in them works
// as in Go. It reports whether one of them recovered: then the coroutine
// returns normally. If none does, the panic goes on. With v == nil (the
// goroutine is exiting through runtime.Goexit) it runs the calls and
// reports false.
func Unwind(defers *[]Deferred, v any) (recovered bool) {
	if v == nil {
		RunDeferred(defers)
		return false
	}
	fs := *defers
	*defers = nil
	defer func() { recovered = true }() // runs only if the panic stops
	runDeferred(fs, func() { panic(v) })
	return true // runDeferred returned: a call recovered
}

// Named is the future f of the coroutine name, declared at pos, as the
// reference programs of "corofy -reference" build each coroutine
// (Named(name, pos, Lazy(body))): polled again after it completed, or
// after a panic escaped it, it panics with [PollError]'s message, as the
// coroutine's generated machine does.
func Named[T any](name, pos string, f Future[T]) Future[T] {
	return &named[T]{name: name, pos: pos, f: f}
}

type named[T any] struct {
	name, pos string
	f         Future[T]
	state     int // 0, StateDone or StatePoisoned (while f runs)
}

func (n *named[T]) Poll(w Waker) (T, bool) {
	if n.state != 0 {
		panic(PollError(n.name, n.pos, n.state))
	}
	n.state = StatePoisoned // stays so if a panic escapes f
	v, ok := n.f.Poll(w)
	n.state = 0
	if ok {
		n.state = StateDone
	}
	return v, ok
}
