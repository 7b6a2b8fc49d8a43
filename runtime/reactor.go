package runtime

import (
	"errors"
	"fmt"
	"math"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// The reactor turns readiness reported by the operating system's event queue
// into calls of [Waker.Wake]. It knows nothing about tasks or executors: a
// leaf future registers a file descriptor under a [ResourceID], leaves the
// Waker it was polled with, and the reactor's loop, on its own OS thread,
// wakes that Waker when the descriptor becomes ready or a timer expires.
//
// Platform contract. Each backend (reactor_epoll.go for Linux,
// reactor_kqueue.go for macOS and the BSDs, reactor_stub.go elsewhere) must
// define the type poller and these functions, the way Go's own
// runtime/netpoll.go states what every netpoll_*.go provides:
//
//	func newPoller() (*poller, error)
//	    Opens the event queue and its wake-up descriptor.
//	func (p *poller) add(fd int, id ResourceID, in Interest) error
//	    Starts watching fd, edge-triggered, for the readiness in in; the
//	    events it causes carry id.
//	func (p *poller) modify(fd int, id ResourceID, in Interest) error
//	    Replaces the interest (and id) of a watched fd; re-arms the edge.
//	func (p *poller) remove(fd int) error
//	    Stops watching fd. Called before fd is closed.
//	func (p *poller) wait(timeout time.Duration, events []event) ([]event, error)
//	    Blocks until at least one event, until timeout (negative: no
//	    timeout) or until interrupt; appends the readiness events to events.
//	    EINTR is retried inside; the wake-up descriptor is drained and never
//	    reported. Only the reactor's loop calls it.
//	func (p *poller) interrupt() error
//	    Makes the current or the next wait return. Safe from any goroutine;
//	    several interrupts before a wait returns may count as one.
//	func (p *poller) close() error
//	    Releases the descriptors. Called by the loop once wait has returned.
//
// Errors are *os.SyscallError values (os.NewSyscallError) naming the call.

// Interest is a set of readiness kinds a resource is watched for.
type Interest uint8

const (
	// Readable: data (or end of file, or an error) can be read without
	// blocking, or a listening socket has a connection to accept.
	Readable Interest = 1 << iota
	// Writable: data can be written without blocking, or a connect has
	// finished (successfully or not).
	Writable
)

// ResourceID names one registration with a [Reactor]. IDs are never reused,
// so a late event for a deregistered resource is recognised and dropped.
type ResourceID uint64

// event is one readiness report from the poller. Errors and hang-ups are
// reported as both Readable and Writable: whoever waits will try its
// operation and see the error.
type event struct {
	id    ResourceID
	ready Interest
}

// Reactor is an event loop around the operating system's event queue (epoll
// on Linux, kqueue on macOS and the BSDs) running on its own OS thread. It
// keeps, per registered resource, the newest Waker for reading and the newest
// for writing, and a heap of timers. Executors never see it: leaf futures
// give it their Wakers and it calls them.
//
// The process has one reactor, [DefaultReactor], which every leaf future of
// this package uses; all executors share it.
type Reactor struct {
	poller *poller
	nextID atomic.Uint64
	done   chan struct{} // closed when the loop has returned

	mu        sync.Mutex
	sources   map[ResourceID]*source
	timers    timerHeap
	sleepTill int64 // when the loop's current wait ends, in nanotime; math.MaxInt64: never
	closing   bool
	err       error // the loop failed; every operation reports it

	// The loop's own: the Wakers it is calling, and the next to call. A
	// loop that a Wake ended with runtime.Goexit leaves the rest to the
	// loop that replaces it.
	batch     []wakeup
	batchNext int
}

// source is a registered resource.
type source struct {
	fd     int
	reader Waker // woken when the resource becomes readable
	writer Waker // woken when it becomes writable

	// A panic of the reader's or the writer's Wake, raised again by the
	// next SetWaker for that readiness (see WakePanicError).
	readPanic, writePanic *WakePanicError
}

// wakeup is a Waker the loop calls, with what it was given for: a timer,
// or a resource and a readiness. A panic in its Wake goes back there.
type wakeup struct {
	w  Waker
	t  *timer     // the timer, or nil
	id ResourceID // else the resource
	in Interest   // and the readiness
}

var defaultReactor = sync.OnceValues(newReactor)

// DefaultReactor returns the process's reactor, starting it at the first
// call. The error is the one from creating the event queue; it is returned
// again by every later call.
func DefaultReactor() (*Reactor, error) { return defaultReactor() }

// newReactor creates a reactor and starts its loop on a new OS thread.
func newReactor() (*Reactor, error) {
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	r := &Reactor{
		poller:    p,
		done:      make(chan struct{}),
		sources:   make(map[ResourceID]*source),
		sleepTill: math.MaxInt64,
	}
	go r.loop()
	return r, nil
}

// errReactorClosed is returned by a reactor that was closed (only tests close
// reactors; the default one lives as long as the process).
var errReactorClosed = errors.New("runtime: reactor closed")

// NextID returns a fresh resource id.
func (r *Reactor) NextID() ResourceID { return ResourceID(r.nextID.Add(1)) }

// Register starts watching fd for the readiness in in, edge-triggered: the
// reactor wakes a resource's Waker when the readiness newly appears, not
// while it lasts. A leaf future must therefore set its Waker (with
// [Reactor.SetWaker]) before it tries its operation, and return not ready only
// after the operation said it would block (EAGAIN); then no readiness is
// missed.
func (r *Reactor) Register(fd int, in Interest, id ResourceID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if _, dup := r.sources[id]; dup {
		return fmt.Errorf("runtime: resource %d registered twice", id)
	}
	if err := r.poller.add(fd, id, in); err != nil {
		return err
	}
	r.sources[id] = &source{fd: fd}
	return nil
}

// Reregister changes the readiness a registered fd is watched for. The
// edge is re-armed: readiness already present is reported again.
func (r *Reactor) Reregister(fd int, in Interest, id ResourceID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if s := r.sources[id]; s == nil || s.fd != fd {
		return fmt.Errorf("runtime: reregister of unknown resource %d (fd %d)", id, fd)
	}
	return r.poller.modify(fd, id, in)
}

// Deregister stops watching fd and forgets the resource's Wakers. Call it
// before closing fd. Events already on their way for id are dropped.
func (r *Reactor) Deregister(fd int, id ResourceID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sources[id]
	if s == nil || s.fd != fd {
		return fmt.Errorf("runtime: deregister of unknown resource %d (fd %d)", id, fd)
	}
	delete(r.sources, id)
	if r.closing {
		return nil // the poller is going away with its registrations
	}
	return r.poller.remove(fd)
}

// SetWaker makes w the Waker woken when resource id becomes ready for any of
// in; it replaces the Waker set before for that readiness (the newest Waker
// wins, as the task polling the future may have moved). A leaf future calls
// it every time before it tries its operation. It reports an error if id is
// not registered or the reactor failed.
//
// If the Waker set before for that readiness panicked when the reactor woke
// it, SetWaker panics with that panic, a *[WakePanicError], and sets nothing:
// so the Poll of the leaf future raises it on the goroutine that polls. A nil
// w (a Cancel) drops such a panic.
func (r *Reactor) SetWaker(id ResourceID, in Interest, w Waker) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	s := r.sources[id]
	if s == nil {
		return fmt.Errorf("runtime: waker for unknown resource %d", id)
	}
	if wp := s.readPanic; wp != nil && in&Readable != 0 {
		s.readPanic = nil
		if w != nil {
			panic(wp)
		}
	}
	if wp := s.writePanic; wp != nil && in&Writable != 0 {
		s.writePanic = nil
		if w != nil {
			panic(wp)
		}
	}
	if in&Readable != 0 {
		s.reader = w
	}
	if in&Writable != 0 {
		s.writer = w
	}
	return nil
}

// usable reports why the reactor cannot be used, or nil. r.mu is held.
func (r *Reactor) usable() error {
	if r.err != nil {
		return r.err
	}
	if r.closing {
		return errReactorClosed
	}
	return nil
}

// close stops the loop and waits for it; used by tests' private reactors.
func (r *Reactor) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.poller.interrupt()
	<-r.done
}

// loop is the reactor's thread: expire timers, wait for events until the
// next timer, wake the Wakers of what became ready; repeat. Wakers are called
// without r.mu held, so a Wake may register, set wakers or add timers.
func (r *Reactor) loop() {
	exited := false
	defer func() {
		if !exited {
			// A Wake called runtime.Goexit, which ends this goroutine
			// whatever is done (wakeOne recorded it for its future): the
			// loop goes on, on a new goroutine and thread.
			go r.loop()
			return
		}
		close(r.done)
	}()
	// The loop spends its life blocked in epoll_wait/kevent; locking it to
	// its thread makes that thread the reactor's, as in the book, and keeps
	// the Go scheduler from migrating it.
	goruntime.LockOSThread()
	r.wakeAll() // what a loop ended by a Goexit left
	events := make([]event, 0, 256)
	for {
		r.mu.Lock()
		if r.closing {
			r.mu.Unlock()
			r.poller.close()
			exited = true
			return
		}
		now := nanotime()
		r.batch = r.timers.expire(now, r.batch)
		timeout := time.Duration(-1)
		r.sleepTill = math.MaxInt64
		if len(r.timers) > 0 {
			r.sleepTill = r.timers[0].when
			timeout = time.Duration(r.sleepTill - now)
		}
		if len(r.batch) > 0 {
			timeout = 0 // just look for events: the woken may add timers
		}
		r.mu.Unlock()
		r.wakeAll()

		var err error
		events, err = r.poller.wait(timeout, events[:0])
		if err != nil {
			r.fail(err)
			exited = true
			return
		}
		r.mu.Lock()
		for _, ev := range events {
			s := r.sources[ev.id]
			if s == nil {
				continue // deregistered after the event was queued
			}
			if ev.ready&Readable != 0 && s.reader != nil {
				r.batch = append(r.batch, wakeup{w: s.reader, id: ev.id, in: Readable})
			}
			if ev.ready&Writable != 0 && s.writer != nil {
				r.batch = append(r.batch, wakeup{w: s.writer, id: ev.id, in: Writable})
			}
		}
		r.mu.Unlock()
		r.wakeAll()
	}
}

// wakeAll calls the Wakers of the batch, each with its panics contained,
// and empties the batch, its references cleared so finished tasks can be
// collected. Only the loop calls it.
func (r *Reactor) wakeAll() {
	for r.batchNext < len(r.batch) {
		u := r.batch[r.batchNext]
		r.batchNext++
		r.wakeOne(u)
	}
	clear(r.batch)
	r.batch, r.batchNext = r.batch[:0], 0
}

// wakeOne calls u's Waker. A panic in Wake is recovered and recorded where
// the Waker was given, for the next poll of its future to raise; so is a
// runtime.Goexit, which then ends the loop's goroutine (loop starts another).
func (r *Reactor) wakeOne(u wakeup) {
	returned := false
	defer func() {
		if returned {
			return
		}
		p := recover()
		if p == nil {
			p = errWakeGoexit // not stopped: this goroutine is ending
		}
		r.recordWakePanic(u, &WakePanicError{Value: p, Stack: debug.Stack()})
	}()
	u.w.Wake()
	returned = true
}

// recordWakePanic keeps wp for the timer or the resource and readiness u
// was woken for; a resource deregistered since takes it with it.
func (r *Reactor) recordWakePanic(u wakeup, wp *WakePanicError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u.t != nil {
		u.t.panicked = wp
		return
	}
	if s := r.sources[u.id]; s != nil {
		if u.in == Readable {
			s.readPanic = wp
		} else {
			s.writePanic = wp
		}
	}
}

// fail records that the loop cannot go on and wakes everything waiting, so
// every leaf future polls again and reports err instead of hanging.
func (r *Reactor) fail(err error) {
	r.mu.Lock()
	r.err = fmt.Errorf("runtime: reactor stopped: %w", err)
	for id, s := range r.sources {
		if s.reader != nil {
			r.batch = append(r.batch, wakeup{w: s.reader, id: id, in: Readable})
		}
		if s.writer != nil {
			r.batch = append(r.batch, wakeup{w: s.writer, id: id, in: Writable})
		}
	}
	r.batch = r.timers.expire(math.MaxInt64, r.batch)
	r.mu.Unlock()
	r.wakeAll()
	r.poller.close()
}

// epoch is the origin of nanotime.
var epoch = time.Now()

// nanotime is monotonic time in nanoseconds since the package started.
func nanotime() int64 { return int64(time.Since(epoch)) }
