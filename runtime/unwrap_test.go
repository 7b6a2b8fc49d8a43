package runtime

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// wrapWaker is a Waker that wraps another, as a tracing driver's does: it
// counts the wakes and passes them on.
type wrapWaker struct {
	inner Waker
	wakes atomic.Int32
}

func (w *wrapWaker) Wake()         { w.wakes.Add(1); w.inner.Wake() }
func (w *wrapWaker) Unwrap() Waker { return w.inner }

// wrapping is a hand-written future that polls f with a Waker wrapping a
// Waker wrapping the one it is given (two deep), made again only when the
// Waker it is given changes.
type wrapping[T any] struct {
	f            Future[T]
	outer, inner *wrapWaker
	polls        int
}

func (p *wrapping[T]) Poll(w Waker) (T, bool) {
	p.polls++
	if p.inner == nil || p.inner.inner != w {
		p.inner = &wrapWaker{inner: w}
		p.outer = &wrapWaker{inner: p.inner}
	}
	return p.f.Poll(p.outer)
}

// TestSpawnThroughWrappedWaker: a Spawn polled, under a hand-written
// future, with a Waker that wraps (twice) the task's finds the executor
// through the wrappers' Unwrap and starts its task there; the wakes of the
// spawned task's JoinHandle and of another goroutine go through the
// wrappers and reach the task, which is polled again until it completes.
func TestSpawnThroughWrappedWaker(t *testing.T) {
	var spawnedRan atomic.Bool
	f := &wrapping[int]{f: async(func(a awaiter) int {
		h := await(a, Spawn(async(func(a awaiter) int {
			await(a, Sleep(time.Millisecond))
			spawnedRan.Store(true)
			return 40
		})))
		v := await(a, h) // woken by the task's completion, through the wrappers
		remote := false
		await(a, pollFunc[struct{}](func(w Waker) (struct{}, bool) {
			if remote {
				return struct{}{}, true
			}
			remote = true
			go w.Wake() // woken from another goroutine, through the wrappers
			return struct{}{}, false
		}))
		return v + 2
	})}
	var got int
	within(t, eventually, func() { got = BlockOn[int](f) })
	if got != 42 || !spawnedRan.Load() {
		t.Fatalf("BlockOn = %d (spawned task ran: %v), want 42 (true)", got, spawnedRan.Load())
	}
	// Two wakes at least: the JoinHandle's and the goroutine's, each
	// followed by a poll.
	if n, m := f.outer.wakes.Load(), f.inner.wakes.Load(); n < 2 || m != n {
		t.Errorf("wakes through the outer wrapper %d, the inner %d: want the same, at least 2", n, m)
	}
	if f.polls < 3 {
		t.Errorf("%d polls of the wrapping future, want at least 3 (the first, and one after each wake)", f.polls)
	}
}

// TestSpawnFutureWithWrappedTaskWaker: a SpawnFuture polled directly with
// a wrapper of the task's Waker spawns onto that task's executor.
func TestSpawnFutureWithWrappedTaskWaker(t *testing.T) {
	var h *JoinHandle[int]
	got := BlockOn(pollFunc[int](func(w Waker) (int, bool) {
		if h == nil {
			var ok bool
			h, ok = Spawn(Ready(7)).Poll(&wrapWaker{inner: w})
			if !ok {
				t.Fatal("Spawn not ready at once")
			}
		}
		return h.Poll(w)
	}))
	if got != 7 {
		t.Errorf("spawned through a wrapper: %d, want 7", got)
	}
}

// nilWrap wraps nothing.
type nilWrap struct{}

func (nilWrap) Wake()         {}
func (nilWrap) Unwrap() Waker { return nil }

// TestSpawnWrappedWithoutExecutorPanics: a wrapper of a Waker that leads
// to no executor, or whose Unwrap returns nil, gets Spawn's panic, naming
// the Waker it was polled with.
func TestSpawnWrappedWithoutExecutorPanics(t *testing.T) {
	for _, w := range []Waker{&wrapWaker{inner: NoopWaker()}, &wrapWaker{inner: &wrapWaker{inner: nilWrap{}}}} {
		func() {
			defer func() {
				p := recover()
				if msg := fmt.Sprint(p); p == nil || !strings.Contains(msg, "not the Waker of an executor's task, nor one wrapping it") || !strings.Contains(msg, "*runtime.wrapWaker") {
					t.Errorf("Spawn polled with %T wrapping no task: panic %v, want one explaining the Waker", w, p)
				}
			}()
			Spawn(Ready(1)).Poll(w)
		}()
	}
}
