package runtime

import "sync"

// SpawnBlocking returns a future that runs fn on a goroutine of its own,
// started at the first poll, and completes with fn's result; the task that
// waits is woken when fn returns. It is the book's spawn_blocking: a way to
// call code that blocks (file I/O, a CPU-heavy computation, a C library)
// without blocking the executor's thread and with it every other task.
//
// A panic in fn is raised again by the Poll that would have returned its
// result. So is a panic of the Waker's Wake, which the goroutine calls when
// fn returns: the next Poll panics with it, a *[WakePanicError], once. Cancel
// cannot stop fn; it only drops the result.
func SpawnBlocking[T any](fn func() T) *BlockingFuture[T] {
	return &BlockingFuture[T]{fn: fn}
}

// BlockingFuture is the future returned by [SpawnBlocking].
type BlockingFuture[T any] struct {
	fn   func() T // nil once started
	done bool     // Poll returned the result

	mu        sync.Mutex
	finished  bool
	value     T
	panicked  any
	waker     Waker
	wakePanic *WakePanicError // the Waker's Wake panicked: raised by the next Poll
}

// Poll implements [Future].
func (b *BlockingFuture[T]) Poll(w Waker) (T, bool) {
	if b.done {
		panic("runtime: SpawnBlocking future polled after completion")
	}
	if b.fn != nil {
		fn := b.fn
		b.fn = nil
		b.waker = w // set before the goroutine can finish
		go b.run(fn)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if wp := b.wakePanic; wp != nil {
		b.wakePanic = nil
		panic(wp)
	}
	if !b.finished {
		b.waker = w
		var zero T
		return zero, false
	}
	b.done = true
	if b.panicked != nil {
		panic(b.panicked)
	}
	return b.value, true
}

func (b *BlockingFuture[T]) run(fn func() T) {
	var v T
	defer func() {
		p := recover()
		b.mu.Lock()
		b.finished = true
		b.value, b.panicked = v, p
		w := b.waker
		b.waker = nil
		b.mu.Unlock()
		if w != nil {
			if wp := wakeContained(w); wp != nil {
				b.mu.Lock()
				b.wakePanic = wp
				b.mu.Unlock()
			}
		}
	}()
	v = fn()
}

// Cancel implements [Canceler]: the result, when fn returns, is dropped and
// wakes nobody.
func (b *BlockingFuture[T]) Cancel() {
	b.mu.Lock()
	b.waker = nil
	b.fn = nil
	b.mu.Unlock()
	b.done = true
}
