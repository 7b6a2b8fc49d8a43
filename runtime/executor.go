package runtime

import (
	"fmt"
	"io"
	"sync/atomic"
)

// executor runs tasks on the goroutine that called run: the book's
// chapter 8 executor. Tasks are futures with a Waker of their own (the *task
// itself). Waking a task puts it into the ready queue, once, from any
// goroutine; run polls the ready tasks one by one without holding any lock,
// so a task being polled can spawn tasks or wake itself; when the queue is
// empty and tasks remain, run sleeps on signal until a wake arrives.
//
// The book keeps tasks in a map keyed by id and looks the id up on each wake;
// here the Waker is the task, so a wake needs no lookup and no allocation,
// and a finished task simply ignores its wakes. The ready queue is lock-free
// (readyQueue): a wake and a poll cost four atomic operations.
type executor struct {
	name  string
	trace io.Writer // nil: no trace

	ready    readyQueue
	pending  atomic.Int64 // tasks spawned and not finished
	sleeping atomic.Bool  // run is about to wait, or waits, on signal
	signal   chan struct{}
}

// task is one spawned future. It is its own Waker, allocated once.
type task struct {
	exec  *executor
	state atomic.Uint32
	next  *task    // in the ready queue
	fut   pollable // nil once finished; used only by the executor's goroutine
}

// Task states. A wake moves idle to queued; run moves queued back to idle
// just before polling, so a wake during the poll queues the task again.
const (
	taskIdle uint32 = iota
	taskQueued
	taskDone
)

// pollable is a task's future with its output type erased.
type pollable interface {
	// poll polls the future once and reports whether it completed.
	poll(w Waker) bool
}

// spawner is implemented by the Wakers that executors pass to Poll. [Spawn]
// finds the executor running the caller through it: the Waker is the one
// thing every future polled by a task is handed.
type spawner interface {
	Waker
	spawnTarget() *executor
}

func newExecutor(name string, trace io.Writer) *executor {
	return &executor{name: name, trace: trace, signal: make(chan struct{}, 1)}
}

// spawn adds a task that is ready to be polled. Safe from any goroutine.
func (e *executor) spawn(f pollable) {
	t := &task{exec: e, fut: f}
	t.state.Store(taskQueued)
	e.pending.Add(1)
	e.push(t)
}

// Wake implements [Waker]: it queues the task unless it is already queued or
// finished.
func (t *task) Wake() {
	if t.state.CompareAndSwap(taskIdle, taskQueued) {
		t.exec.push(t)
	}
}

func (t *task) spawnTarget() *executor { return t.exec }

// push queues t and wakes run if it sleeps. Whoever turns sleeping from
// true to false sends the one signal: run, if it changes its mind, or a
// pusher; so a signal is never left over for a later sleep.
func (e *executor) push(t *task) {
	e.ready.push(t)
	if e.sleeping.Load() && e.sleeping.CompareAndSwap(true, false) {
		e.signal <- struct{}{}
	}
}

// run polls ready tasks until no task is left, sleeping while tasks remain
// but none is ready.
func (e *executor) run() {
	for {
		if t := e.ready.pop(); t != nil {
			e.poll(t)
			continue
		}
		n := e.pending.Load()
		if n == 0 {
			e.tracef("%s: All tasks are finished\n", e.name)
			return
		}
		e.sleeping.Store(true)
		if !e.ready.empty() { // a push came between pop and Store
			if !e.sleeping.CompareAndSwap(true, false) {
				<-e.signal // the pusher saw sleeping first and signalled
			}
			continue
		}
		e.tracef("%s: %d pending tasks. Sleep until notified.\n", e.name, n)
		<-e.signal
	}
}

// poll polls one ready task and retires it if it completed.
func (e *executor) poll(t *task) {
	if t.fut == nil {
		return // finished; a wake slipped in before it was marked done
	}
	t.state.Store(taskIdle)
	if !t.fut.poll(t) {
		return
	}
	t.state.Store(taskDone)
	t.fut = nil
	e.pending.Add(-1)
}

func (e *executor) tracef(format string, args ...any) {
	if e.trace != nil {
		fmt.Fprintf(e.trace, format, args...)
	}
}

// readyQueue is the executor's queue of ready tasks: a lock-free stack that
// wakers push onto, from any goroutine, with one compare-and-swap, and that
// the executor's goroutine takes whole with one swap and reverses into a
// private FIFO list. A task is in the queue at most once (its state guards
// that), so its next field can be the link; the executor reads a task's next
// before polling it, since from the poll on a wake may push it again.
type readyQueue struct {
	pushed atomic.Pointer[task] // newest first; producers only push
	local  *task                // oldest first; executor's goroutine only
}

func (q *readyQueue) push(t *task) {
	for {
		old := q.pushed.Load()
		t.next = old
		if q.pushed.CompareAndSwap(old, t) {
			return
		}
	}
}

// pop returns the oldest ready task, or nil if there is none.
func (q *readyQueue) pop() *task {
	if q.local == nil {
		if q.pushed.Load() == nil {
			return nil
		}
		for t := q.pushed.Swap(nil); t != nil; { // reverse into local
			next := t.next
			t.next = q.local
			q.local = t
			t = next
		}
	}
	t := q.local
	q.local = t.next
	t.next = nil
	return t
}

// empty reports whether no task is queued.
func (q *readyQueue) empty() bool {
	return q.local == nil && q.pushed.Load() == nil
}
