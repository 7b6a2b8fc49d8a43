package runtime

import (
	"fmt"
	"iter"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file holds what the tests share: futures made from closures, an
// async-function helper that lets a test write sequential code that waits
// on futures (the shape of a generated coroutine), and a watchdog.

// noWake is how long a test waits to conclude that no wake comes. A wake
// that does come arrives in microseconds; a slow machine can only make a
// wrong wake arrive later, never make a missing wake appear.
const noWake = 100 * time.Millisecond

// eventually is how long a test waits for a wake that must come.
const eventually = 10 * time.Second

// pollFunc is a Future made from a function.
type pollFunc[T any] func(Waker) (T, bool)

func (p pollFunc[T]) Poll(w Waker) (T, bool) { return p(w) }

// awaiter is what an async test body uses to wait on futures.
type awaiter func(step func(Waker) bool)

// async returns a future running body. Each await(a, f) in body suspends
// the future until f is ready, exactly like a wait in a coroutine: f is
// polled at once with the task's Waker, and when it is not ready, the Poll
// returns not ready and body is resumed at the next Poll. (The body runs on an
// iter.Pull coroutine; only the tests use this, as a stand-in for generated
// code, which the runtime must not depend on.)
func async[T any](body func(a awaiter) T) Future[T] {
	var result T
	var next func() (func(Waker) bool, bool)
	var stop func()
	var cur func(Waker) bool
	finished := false
	return pollFunc[T](func(w Waker) (T, bool) {
		if finished {
			panic("async future polled after completion")
		}
		if next == nil {
			// Created at the first poll, on the goroutine that polls: an
			// iter.Pull coroutine must stay on one goroutine's thread-lock
			// state (StartThread locks its thread).
			next, stop = iter.Pull(func(yield func(func(Waker) bool) bool) {
				result = body(func(step func(Waker) bool) { yield(step) })
			})
		}
		for {
			if cur == nil {
				step, ok := next()
				if !ok {
					stop()
					finished = true
					return result, true
				}
				cur = step
			}
			if !cur(w) {
				var zero T
				return zero, false
			}
			cur = nil
		}
	})
}

// await waits on f inside an async body and returns its value.
func await[U any](a awaiter, f Future[U]) U {
	var v U
	a(func(w Waker) bool {
		x, ok := f.Poll(w)
		if ok {
			v = x
		}
		return ok
	})
	return v
}

// within runs fn and fails the test if it has not returned after limit: a
// hang (a lost wake) becomes a failure instead of a stuck test binary. The
// limit is a watchdog, not a measurement: keep it generous.
func within(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still running after %v: a wake was lost or something hangs", limit)
	}
}

// chanWaker records wakes in a channel, for tests that drive futures by hand.
type chanWaker struct{ ch chan struct{} }

func newChanWaker() *chanWaker { return &chanWaker{ch: make(chan struct{}, 1)} }

func (c *chanWaker) Wake() {
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

// woken reports whether a wake arrives within limit.
func (c *chanWaker) woken(limit time.Duration) bool {
	select {
	case <-c.ch:
		return true
	case <-time.After(limit):
		return false
	}
}

// traceMu serialises the tests that change the process-wide trace setting.
var traceMu sync.Mutex

// withTrace runs fn with the trace what going to the returned buffer.
func withTrace(what Trace, fn func()) string {
	traceMu.Lock()
	defer traceMu.Unlock()
	var buf syncBuffer
	SetTrace(&buf, what)
	defer SetTrace(nil, 0)
	fn()
	return buf.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// openFDs counts the process's open file descriptors (/proc/self/fd on
// Linux, /dev/fd on macOS and the BSDs).
// The default reactor is started first: its own descriptors (epoll and
// eventfd) live as long as the process and are not a leak.
func openFDs(t testing.TB) int {
	t.Helper()
	mustReactor()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		entries, err = os.ReadDir("/dev/fd")
	}
	if err != nil {
		t.Fatalf("cannot count open descriptors: %v", err)
	}
	return len(entries)
}

// socketsTo counts the process's open TCP sockets whose remote end is
// addr's port: the client sides of connections to a server at addr. It
// reads /proc/self/fd and /proc/self/net/tcp{,6}, so it is Linux only;
// elsewhere it returns 0.
func socketsTo(t testing.TB, addr string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("socketsTo(%q): %v", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("socketsTo(%q): %v", addr, err)
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	ours := map[string]bool{} // socket inodes
	for _, e := range entries {
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			ours[strings.TrimSuffix(inode, "]")] = true
		}
	}
	want := fmt.Sprintf(":%04X", p)
	n := 0
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			f := strings.Fields(line)
			if len(f) > 9 && strings.HasSuffix(f[2], want) && ours[f[9]] {
				n++
			}
		}
	}
	return n
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
