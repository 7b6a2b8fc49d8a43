package models

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/corofy/corofy/runtime"
)

// Callbacks is the program with callbacks, as JavaScript writes it with
// setTimeout: a task is the function to call when its time has come, and
// chaining is nesting one in another.
func Callbacks(w io.Writer, d Delays) {
	l := newEventLoop()
	fmt.Fprintln(w, lineStart)
	l.setTimeout(d.Long, func() {
		fmt.Fprintln(w, lineLong)
	})
	l.setTimeout(d.Chain, func() {
		fmt.Fprintln(w, lineChain)
		l.setTimeout(d.Like, func() {
			fmt.Fprintln(w, lineLike)
		})
	})
	fmt.Fprintln(w, lineRunning)
	l.run()
}

// eventLoop runs callbacks on one goroutine when their timers fire. The
// timers are the runtime's (runtime.Sleep, kept by the reactor's timer
// heap); each pending callback is the Waker of its timer, and waking it
// queues it for the loop. The loop sleeps until a wake comes, and ends when
// no callback is pending.
type eventLoop struct {
	pending int // callbacks whose timer has not fired yet

	mu    sync.Mutex
	ready []*timeout    // woken, to poll on the loop's goroutine
	wake  chan struct{} // a token when ready is not empty
}

// timeout is one pending callback and its timer.
type timeout struct {
	loop  *eventLoop
	timer *runtime.SleepFuture
	fn    func()
}

func newEventLoop() *eventLoop { return &eventLoop{wake: make(chan struct{}, 1)} }

// setTimeout calls fn on the loop once d has passed.
func (l *eventLoop) setTimeout(d time.Duration, fn func()) {
	l.pending++
	l.poll(&timeout{loop: l, timer: runtime.Sleep(d), fn: fn})
}

// poll polls t's timer, which arms it on the first poll, and calls t's
// callback if it has fired.
func (l *eventLoop) poll(t *timeout) {
	if _, fired := t.timer.Poll(t); fired {
		l.pending--
		t.fn()
	}
}

// Wake queues t for the loop; the reactor calls it when t's timer fires. It
// never blocks: a short lock, and a send only if no token is waiting.
func (t *timeout) Wake() {
	l := t.loop
	l.mu.Lock()
	l.ready = append(l.ready, t)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run sleeps until timers fire and calls their callbacks, until no callback
// is pending.
func (l *eventLoop) run() {
	for l.pending > 0 {
		<-l.wake
		l.mu.Lock()
		ready := l.ready
		l.ready = nil
		l.mu.Unlock()
		for _, t := range ready {
			l.poll(t)
		}
	}
}

// ParkCallbacks sets n callbacks to run after d, calls parked once all
// their timers are armed, and returns when all have run.
func ParkCallbacks(n int, d time.Duration, parked func()) {
	l := newEventLoop()
	for range n {
		l.setTimeout(d, func() {})
	}
	parked()
	l.run()
}
