package runtime

import (
	"fmt"
	goruntime "runtime"
)

// BlockOn runs f to completion on the calling goroutine, as the task "main"
// of a new executor, and returns its value. It polls f; when nothing is ready
// the goroutine sleeps until a waker of one of its tasks is called, from any
// goroutine, and then polls again. A wake that arrives while a task is being
// polled is never lost: it causes one more poll.
//
// Tasks that f spawns with [Spawn] run on the same executor, concurrently
// with f; like the book's block_on, BlockOn returns once f and every task
// spawned onto the executor have finished. With [SetTrace] and
// [TraceExecutor] the executor prints the book's lines, named "main".
//
// BlockOn is for code that no executor runs: main, a test, a goroutine of
// its own. Called inside a poll (from a coroutine, or a function it calls),
// it runs its executor nested on the goroutine of the executor polling, which
// can poll nothing else until BlockOn returns. That is how the reference
// semantics run every wait (see [Await]), and it works as long as the
// executors it blocks have no other task. Otherwise a nested BlockOn that has
// to sleep panics, with a message saying to wait with .wait or [Spawn]
// instead: the other tasks cannot run while it sleeps, and if it waits for
// one of them it would never return. (The nesting is recognized on amd64 and
// arm64, where the executor knows which goroutine runs it.)
func BlockOn[T any](f Future[T]) T { return BlockOnNamed("main", f) }

// BlockOnNamed is [BlockOn] with an executor called name, which is what the
// trace lines start with ("name: 2 pending tasks. Sleep until notified.").
func BlockOnNamed[T any](name string, f Future[T]) T {
	e := newExecutor(name, tracer(TraceExecutor))
	h := &JoinHandle[T]{}
	e.spawn(&spawned[T]{f: f, handle: h})
	e.run()
	return h.value
}

// Thread is an OS thread running an executor, started by [StartThread]:
// the book's chapter 8 d runs twelve of them sharing one reactor.
type Thread[T any] struct {
	done     chan struct{}
	value    T
	panicked any // the value of a panic that escaped the executor
}

// StartThread starts a goroutine locked to its own OS thread and runs f there
// with [BlockOnNamed](name, f). [Thread.Join] waits for it and returns f's
// value.
//
// A locked thread is the book's model, and it has a price in Go: when the
// executor sleeps, its thread sleeps, and waking it is a wake of that very
// thread by the operating system rather than Go's scheduler resuming a
// goroutine on any thread. BENCHMARKS.md measures a hand-off between two
// executors on two locked threads at hundreds of times the cost of the same
// hand-off between two executors run with BlockOn on plain goroutines. For
// throughput, start executors with BlockOn in goroutines; use StartThread
// where an executor must own its thread.
func StartThread[T any](name string, f Future[T]) *Thread[T] {
	t := &Thread[T]{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		// The executor owns this thread while it runs, as in the book;
		// the goroutine ends with it, so the thread is not unlocked.
		goruntime.LockOSThread()
		defer func() {
			if p := recover(); p != nil {
				t.panicked = p
			}
		}()
		t.value = BlockOnNamed(name, f)
	}()
	return t
}

// Join waits until the thread's executor has finished and returns the value
// of its future. A panic that escaped a task on that thread is raised again
// by Join.
func (t *Thread[T]) Join() T {
	<-t.done
	if t.panicked != nil {
		panic(fmt.Sprintf("runtime: panic on executor thread: %v", t.panicked))
	}
	return t.value
}
