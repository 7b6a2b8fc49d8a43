//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"errors"
	goruntime "runtime"
	"sync"
	"testing"
	"time"
)

// panicWaker is a user's Waker that panics with value, or calls
// runtime.Goexit if value is nil.
type panicWaker struct {
	value any
	once  sync.Once
	woken chan struct{} // closed at the first Wake
}

func newPanicWaker(value any) *panicWaker {
	return &panicWaker{value: value, woken: make(chan struct{})}
}

func (p *panicWaker) Wake() {
	p.once.Do(func() { close(p.woken) })
	if p.value == nil {
		goruntime.Goexit()
	}
	panic(p.value)
}

// waitFor waits until cond holds, checking it under the reactor's lock;
// the limit is a watchdog.
func waitFor(t *testing.T, r *Reactor, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", eventually, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// wakePanicOf runs poll and returns the *WakePanicError it panics with, or
// fails the test.
func wakePanicOf(t *testing.T, what string, poll func()) *WakePanicError {
	t.Helper()
	var p any
	func() {
		defer func() { p = recover() }()
		poll()
	}()
	wp, ok := p.(*WakePanicError)
	if !ok {
		t.Fatalf("%s: panicked with %v (%T), want a *WakePanicError", what, p, p)
	}
	return wp
}

// reactorAlive checks that the reactor still runs timers and sockets.
func reactorAlive(t *testing.T) {
	t.Helper()
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	within(t, eventually, func() {
		BlockOn(Sleep(time.Millisecond))
		pair := BlockOn(JoinAll([]Future[Result[*Conn]]{l.Accept(), Connect(l.Addr())}))
		for _, res := range pair {
			if res.Err != nil {
				t.Errorf("Accept/Connect: %v", res.Err)
				return
			}
			defer res.Value.Close()
		}
		if res := BlockOn(pair[1].Value.Write([]byte("x"))); res.Err != nil {
			t.Errorf("Write: %v", res.Err)
		}
		if res := BlockOn(pair[0].Value.Read(make([]byte, 1))); res.Err != nil || res.Value != 1 {
			t.Errorf("Read: %+v", res)
		}
	})
}

// TestPanickingWakeContained: a Waker whose Wake panics (or calls
// runtime.Goexit) on the reactor's thread does not stop the process or the
// reactor: the panic is raised again, as a *WakePanicError, by the next Poll
// of the future that gave that Waker, on the goroutine polling it, and then
// the future goes on; timers and sockets keep working. The same holds where
// SpawnBlocking's goroutine and a JoinHandle's completion call a Waker.
func TestPanickingWakeContained(t *testing.T) {
	r := mustReactor()

	t.Run("timer", func(t *testing.T) {
		w := newPanicWaker("boom from Wake")
		s := Sleep(shortSleep)
		if _, ok := s.Poll(w); ok {
			t.Fatal("a short sleep was ready at once")
		}
		waitFor(t, r, "the timer's Wake panic recorded", func() bool { return s.t.panicked != nil })
		wp := wakePanicOf(t, "Poll after the Wake panicked", func() { s.Poll(NoopWaker()) })
		if wp.Value != "boom from Wake" || len(wp.Stack) == 0 {
			t.Errorf("WakePanicError = %v, stack %d bytes; want the value boom from Wake and a stack", wp.Value, len(wp.Stack))
		}
		if _, ok := s.Poll(NoopWaker()); !ok {
			t.Error("the sleep, polled again after its deadline, is not ready")
		}
		reactorAlive(t)
	})

	t.Run("socket", func(t *testing.T) {
		l, err := Listen("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var pair []Result[*Conn]
		within(t, eventually, func() {
			pair = BlockOn(JoinAll([]Future[Result[*Conn]]{l.Accept(), Connect(l.Addr())}))
		})
		server, client := pair[0].Value, pair[1].Value
		defer server.Close()
		defer client.Close()
		w := newPanicWaker(errors.New("boom from a socket's Wake"))
		buf := make([]byte, 8)
		read := server.Read(buf)
		if _, ok := read.Poll(w); ok {
			t.Fatal("a read with nothing sent was ready")
		}
		within(t, eventually, func() { BlockOn(client.Write([]byte("hello"))) })
		waitFor(t, r, "the socket's Wake panic recorded", func() bool { return r.sources[server.id].readPanic != nil })
		wp := wakePanicOf(t, "Read's Poll after the Wake panicked", func() { read.Poll(NoopWaker()) })
		if err, _ := wp.Value.(error); err == nil || err.Error() != "boom from a socket's Wake" || !errors.Is(wp, err) {
			t.Errorf("WakePanicError = %v, want the error boom from a socket's Wake, unwrapped by errors.Is", wp)
		}
		res, ok := read.Poll(NoopWaker())
		if !ok || res.Err != nil || string(buf[:res.Value]) != "hello" {
			t.Errorf("Read polled again: %+v, %v; want hello", res, ok)
		}
		reactorAlive(t)
	})

	t.Run("Goexit", func(t *testing.T) {
		w := newPanicWaker(nil)
		s := Sleep(shortSleep)
		if _, ok := s.Poll(w); ok {
			t.Fatal("a short sleep was ready at once")
		}
		waitFor(t, r, "the timer's Wake Goexit recorded", func() bool { return s.t.panicked != nil })
		wp := wakePanicOf(t, "Poll after the Wake called Goexit", func() { s.Poll(NoopWaker()) })
		if !errors.Is(wp, errWakeGoexit) {
			t.Errorf("WakePanicError = %v, want errWakeGoexit", wp)
		}
		reactorAlive(t)
	})

	t.Run("SpawnBlocking", func(t *testing.T) {
		w := newPanicWaker("boom from SpawnBlocking's Wake")
		b := SpawnBlocking(func() int { return 42 })
		b.Poll(w)
		deadline := time.Now().Add(eventually)
		for { // until fn's goroutine has called Wake and kept its panic
			b.mu.Lock()
			recorded := b.wakePanic != nil
			b.mu.Unlock()
			if recorded {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after %v: SpawnBlocking's goroutine kept no Wake panic", eventually)
			}
			time.Sleep(time.Millisecond)
		}
		wp := wakePanicOf(t, "SpawnBlocking's Poll after the Wake panicked", func() { b.Poll(NoopWaker()) })
		if wp.Value != "boom from SpawnBlocking's Wake" {
			t.Errorf("WakePanicError = %v", wp)
		}
		if v, ok := b.Poll(NoopWaker()); !ok || v != 42 {
			t.Errorf("Poll after the panic = %d, %v; want 42", v, ok)
		}
	})

	t.Run("JoinHandle", func(t *testing.T) {
		w := newPanicWaker("boom from JoinHandle's Wake")
		var h *JoinHandle[int]
		release := make(chan struct{})
		within(t, eventually, func() {
			BlockOn(async(func(a awaiter) struct{} {
				h = await(a, Spawn(async(func(a awaiter) int {
					await(a, SpawnBlocking(func() struct{} { <-release; return struct{}{} }))
					return 7
				})))
				if _, ok := h.Poll(w); ok {
					t.Error("JoinHandle ready before its task ran")
				}
				close(release)
				return struct{}{}
			}))
		})
		wp := wakePanicOf(t, "JoinHandle's Poll after the Wake panicked", func() { h.Poll(NoopWaker()) })
		if wp.Value != "boom from JoinHandle's Wake" {
			t.Errorf("WakePanicError = %v", wp)
		}
		if v, ok := h.Poll(NoopWaker()); !ok || v != 7 {
			t.Errorf("JoinHandle polled again = %d, %v; want 7", v, ok)
		}
	})
}

// TestRuntimeWakersNeverBlock: the Wakers the runtime hands out (an
// executor's tasks, NoopWaker) return at once, from any goroutine, any number
// of times, even when the executor they lead to is stuck and never takes its
// signal: a wake is a push and at most one non-blocking send.
func TestRuntimeWakersNeverBlock(t *testing.T) {
	e := newExecutor("stuck", nil)
	var wakers []Waker
	for range 10 {
		e.spawn(&spawned[int]{handle: &JoinHandle[int]{}, f: pollFunc[int](func(Waker) (int, bool) { return 0, false })})
	}
	for t := e.remote.take(); t != nil; t = t.next {
		wakers = append(wakers, t)
	}
	for _, w := range wakers {
		w.(*task).state.Store(taskIdle)
	}
	done := &task{exec: e}
	done.state.Store(taskDone)
	wakers = append(wakers, done, NoopWaker())
	e.sleeping.Store(true) // as run does just before it waits on signal, which nobody takes now
	within(t, eventually, func() {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10000 {
					wakers[(g+i)%len(wakers)].Wake()
				}
			}()
		}
		wg.Wait()
	})
	if n := len(e.signal); n != 1 {
		t.Errorf("%d signals pending for the sleeping executor, want 1", n)
	}

	// The reactor's thread wakes a task of an executor whose goroutine is
	// busy and never takes the signal, then goes on with other timers.
	stuck := newExecutor("stuck2", nil)
	var tk *task
	stuck.spawn(&spawned[struct{}]{handle: &JoinHandle[struct{}]{}, f: Sleep(shortSleep)})
	tk = stuck.remote.take()
	tk.state.Store(taskIdle)
	stuck.sleeping.Store(true)
	if _, ok := tk.fut.(*spawned[struct{}]).f.Poll(tk); ok {
		t.Fatal("a short sleep was ready at once")
	}
	within(t, eventually, func() {
		for range 3 {
			BlockOn(Sleep(2 * time.Millisecond))
		}
	})
	waitFor(t, mustReactor(), "the stuck executor's task woken by the reactor", func() bool { return !stuck.remote.empty() })
	if n := len(stuck.signal); n != 1 {
		t.Errorf("%d signals pending for the stuck executor, want 1", n)
	}
}

// shortSleep is the sleep of tests that need it not over at its first
// poll: short, but longer than a poll descheduled between its two reads
// of the clock on a loaded machine (1 ms was not always).
const shortSleep = 20 * time.Millisecond
