package runtime

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// executor runs tasks on the goroutine that called run: the book's
// chapter 8 executor. Tasks are futures with a Waker of their own (the *task
// itself). Waking a task makes it ready, once, from any goroutine; run polls
// the ready tasks one by one, oldest first, without holding any lock, so a
// task being polled can spawn tasks or wake itself or others; when nothing is
// ready and tasks remain, run sleeps on signal until a wake arrives.
//
// The book keeps tasks in a map keyed by id and looks the id up on each wake;
// here the Waker is the task, so a wake needs no lookup and no allocation,
// and a finished task simply ignores its wakes.
//
// A wake comes from one of two places, and each has its own way in:
//
//   - From the executor's own goroutine, during a poll: a task wakes another
//     (its JoinHandle completing, say) or itself. Only that
//     goroutine touches the local run list, so such a wake is a flag test
//     and a list append, without a single atomic operation. The executor
//     tells these wakes apart by the identity of the calling goroutine
//     (goroutineID; on architectures without it, every wake is remote).
//   - From anywhere else (the reactor's thread, a timer, another executor, a
//     goroutine of SpawnBlocking): the task's state moves from idle to
//     queued with a compare-and-swap, so that one waker pushes it onto the
//     lock-free remote stack (readyStack), and the executor takes the whole
//     stack with one swap before each pick. Before polling a task it took
//     from there, it sets the state back to idle, so a wake that arrives
//     during the poll queues the task again rather than being lost.
//
// Both kinds of wakes end in the one local run list, in the order the
// executor learnt of them: a task woken remotely waits behind the tasks
// already ready, not behind every local wake to come
// (TestRemoteWakeNotStarvedByLocalWakes).
type executor struct {
	name  string
	trace io.Writer // nil: no trace

	owner    atomic.Uintptr // goroutineID of the goroutine in run; 0 outside run
	local    taskList       // ready tasks, oldest first; owner's goroutine only
	remote   readyStack     // tasks woken from other goroutines
	pending  atomic.Int64   // tasks spawned and not finished
	sleeping atomic.Bool    // run is about to wait, or waits, on signal
	signal   chan struct{}

	nextOnStripe *executor // link in running's stripe, while in run
}

// task is one spawned future. It is its own Waker, allocated once.
//
// Fields are ordered for size (48 bytes on 64-bit systems): state and the
// two flags share a word.
type task struct {
	exec *executor

	state atomic.Uint32 // the remote wake protocol: any goroutine

	// The executor's goroutine only.
	inLocal bool     // in exec.local
	taken   bool     // exec.remote handed it over: set state to idle before polling
	fut     pollable // nil once finished
	lnext   *task    // link in exec.local

	next *task // link in exec.remote: written by the waker that pushes
}

// Task states of the remote wake protocol. A remote wake moves idle to
// queued and pushes the task; run moves it back to idle just before polling
// it, so a wake during the poll pushes it again.
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

// onOwner reports whether the caller runs on the executor's goroutine, inside
// run, which is then polling a task.
func (e *executor) onOwner() bool {
	id := goroutineID()
	return id != 0 && id == e.owner.Load()
}

// spawn adds a task that is ready to be polled. Safe from any goroutine.
func (e *executor) spawn(f pollable) {
	t := &task{exec: e, fut: f}
	e.pending.Add(1)
	if e.onOwner() {
		t.inLocal = true
		e.local.pushBack(t)
		return
	}
	t.state.Store(taskQueued)
	e.push(t)
}

// Wake implements [Waker]: it makes the task ready unless it is ready already
// or finished.
func (t *task) Wake() {
	e := t.exec
	if e.onOwner() {
		if !t.inLocal && t.fut != nil {
			t.inLocal = true
			e.local.pushBack(t)
		}
		return
	}
	if t.state.CompareAndSwap(taskIdle, taskQueued) {
		e.push(t)
	}
}

func (t *task) spawnTarget() *executor { return t.exec }

// push puts t onto the remote stack and wakes run if it sleeps. Whoever
// turns sleeping from true to false sends the one signal: run, if it changes
// its mind, or a pusher; so a signal is never left over for a later sleep,
// and the send finds the buffer of one empty. It is a non-blocking send all
// the same, so that a task's Wake never blocks by construction (the
// reactor's thread calls it): see TestRuntimeWakersNeverBlock.
func (e *executor) push(t *task) {
	e.remote.push(t)
	if e.sleeping.Load() && e.sleeping.CompareAndSwap(true, false) {
		select {
		case e.signal <- struct{}{}:
		default: // unreachable, by the protocol above
		}
	}
}

// run polls ready tasks until no task is left, sleeping while tasks remain
// but none is ready.
func (e *executor) run() {
	id := goroutineID()
	e.owner.Store(id)
	running.add(id, e)
	defer func() { // also when a poll panics: later wakes are remote
		running.remove(id, e)
		e.owner.Store(0)
	}()
	for {
		if t := e.nextReady(); t != nil {
			e.poll(t)
			continue
		}
		n := e.pending.Load()
		if n == 0 {
			if e.trace != nil {
				fmt.Fprintf(e.trace, "%s: All tasks are finished\n", e.name)
			}
			return
		}
		// Nothing is ready, and only this goroutine adds to local: only a
		// remote wake can end the wait.
		if outer, others := running.blocked(id, e); outer != nil {
			panic(fmt.Sprintf("runtime: BlockOn (%q) inside a poll of a task of executor %q has to wait, "+
				"and while it waits the %d other tasks of %q cannot run: if it waits for one of them, it never returns. "+
				"In a coroutine, wait on the future with .wait, or start it with Spawn, instead of calling BlockOn (or Await) in a poll",
				e.name, outer.name, others, outer.name))
		}
		e.sleeping.Store(true)
		if !e.remote.empty() { // a push came between nextReady and Store
			if !e.sleeping.CompareAndSwap(true, false) {
				<-e.signal // the pusher saw sleeping first and signalled
			}
			continue
		}
		if e.trace != nil { // tested here: boxing the arguments would allocate
			fmt.Fprintf(e.trace, "%s: %d pending tasks. Sleep until notified.\n", e.name, n)
		}
		<-e.signal
	}
}

// nextReady returns the oldest ready task, or nil if none is ready. Tasks
// woken remotely join the local list, behind the tasks already there.
func (e *executor) nextReady() *task {
	if !e.remote.empty() {
		for t := e.remote.take(); t != nil; {
			next := t.next
			t.next = nil
			t.taken = true
			if !t.inLocal {
				t.inLocal = true
				e.local.pushBack(t)
			}
			t = next
		}
	}
	return e.local.popFront()
}

// poll polls one ready task and retires it if it completed.
func (e *executor) poll(t *task) {
	t.inLocal = false
	if t.fut == nil {
		return // finished; a wake slipped in before it was marked done
	}
	if t.taken {
		t.taken = false
		t.state.Store(taskIdle) // a full barrier: the poll sees what a later wake saw
	}
	if !t.fut.poll(t) {
		return
	}
	t.state.Store(taskDone)
	t.fut = nil
	e.pending.Add(-1)
}

// taskList is a FIFO list of tasks linked through lnext; a task is in it at
// most once (its inLocal flag says whether).
type taskList struct {
	head, tail *task
}

func (l *taskList) pushBack(t *task) {
	if l.tail == nil {
		l.head = t
	} else {
		l.tail.lnext = t
	}
	l.tail = t
}

// popFront returns the oldest task, or nil if the list is empty.
func (l *taskList) popFront() *task {
	t := l.head
	if t == nil {
		return nil
	}
	l.head = t.lnext
	if l.head == nil {
		l.tail = nil
	}
	t.lnext = nil
	return t
}

// readyStack is the executor's queue of remotely woken tasks: a lock-free
// stack that wakers push onto, from any goroutine, with one compare-and-swap,
// and that the executor's goroutine takes whole with one swap. A task is in
// it at most once (its state guards that), so its next field can be the link.
type readyStack struct {
	pushed atomic.Pointer[task] // newest first
}

func (s *readyStack) push(t *task) {
	for {
		old := s.pushed.Load()
		t.next = old
		if s.pushed.CompareAndSwap(old, t) {
			return
		}
	}
}

// take empties the stack and returns its tasks oldest first, linked through
// next.
func (s *readyStack) take() *task {
	var oldest *task
	for t := s.pushed.Swap(nil); t != nil; {
		next := t.next
		t.next = oldest
		oldest = t
		t = next
	}
	return oldest
}

// empty reports whether no task is pushed.
func (s *readyStack) empty() bool { return s.pushed.Load() == nil }

// running records the executors in run, by goroutine, so that an executor
// started by a BlockOn inside a poll (nested on the goroutine of the
// executor polling) finds the executors it blocks. Executors are kept in
// lists striped by goroutine, each behind its own mutex; only run's start
// and end and a nested executor's sleep touch them.
var running executorStripes

type executorStripes [64]struct {
	mu   sync.Mutex
	head *executor
	_    [64 - 16]byte // one cache line per stripe
}

func (s *executorStripes) stripe(id uintptr) int {
	return int(uint64(id) * 0x9e3779b97f4a7c15 >> 58) // Fibonacci hashing: 6 bits
}

// add records that e runs on goroutine id (0: unknown, not recorded).
func (s *executorStripes) add(id uintptr, e *executor) {
	if id == 0 {
		return
	}
	st := &s[s.stripe(id)]
	st.mu.Lock()
	e.nextOnStripe = st.head
	st.head = e
	st.mu.Unlock()
}

// remove forgets e, added with id.
func (s *executorStripes) remove(id uintptr, e *executor) {
	if id == 0 {
		return
	}
	st := &s[s.stripe(id)]
	st.mu.Lock()
	for p := &st.head; *p != nil; p = &(*p).nextOnStripe {
		if *p == e {
			*p = e.nextOnStripe
			break
		}
	}
	e.nextOnStripe = nil
	st.mu.Unlock()
}

// blocked returns an executor that runs on goroutine id, around e, and has
// tasks other than the one it is polling (which e runs inside), with their
// number; or nil. Such an executor cannot poll anything while e sleeps.
func (s *executorStripes) blocked(id uintptr, e *executor) (*executor, int64) {
	if id == 0 {
		return nil, 0
	}
	st := &s[s.stripe(id)]
	st.mu.Lock()
	defer st.mu.Unlock()
	for o := st.head; o != nil; o = o.nextOnStripe {
		if o != e && o.owner.Load() == id {
			if n := o.pending.Load(); n > 1 {
				return o, n - 1
			}
		}
	}
	return nil, 0
}
