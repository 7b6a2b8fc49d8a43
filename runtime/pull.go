package runtime

import (
	"iter"
	"slices"
)

// A range over a function (an iterator) calls the loop's body from inside
// the iterator: each yield(v) runs the body once. A body that waits must
// suspend the coroutine, and with it the iterator's own frames, which a
// stackless machine cannot keep. So a machine turns the push iterator
// into a pull one with [iter.Pull], which runs it on a coroutine of Go's
// runtime (a stack of its own), and asks it for one value per iteration:
//
//	for x := range seq {        c.iter = runtime.Pull[int](&c.pulls, seq)
//		body                    // each iteration:
//	}                           x, ok := c.iter.Next(); if !ok { leave }
//	                            // body (may suspend the machine)
//	                            // a break: c.iter.Stop(); leave
//
// What the program sees is what Go's range does: the iterator runs the
// same code, in the same order with the body; a break or return makes the
// yield that is waiting return false (Stop), and the iterator's code after
// it runs before the loop is left; a panic in the body panics out of that
// yield, through the iterator's frames (its deferred calls run, and
// recover there sees the value), before the coroutine's deferred calls
// run; the checks of Go's range (an iterator that goes on after its yield
// returned false, or that swallows the body's panic) panic with Go's
// messages. The one difference is the goroutine: the iterator runs on
// iter.Pull's, not on the goroutine that polls the machine, which only
// runtime.Goexit, goroutine-local state (runtime.LockOSThread) or a
// stack trace can tell. A machine dropped in the middle of such a loop,
// never polled again, leaves the iterator suspended, as iter.Pull does
// when stop is never called. And iter.Pull's rule on threads holds: a
// loop that began on a goroutine locked to its thread (a task of a
// StartThread executor) must go on being polled on that thread, and one
// that began unlocked on unlocked goroutines; Go's runtime stops the
// program otherwise. The executors of this package never move a task.

// Pulls is the stack of the ranges over functions a machine is in, the
// innermost last: a return stops them all ([StopPulls]), and a panic
// unwinds them ([UnwindPulls]), before the machine's deferred calls run.
type Pulls struct {
	active []puller
}

// puller is one iterator being pulled.
type puller interface {
	// stop leaves the loop: the yield the iterator waits in returns false.
	stop()
	// unwind makes that yield panic with v, and returns the panic that
	// comes out of the iterator.
	unwind(v any) any
}

func (ps *Pulls) push(p puller) { ps.active = append(ps.active, p) }

// remove takes p off the stack, if it is there.
func (ps *Pulls) remove(p puller) {
	if i := slices.Index(ps.active, p); i >= 0 {
		ps.active = slices.Delete(ps.active, i, i+1)
	}
}

// StopPulls leaves every range over a function the machine is in, the
// innermost first, as a return in their bodies does. A panic of an
// iterator (Go's check of an iterator that goes on after its yield
// returned false, say) comes out of StopPulls, the ranges not stopped
// yet still on the stack.
func StopPulls(ps *Pulls) {
	for len(ps.active) > 0 {
		ps.active[len(ps.active)-1].stop()
	}
}

// UnwindPulls makes the panic v, which escapes the machine's Poll, go
// through the iterators of the ranges over functions it is in, the
// innermost first, as it goes through their frames in Go, and returns
// the panic that comes out of the outermost: v, unless an iterator
// panicked with another value, or recovered v and returned, which Go's
// range reports with a runtime error. With v == nil (runtime.Goexit) the
// iterators are stopped.
func UnwindPulls(ps *Pulls, v any) any {
	for len(ps.active) > 0 {
		p := ps.active[len(ps.active)-1]
		ps.remove(p)
		if v == nil {
			p.stop()
			continue
		}
		v = p.unwind(v)
	}
	return v
}

// Go's messages, for the iterators that break the rules of range.
const (
	rangeDone         = "range function continued iteration after function for loop body returned false"
	rangePanic        = "range function continued iteration after loop body panic"
	rangeExhausted    = "range function continued iteration after whole loop exit"
	rangeMissingPanic = "range function recovered a loop body panic and did not resume panicking"
)

// A RangeError is the panic of an iterator that breaks the rules of
// range, with Go's message: a runtime error, as Go's own.
type RangeError struct{ msg string }

func (e *RangeError) Error() string { return "runtime error: " + e.msg }

// RuntimeError marks a RangeError as a runtime.Error.
func (*RangeError) RuntimeError() {}

// pair is one step of an iterator: its one or two values.
type pair[K, V any] struct {
	k K
	v V
}

// pull is one iterator being pulled: seq, made to yield pairs.
type pull[K, V any] struct {
	pulls      *Pulls
	next       func() (pair[K, V], bool)
	stopf      func()
	exited     bool // a yield returned false: the loop was left
	panicking  bool // the body panicked with panicValue (see unwind)
	panicValue any
	finished   bool // the iterator has returned or panicked
}

func newPull[K, V any](ps *Pulls, seq func(yield func(K, V) bool)) *pull[K, V] {
	p := &pull[K, V]{pulls: ps}
	p.next, p.stopf = iter.Pull(func(yield func(pair[K, V]) bool) {
		defer func() { p.finished = true }()
		seq(func(k K, v V) bool {
			switch {
			case p.finished:
				panic(&RangeError{rangeExhausted})
			case p.panicking:
				panic(&RangeError{rangePanic})
			case p.exited:
				panic(&RangeError{rangeDone})
			}
			if !yield(pair[K, V]{k, v}) {
				if p.panicking { // the body panicked: so does this yield
					panic(p.panicValue)
				}
				p.exited = true
				return false
			}
			return true
		})
	})
	ps.push(p)
	return p
}

// step asks the iterator for its next values; at its end, the loop is off
// the stack. A panic of the iterator comes out of step.
func (p *pull[K, V]) step() (K, V, bool) {
	e, ok := p.next()
	if !ok {
		p.pulls.remove(p)
		var k K
		var v V
		return k, v, false
	}
	return e.k, e.v, true
}

func (p *pull[K, V]) stop() {
	p.pulls.remove(p)
	p.stopf()
}

func (p *pull[K, V]) unwind(v any) (out any) {
	if p.finished { // the iterator panicked itself, or its loop ended
		return v
	}
	p.panicking, p.panicValue = true, v
	defer func() {
		if r := recover(); r != nil {
			out = r
		}
	}()
	p.stopf()
	return &RangeError{rangeMissingPanic} // the iterator returned
}

// Iter0 is a range over a func(yield func() bool) being pulled (see
// [Pull0]).
type Iter0 struct{ p *pull[struct{}, struct{}] }

// Pull0 starts pulling seq for a range over it whose body waits, on the
// machine's stack ps. Nothing of seq runs before the first Next. Y is the
// type of seq's yield, which may have a name of its own (as Go's range
// allows, and as for [Pull] and [Pull2]); it is inferred from seq.
func Pull0[Y ~func() bool](ps *Pulls, seq func(yield Y)) *Iter0 {
	return &Iter0{newPull(ps, func(yield func(struct{}, struct{}) bool) {
		seq(func() bool { return yield(struct{}{}, struct{}{}) })
	})}
}

// Next runs the iterator to its next yield, and reports whether there was
// one; false when it has returned.
func (it *Iter0) Next() bool {
	_, _, ok := it.p.step()
	return ok
}

// Stop leaves the loop: the yield the iterator waits in returns false, and
// the iterator runs until it returns.
func (it *Iter0) Stop() { it.p.stop() }

// Iter is a range over a func(yield func(K) bool) being pulled (see
// [Pull]).
type Iter[K any] struct{ p *pull[K, struct{}] }

// Pull starts pulling seq for a range over it whose body waits, on the
// machine's stack ps. Nothing of seq runs before the first Next. Y, the
// type of seq's yield, is inferred from seq: runtime.Pull[K](ps, seq).
func Pull[K any, Y ~func(K) bool](ps *Pulls, seq func(yield Y)) *Iter[K] {
	return &Iter[K]{newPull(ps, func(yield func(K, struct{}) bool) {
		seq(func(k K) bool { return yield(k, struct{}{}) })
	})}
}

// Next runs the iterator to its next yield, and returns the value it
// yields; false when it has returned.
func (it *Iter[K]) Next() (K, bool) {
	k, _, ok := it.p.step()
	return k, ok
}

// Stop leaves the loop: the yield the iterator waits in returns false, and
// the iterator runs until it returns.
func (it *Iter[K]) Stop() { it.p.stop() }

// Iter2 is a range over a func(yield func(K, V) bool) being pulled (see
// [Pull2]).
type Iter2[K, V any] struct{ p *pull[K, V] }

// Pull2 starts pulling seq for a range over it whose body waits, on the
// machine's stack ps. Nothing of seq runs before the first Next. Y, the
// type of seq's yield, is inferred from seq: runtime.Pull2[K, V](ps, seq).
func Pull2[K, V any, Y ~func(K, V) bool](ps *Pulls, seq func(yield Y)) *Iter2[K, V] {
	if seq, ok := any(seq).(func(func(K, V) bool)); ok {
		return &Iter2[K, V]{newPull(ps, seq)}
	}
	return &Iter2[K, V]{newPull(ps, func(yield func(K, V) bool) { seq(yield) })}
}

// Next runs the iterator to its next yield, and returns the values it
// yields; false when it has returned.
func (it *Iter2[K, V]) Next() (K, V, bool) { return it.p.step() }

// Stop leaves the loop: the yield the iterator waits in returns false, and
// the iterator runs until it returns.
func (it *Iter2[K, V]) Stop() { it.p.stop() }
