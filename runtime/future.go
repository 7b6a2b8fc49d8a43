package runtime

// Waker is the handle a driver passes to [Future.Poll]. Wake makes the
// driver poll the future again at least once after the call. It is safe to
// call from any goroutine, any number of times, also after the future has
// completed (such wakes are ignored).
//
// An implementation's Wake must return promptly and never block: the
// reactor calls it on the one thread that runs every timer and socket. A
// panic in it is recovered by the runtime and raised again by the future's
// next Poll, as a *[WakePanicError]. See "What a Waker may do" in the package
// documentation.
//
// A Waker that wraps another should have a method Unwrap() Waker returning
// it, so that [Spawn] finds the executor under it: see "Wakers that wrap
// Wakers" in the package documentation.
type Waker interface {
	Wake()
}

// Future is a computation that will produce a T.
//
// Poll advances it as far as possible without blocking and returns (value,
// true) once it is complete. When it returns (zero, false) it has arranged
// for w.Wake to be called when polling again can make progress. A Future must
// not be polled again after it returned true.
type Future[T any] interface {
	Poll(w Waker) (T, bool)
}

// Ready returns a future that is complete at its first poll with v.
func Ready[T any](v T) Future[T] { return &ready[T]{v: v} }

type ready[T any] struct {
	v    T
	done bool
}

func (r *ready[T]) Poll(Waker) (T, bool) {
	if r.done {
		panic("runtime: Ready future polled after completion")
	}
	r.done = true
	return r.v, true
}

// noopWaker is a Waker that does nothing, for drivers that poll in a loop.
type noopWaker struct{}

func (noopWaker) Wake() {}

// NoopWaker returns a Waker whose Wake does nothing. It suits drivers that
// poll in a loop anyway, like the book's chapter 7 main functions.
func NoopWaker() Waker { return noopWaker{} }
