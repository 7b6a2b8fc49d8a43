package runtime

import (
	"fmt"
	"io"
	"sync"
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
// and a finished task simply ignores its wakes.
type executor struct {
	name  string
	trace io.Writer // nil: no trace

	mu      sync.Mutex
	queue   []*task // ready tasks, in wake order
	pending int     // tasks spawned and not finished
	parked  bool    // run is (about to be) waiting on signal
	signal  chan struct{}
}

// task is one spawned future. It is its own Waker, allocated once.
type task struct {
	exec  *executor
	state atomic.Uint32
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
	e.mu.Lock()
	e.pending++
	e.mu.Unlock()
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

// push appends t to the ready queue and wakes run if it sleeps.
func (e *executor) push(t *task) {
	e.mu.Lock()
	e.queue = append(e.queue, t)
	wasParked := e.parked
	e.parked = false
	e.mu.Unlock()
	if wasParked {
		select {
		case e.signal <- struct{}{}:
		default: // only one pusher sees parked; the slot is free
		}
	}
}

// run polls ready tasks until none is left, sleeping while tasks remain
// but none is ready. Ready tasks are taken in batches (the queue is swapped
// with an empty slice), so wakes during the batch go to the next one.
func (e *executor) run() {
	var batch []*task
	for {
		e.mu.Lock()
		batch, e.queue = e.queue, batch[:0]
		if len(batch) == 0 {
			n := e.pending
			if n == 0 {
				e.mu.Unlock()
				e.tracef("%s: All tasks are finished\n", e.name)
				return
			}
			e.parked = true
			e.mu.Unlock()
			e.tracef("%s: %d pending tasks. Sleep until notified.\n", e.name, n)
			<-e.signal
			continue
		}
		e.mu.Unlock()
		for i, t := range batch {
			batch[i] = nil
			e.poll(t)
		}
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
	e.mu.Lock()
	e.pending--
	e.mu.Unlock()
}

func (e *executor) tracef(format string, args ...any) {
	if e.trace != nil {
		fmt.Fprintf(e.trace, format, args...)
	}
}
