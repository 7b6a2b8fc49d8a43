package runtime

import (
	"container/heap"
	"time"
)

// timer is an entry of the reactor's timer heap: at when (nanotime) the
// reactor wakes waker.
type timer struct {
	when  int64
	waker Waker
	index int // position in the heap, -1 when not in it

	// A panic of waker's Wake, raised again by the next poll (see
	// WakePanicError).
	panicked *WakePanicError
}

// timerHeap is a min-heap of timers by when (container/heap's interface).
type timerHeap []*timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when < h[j].when }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// expire removes the timers due at now and appends their wakers to wake.
func (h *timerHeap) expire(now int64, wake []wakeup) []wakeup {
	for len(*h) > 0 && (*h)[0].when <= now {
		t := heap.Pop(h).(*timer)
		if t.waker != nil {
			wake = append(wake, wakeup{w: t.waker, t: t})
		}
		t.waker = nil
	}
	return wake
}

// startTimer (re)arms t to wake w at t.when; w replaces the waker set
// before. If t is now the earliest timer, the loop is interrupted so that it
// waits no longer than t.when. If the waker set before panicked in Wake, it
// arms nothing and returns that panic, a *WakePanicError, for the poll to
// raise.
func (r *Reactor) startTimer(t *timer, w Waker) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if wp := t.panicked; wp != nil {
		t.panicked = nil
		return wp
	}
	t.waker = w
	if t.index >= 0 {
		heap.Fix(&r.timers, t.index)
	} else {
		heap.Push(&r.timers, t)
	}
	if t.when < r.sleepTill {
		r.sleepTill = t.when
		return r.poller.interrupt()
	}
	return nil
}

// stopTimer disarms t; it is a no-op for a timer that is not armed. (t.index
// is read under r.mu: the loop changes it when the timer expires.) It
// returns, and forgets, the panic of the timer's last Wake, if it panicked.
func (r *Reactor) stopTimer(t *timer) *WakePanicError {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t.index >= 0 {
		heap.Remove(&r.timers, t.index)
	}
	t.waker = nil
	wp := t.panicked
	t.panicked = nil
	return wp
}

// SleepFuture is the future returned by [Sleep] and [SleepUntil].
type SleepFuture struct {
	d       time.Duration // from the first poll, when deadline is zero
	started bool
	done    bool
	t       timer
}

// Sleep returns a future that completes d after its first poll (futures are
// lazy: the time starts when the sleep is first waited on). The reactor's
// timer heap wakes the task; no goroutine or OS timer per sleep.
//
// Sleep has no error result: if the reactor cannot run (it could not create
// its event queue), Poll panics with that error rather than hang. If the
// Waker it was polled with panicked when the timer woke it, the next Poll
// panics with that panic, a *[WakePanicError].
func Sleep(d time.Duration) *SleepFuture {
	return &SleepFuture{d: d, t: timer{index: -1}}
}

// SleepUntil returns a future that completes at the deadline t (at its first
// poll if t has passed).
func SleepUntil(t time.Time) *SleepFuture {
	s := Sleep(0)
	s.t.when = nanotime() + int64(time.Until(t))
	s.started = true
	return s
}

// Poll implements [Future].
func (s *SleepFuture) Poll(w Waker) (struct{}, bool) {
	if s.done {
		panic("runtime: Sleep future polled after completion")
	}
	// The reactor first: the first use in the process starts it (a
	// poller, a thread), which must not eat into the sleep; a short Sleep
	// was over at its first poll when that took longer than it.
	r := mustReactor()
	if !s.started {
		s.started = true
		s.t.when = nanotime() + int64(s.d)
	}
	if nanotime() >= s.t.when {
		// It may still be armed, if a spurious wake came first.
		if wp := r.stopTimer(&s.t); wp != nil {
			panic(wp) // the Waker's panic first; polled again, the sleep is over
		}
		s.done = true
		return struct{}{}, true
	}
	if err := r.startTimer(&s.t, w); err != nil {
		panic(err) // the reactor cannot run, or a *WakePanicError
	}
	return struct{}{}, false
}

// Cancel disarms a pending sleep; the future must not be polled afterwards.
// It is a no-op on a sleep that has completed or never been polled.
func (s *SleepFuture) Cancel() {
	if s.started && !s.done {
		mustReactor().stopTimer(&s.t)
	}
	s.done = true
}

// mustReactor returns the default reactor, or panics with the error that
// keeps it from running (for futures that have no error result).
func mustReactor() *Reactor {
	r, err := DefaultReactor()
	if err != nil {
		panic(err)
	}
	return r
}
