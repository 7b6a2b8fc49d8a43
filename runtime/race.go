package runtime

import (
	"os"
	"time"
)

// Winner is the output of [Race]: which future finished first, and its value.
type Winner[T any] struct {
	Index int // position of the winner in Race's arguments
	Value T
}

// Race returns a future that polls fs, in order, with its own Waker until
// one of them is ready, and completes with that one's index and value. The
// others are dropped at once, and those that implement [Canceler] are
// cancelled first: their timers are disarmed, their registrations with the
// reactor removed and their sockets closed. (It is the select of Rust's
// futures crates; Go's select statement is taken.)
//
// To race futures of different types, map them to a common type first, or
// race Future[struct{}] values and keep the results in variables.
func Race[T any](fs ...Future[T]) *RaceFuture[T] { return &RaceFuture[T]{fs: fs} }

// RaceFuture is the future returned by [Race].
type RaceFuture[T any] struct {
	fs   []Future[T] // nil once decided
	done bool
}

// Poll implements [Future].
func (r *RaceFuture[T]) Poll(w Waker) (Winner[T], bool) {
	if r.done {
		panic("runtime: Race future polled after completion")
	}
	for i, f := range r.fs {
		if v, ok := f.Poll(w); ok {
			r.fs[i] = nil
			r.Cancel()
			return Winner[T]{Index: i, Value: v}, true
		}
	}
	return Winner[T]{}, false
}

// Cancel implements [Canceler]: it cancels every future still racing.
func (r *RaceFuture[T]) Cancel() {
	for _, f := range r.fs {
		if c, ok := f.(Canceler); ok {
			c.Cancel()
		}
	}
	r.fs = nil
	r.done = true
}

// Timeout returns a future that completes with f's value, or, if f is not
// ready d after the first poll, cancels f (see [Canceler]) and completes with
// an error for which errors.Is(err, os.ErrDeadlineExceeded) holds.
func Timeout[T any](d time.Duration, f Future[T]) *TimeoutFuture[T] {
	return &TimeoutFuture[T]{f: f, timer: Sleep(d)}
}

// Deadline is [Timeout] with an absolute time.
func Deadline[T any](t time.Time, f Future[T]) *TimeoutFuture[T] {
	return &TimeoutFuture[T]{f: f, timer: SleepUntil(t)}
}

// TimeoutFuture is the future returned by [Timeout] and [Deadline].
type TimeoutFuture[T any] struct {
	f     Future[T]
	timer *SleepFuture
	done  bool
}

// Poll implements [Future]. f is polled first: a value that is ready at the
// deadline still wins.
func (t *TimeoutFuture[T]) Poll(w Waker) (Result[T], bool) {
	if t.done {
		panic("runtime: Timeout future polled after completion")
	}
	if v, ok := t.f.Poll(w); ok {
		t.f = nil
		t.Cancel()
		return Result[T]{Value: v}, true
	}
	if _, ok := t.timer.Poll(w); ok {
		t.Cancel()
		return Result[T]{Err: os.ErrDeadlineExceeded}, true
	}
	return Result[T]{}, false
}

// Cancel implements [Canceler]: it cancels the future and the timer.
func (t *TimeoutFuture[T]) Cancel() {
	if c, ok := t.f.(Canceler); ok {
		c.Cancel()
	}
	t.f = nil
	t.timer.Cancel()
	t.done = true
}
