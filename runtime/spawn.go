package runtime

import (
	"fmt"
	"sync"
)

// Spawn returns a future that, when polled, starts f as a new task on the
// executor running the caller and is ready at once with a [JoinHandle] for
// f's result. It is the book's runtime::spawn:
//
//	coroutine func asyncMain() {
//		for i := range 5 {
//			runtime.Spawn(request(i)).wait // start request(i) and go on
//		}
//	}
//
// Go has no thread-local storage and a coroutine body cannot see its Waker,
// so Spawn is itself a future: the only things a coroutine can do are call
// functions and wait on futures, and waiting on Spawn(f) hands Spawn the Waker
// of the task being polled. The Wakers of executors ([BlockOn],
// [BlockOnNamed], [StartThread]) lead to their executor; combinators of this
// package ([JoinAll], [Race], [Timeout]) pass the Waker through unchanged;
// a Waker that wraps another has an Unwrap method, which Spawn follows
// (see "Wakers that wrap Wakers" in the package documentation). Polling a
// SpawnFuture with any other Waker panics: there is no executor to spawn
// onto.
//
// The new task runs concurrently with its spawner; the executor does not
// finish before it does. Nothing waits for it unless someone waits on the
// handle.
func Spawn[T any](f Future[T]) *SpawnFuture[T] { return &SpawnFuture[T]{f: f} }

// SpawnFuture is the future returned by [Spawn].
type SpawnFuture[T any] struct {
	f Future[T] // nil once spawned
}

// Poll implements [Future]: it spawns and is ready.
func (s *SpawnFuture[T]) Poll(w Waker) (*JoinHandle[T], bool) {
	if s.f == nil {
		panic("runtime: Spawn future polled after completion")
	}
	sp, ok := w.(spawner)
	if !ok {
		// Not a task's own Waker: one that wraps it, perhaps. Unwrapping
		// only here keeps a task's Waker as cheap as it was.
		if sp, ok = unwrapSpawner(w); !ok {
			panic(fmt.Sprintf("runtime: Spawn polled with a %T, not the Waker of an executor's task, nor one wrapping it (run the caller with BlockOn)", w))
		}
	}
	h := &JoinHandle[T]{}
	sp.spawnTarget().spawn(&spawned[T]{f: s.f, handle: h})
	s.f = nil
	return h, true
}

// unwrapper is a Waker that wraps another: see "Wakers that wrap Wakers"
// in the package documentation.
type unwrapper interface {
	Unwrap() Waker
}

// unwrapSpawner follows the Unwrap methods of w's chain down to a task's
// Waker, as errors.As follows an error's.
func unwrapSpawner(w Waker) (spawner, bool) {
	for {
		u, ok := w.(unwrapper)
		if !ok {
			return nil, false
		}
		if w = u.Unwrap(); w == nil {
			return nil, false
		}
		if sp, ok := w.(spawner); ok {
			return sp, true
		}
	}
}

// spawned is a task's future with the handle its result goes to.
type spawned[T any] struct {
	f      Future[T]
	handle *JoinHandle[T]
}

func (s *spawned[T]) poll(w Waker) bool {
	v, ok := s.f.Poll(w)
	if ok {
		s.f = nil
		s.handle.complete(v)
	}
	return ok
}

// JoinHandle is a future for the result of a spawned task. Waiting on it
// (from any executor) completes when the task has.
type JoinHandle[T any] struct {
	mu        sync.Mutex
	done      bool
	taken     bool
	value     T
	waiter    Waker
	wakePanic *WakePanicError // the waiter's Wake panicked: raised by the next Poll
}

// complete records the task's value and wakes the waiter. A panic of the
// waiter's Wake stays with the handle, for its next Poll, instead of escaping
// into the poll of the task that completed.
func (h *JoinHandle[T]) complete(v T) {
	h.mu.Lock()
	h.value, h.done = v, true
	w := h.waiter
	h.waiter = nil
	h.mu.Unlock()
	if w != nil {
		if wp := wakeContained(w); wp != nil {
			h.mu.Lock()
			h.wakePanic = wp
			h.mu.Unlock()
		}
	}
}

// Poll implements [Future]: ready with the task's value once it finished.
// If the Waker of the poll before panicked when the task completed, Poll
// panics with that panic, a *[WakePanicError], once.
func (h *JoinHandle[T]) Poll(w Waker) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.taken {
		panic("runtime: JoinHandle polled after completion")
	}
	if wp := h.wakePanic; wp != nil {
		h.wakePanic = nil
		panic(wp)
	}
	if !h.done {
		h.waiter = w
		var zero T
		return zero, false
	}
	h.taken = true
	return h.value, true
}
