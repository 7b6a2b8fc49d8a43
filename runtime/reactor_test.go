//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests drive a private reactor directly with pipes and socket pairs,
// as a leaf future would: set the Waker, try the operation, wait for a wake.

func newTestReactor(t *testing.T) *Reactor {
	t.Helper()
	r, err := newReactor()
	if err != nil {
		t.Fatalf("newReactor: %v", err)
	}
	t.Cleanup(r.close)
	return r
}

func newPipe(t *testing.T) (rd, wr int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatalf("pipe: %v", err)
	}
	for _, fd := range p {
		unix.SetNonblock(fd, true)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func TestReactorPipeReadable(t *testing.T) {
	r := newTestReactor(t)
	rd, wr := newPipe(t)
	id := r.NextID()
	if err := r.Register(rd, Readable, id); err != nil {
		t.Fatalf("Register: %v", err)
	}
	w := newChanWaker()
	if err := r.SetWaker(id, Readable, w); err != nil {
		t.Fatalf("SetWaker: %v", err)
	}
	if w.woken(noWake) {
		t.Fatalf("woken before anything was written to the pipe")
	}
	for round := range 3 {
		go unix.Write(wr, []byte{byte(round)})
		if !w.woken(eventually) {
			t.Fatalf("round %d: no wake after a write to the pipe", round)
		}
		var buf [8]byte
		if n, err := unix.Read(rd, buf[:]); n != 1 || err != nil {
			t.Fatalf("round %d: read = %d, %v; want 1 byte", round, n, err)
		}
	}
}

// TestReactorEdgeTriggered: readiness that lasts is reported once, not
// while it lasts; new data is a new edge.
func TestReactorEdgeTriggered(t *testing.T) {
	r := newTestReactor(t)
	rd, wr := newPipe(t)
	id := r.NextID()
	r.Register(rd, Readable, id)
	w := newChanWaker()
	r.SetWaker(id, Readable, w)
	unix.Write(wr, []byte("x"))
	if !w.woken(eventually) {
		t.Fatal("no wake after the first write")
	}
	if w.woken(noWake) {
		t.Fatal("woken again although no new data came (level-triggered?)")
	}
	unix.Write(wr, []byte("y"))
	if !w.woken(eventually) {
		t.Fatal("no wake after a second write (the new edge)")
	}
}

func TestReactorNewestWakerWins(t *testing.T) {
	r := newTestReactor(t)
	rd, wr := newPipe(t)
	id := r.NextID()
	r.Register(rd, Readable, id)
	old, newest := newChanWaker(), newChanWaker()
	r.SetWaker(id, Readable, old)
	r.SetWaker(id, Readable, newest)
	unix.Write(wr, []byte("x"))
	if !newest.woken(eventually) {
		t.Fatal("newest waker not woken")
	}
	if old.woken(noWake) {
		t.Fatal("replaced waker woken")
	}
}

// TestReactorReadWriteWakers: a socket's reader and writer Wakers are
// separate, and Reregister changes what is watched (re-arming the edge).
func TestReactorReadWriteWakers(t *testing.T) {
	r := newTestReactor(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	unix.SetNonblock(fds[0], true)
	id := r.NextID()
	if err := r.Register(fds[0], Readable, id); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reader, writer := newChanWaker(), newChanWaker()
	r.SetWaker(id, Readable, reader)
	r.SetWaker(id, Writable, writer)
	if writer.woken(noWake) {
		t.Fatal("writer woken while only readability is watched")
	}
	if err := r.Reregister(fds[0], Readable|Writable, id); err != nil {
		t.Fatalf("Reregister: %v", err)
	}
	if !writer.woken(eventually) {
		t.Fatal("writer not woken after Reregister for writability of an empty socket")
	}
	if reader.woken(noWake) {
		t.Fatal("reader woken for writability")
	}
	unix.Write(fds[1], []byte("x"))
	if !reader.woken(eventually) {
		t.Fatal("reader not woken by incoming data")
	}
}

func TestReactorDeregister(t *testing.T) {
	r := newTestReactor(t)
	rd, wr := newPipe(t)
	id := r.NextID()
	r.Register(rd, Readable, id)
	w := newChanWaker()
	r.SetWaker(id, Readable, w)
	if err := r.Deregister(rd, id); err != nil {
		t.Fatalf("Deregister: %v", err)
	}
	unix.Write(wr, []byte("x"))
	if w.woken(noWake) {
		t.Fatal("woken after Deregister")
	}
	if err := r.Deregister(rd, id); err == nil {
		t.Error("second Deregister of the same resource: no error")
	}
	if err := r.SetWaker(id, Readable, w); err == nil {
		t.Error("SetWaker on a deregistered resource: no error")
	}
	if err := r.Reregister(rd, Readable, id); err == nil {
		t.Error("Reregister of a deregistered resource: no error")
	}
	// The fd can be registered again under a new id.
	id2 := r.NextID()
	if err := r.Register(rd, Readable, id2); err != nil {
		t.Fatalf("Register again: %v", err)
	}
	r.SetWaker(id2, Readable, w)
	unix.Write(wr, []byte("y"))
	if !w.woken(eventually) {
		t.Fatal("no wake after registering the fd again")
	}
}

// TestReactorErrors: failures of the OS calls come back as Go errors
// naming the call.
func TestReactorErrors(t *testing.T) {
	r := newTestReactor(t)
	rd, _ := newPipe(t)
	id := r.NextID()
	if err := r.Register(-1, Readable, id); err == nil {
		t.Error("Register(fd -1): no error")
	} else if got := err.Error(); got != "epoll_ctl: bad file descriptor" && got != "kevent: bad file descriptor" {
		t.Errorf("Register(fd -1) error = %q, want the call's name and EBADF", got)
	}
	if err := r.Register(rd, Readable, id); err != nil {
		t.Fatalf("Register after a failed Register: %v", err)
	}
	if err := r.Register(rd, Readable, id); err == nil {
		t.Error("Register of the same id twice: no error")
	}
}

// TestReactorTimersInOrder: timers fire in deadline order whatever the order
// they were started in, and a stopped timer never fires.
func TestReactorTimersInOrder(t *testing.T) {
	r := newTestReactor(t)
	fired := make(chan int, 4)
	base := nanotime()
	timers := make([]*timer, 4)
	for i, ms := range []int64{60, 20, 40, 30} {
		timers[i] = &timer{when: base + ms*int64(time.Millisecond), index: -1}
		if err := r.startTimer(timers[i], wakeFunc(func() { fired <- i })); err != nil {
			t.Fatalf("startTimer: %v", err)
		}
	}
	r.stopTimer(timers[3]) // the 30 ms one
	var order []int
	for range 3 {
		select {
		case i := <-fired:
			order = append(order, i)
		case <-time.After(eventually):
			t.Fatalf("timers fired so far: %v; want 3", order)
		}
	}
	if want := []int{1, 2, 0}; !equal(order, want) {
		t.Errorf("timers fired in order %v, want %v (by deadline)", order, want)
	}
	select {
	case i := <-fired:
		t.Errorf("stopped timer %d fired", i)
	case <-time.After(noWake):
	}
	if nanotime()-base < 60*int64(time.Millisecond) {
		t.Errorf("the 60 ms timer fired early")
	}
}

// TestReactorEarlierTimerInterrupts: a timer earlier than the one the loop
// sleeps for interrupts the sleep.
func TestReactorEarlierTimerInterrupts(t *testing.T) {
	r := newTestReactor(t)
	late := &timer{when: nanotime() + int64(time.Hour), index: -1}
	r.startTimer(late, wakeFunc(func() {}))
	time.Sleep(10 * time.Millisecond) // let the loop go to sleep for an hour
	w := newChanWaker()
	soon := &timer{when: nanotime() + int64(time.Millisecond), index: -1}
	r.startTimer(soon, w)
	if !w.woken(eventually) {
		t.Fatal("a 1 ms timer did not fire while the loop slept for a 1 h timer")
	}
	r.stopTimer(late)
}

func TestReactorCloseReleasesDescriptors(t *testing.T) {
	before := openFDs(t)
	r, err := newReactor()
	if err != nil {
		t.Fatalf("newReactor: %v", err)
	}
	if openFDs(t) <= before {
		t.Fatalf("a running reactor holds no descriptor?")
	}
	r.close()
	if after := openFDs(t); after != before {
		t.Errorf("open descriptors after close = %d, want %d", after, before)
	}
	if err := r.Register(0, Readable, r.NextID()); err == nil {
		t.Error("Register on a closed reactor: no error")
	}
}

type wakeFunc func()

func (f wakeFunc) Wake() { f() }
