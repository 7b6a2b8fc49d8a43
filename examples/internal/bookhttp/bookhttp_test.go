package bookhttp

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/corofy/corofy/internal/delayserver"
	"github.com/corofy/corofy/runtime"
)

// syncBuffer is the server's log, read by the test while handlers write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts a delay server on a free loopback port, points Addr at
// it and captures the FIRST POLL lines, all undone at the end of the test.
// It returns the server's log and the captured output.
func startServer(t *testing.T) (serverLog, output *syncBuffer) {
	t.Helper()
	serverLog, output = new(syncBuffer), new(syncBuffer)
	s, err := delayserver.Start("127.0.0.1:0", serverLog)
	if err != nil {
		t.Fatal(err)
	}
	oldAddr, oldStdout := Addr, stdout
	Addr, stdout = s.Addr(), output
	t.Cleanup(func() {
		Addr, stdout = oldAddr, oldStdout
		s.Close()
	})
	return serverLog, output
}

// countingWaker counts calls to Wake.
type countingWaker struct{ n atomic.Int64 }

func (w *countingWaker) Wake() { w.n.Add(1) }

// drive polls f with w until it is ready, checking that every not-ready poll
// asked to be polled again, and returns the value.
func drive(t *testing.T, f runtime.Future[string]) string {
	t.Helper()
	w := new(countingWaker)
	deadline := time.Now().Add(30 * time.Second)
	for notReady := int64(1); ; notReady++ {
		v, ok := f.Poll(w)
		if ok {
			return v
		}
		if w.n.Load() < notReady {
			t.Fatalf("Poll() returned not ready %d times but called Wake %d times", notReady, w.n.Load())
		}
		if time.Now().After(deadline) {
			t.Fatal("future not ready after 30s")
		}
		time.Sleep(time.Millisecond)
	}
}

// openFDs returns the number of open file descriptors of the process.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// checkFDs checks that the number of open descriptors returns to want. The
// server closes its side of a connection on its own goroutine, so allow it
// some time.
func checkFDs(t *testing.T, want int) {
	t.Helper()
	got := openFDs(t)
	for deadline := time.Now().Add(10 * time.Second); got != want && time.Now().Before(deadline); got = openFDs(t) {
		time.Sleep(10 * time.Millisecond)
	}
	if got != want {
		t.Errorf("%d file descriptors open, want %d as before", got, want)
	}
}

// pollPanic polls f once and returns what it panicked with, or nil.
func pollPanic(f runtime.Future[string]) (r any) {
	defer func() { r = recover() }()
	f.Poll(runtime.NoopWaker())
	return nil
}

func TestGet(t *testing.T) {
	serverLog, output := startServer(t)
	before := openFDs(t)
	raw := drive(t, Get("/50/HelloWorld1"))
	if !strings.HasPrefix(raw, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(raw, "\r\n\r\nHelloWorld1") {
		t.Errorf("Get(/50/HelloWorld1) resolved to %q, want the raw response with body HelloWorld1", raw)
	}
	for _, header := range []string{"\r\nContent-Type: text/plain; charset=utf-8\r\n", "\r\nDate: "} {
		if !strings.Contains(raw, header) {
			t.Errorf("Get(/50/HelloWorld1) resolved to %q, want a header %q", raw, header)
		}
	}
	if got, want := output.String(), "FIRST POLL - START OPERATION\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if got, want := serverLog.String(), "#1 - 50ms: HelloWorld1\n"; got != want {
		t.Errorf("server log = %q, want %q", got, want)
	}
	checkFDs(t, before)
}

// TestLocalhost checks that the host "localhost" reaches 127.0.0.1.
func TestLocalhost(t *testing.T) {
	startServer(t)
	_, port, _ := net.SplitHostPort(Addr)
	Addr = "localhost:" + port
	if raw := drive(t, Get("/0/local")); !strings.HasSuffix(raw, "\r\n\r\nlocal") {
		t.Errorf("Get(/0/local) from %s resolved to %q, want body local", Addr, raw)
	}
}

// TestLazy checks that Get starts nothing: no socket, no request, no output.
func TestLazy(t *testing.T) {
	serverLog, output := startServer(t)
	before := openFDs(t)
	f := Get("/0/lazy")
	time.Sleep(100 * time.Millisecond)
	if got := serverLog.String(); got != "" {
		t.Errorf("server log = %q before the first poll, want nothing", got)
	}
	if got := output.String(); got != "" {
		t.Errorf("output = %q before the first poll, want nothing", got)
	}
	if got := openFDs(t); got != before {
		t.Errorf("%d file descriptors open after Get, want %d as before", got, before)
	}
	drive(t, f)
	if got, want := serverLog.String(), "#1 - 0ms: lazy\n"; got != want {
		t.Errorf("server log = %q after driving the future, want %q", got, want)
	}
}

// TestNoopWaker drives a future as the book's chapter 7 main does.
func TestNoopWaker(t *testing.T) {
	startServer(t)
	f := Get("/100/noop")
	polls := 0
	for {
		polls++
		if raw, ok := f.Poll(runtime.NoopWaker()); ok {
			if !strings.HasSuffix(raw, "\r\n\r\nnoop") {
				t.Errorf("Get(/100/noop) resolved to %q, want body noop", raw)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if polls < 2 {
		t.Errorf("Get(/100/noop) was ready at poll %d, want a not-ready poll before the 100ms delay", polls)
	}
}

// chanWaker wakes a driver that sleeps until woken.
type chanWaker chan struct{}

func (w chanWaker) Wake() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// TestSleepingDriver checks that the future is correct under a driver that
// polls only after a wake.
func TestSleepingDriver(t *testing.T) {
	startServer(t)
	f, w := Get("/50/sleeper"), make(chanWaker, 1)
	for {
		if raw, ok := f.Poll(w); ok {
			if !strings.HasSuffix(raw, "\r\n\r\nsleeper") {
				t.Errorf("Get(/50/sleeper) resolved to %q, want body sleeper", raw)
			}
			return
		}
		select {
		case <-w:
		case <-time.After(30 * time.Second):
			t.Fatal("not woken within 30s after a not-ready poll")
		}
	}
}

// TestConcurrent polls several futures in turn, as join_all does: their
// delays overlap, so together they take far less than the sum.
func TestConcurrent(t *testing.T) {
	const n, delay = 8, 400 * time.Millisecond
	_, output := startServer(t)
	before := openFDs(t)
	futures := make([]*GetFuture, n)
	for i := range futures {
		futures[i] = Get(fmt.Sprintf("/%d/msg%d", delay.Milliseconds(), i))
	}
	begin := time.Now()
	results := make([]string, n)
	for pending := n; pending > 0; time.Sleep(time.Millisecond) {
		for i, f := range futures {
			if f == nil {
				continue
			}
			if raw, ok := f.Poll(runtime.NoopWaker()); ok {
				results[i], futures[i] = raw, nil
				pending--
			}
		}
	}
	if elapsed := time.Since(begin); elapsed >= n*delay/2 {
		t.Errorf("%d requests of %v polled in turn took %v: not concurrent", n, delay, elapsed)
	}
	for i, raw := range results {
		if want := fmt.Sprintf("\r\n\r\nmsg%d", i); !strings.HasSuffix(raw, want) {
			t.Errorf("future %d resolved to %q, want body msg%d", i, raw, i)
		}
	}
	if got, want := output.String(), strings.Repeat("FIRST POLL - START OPERATION\n", n); got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	checkFDs(t, before)
}

// TestLargeResponse checks a response that takes many reads.
func TestLargeResponse(t *testing.T) {
	startServer(t)
	message := strings.Repeat("0123456789", 5000)
	if raw := drive(t, Get("/0/"+message)); !strings.HasSuffix(raw, "\r\n\r\n"+message) {
		t.Errorf("Get of a %d-byte message resolved to %d bytes not ending in it", len(message), len(raw))
	}
}

// TestDropped checks that a future dropped half-way closes its socket once
// it is garbage collected. The server is a listener that never accepts, so
// that the future's socket is the only descriptor the request opens.
func TestDropped(t *testing.T) {
	startServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	Addr = l.Addr().String()
	before := openFDs(t)
	f := Get("/0/dropped")
	if _, ok := f.Poll(runtime.NoopWaker()); ok {
		t.Fatal("Poll() of a fresh future was ready at once")
	}
	if got := openFDs(t); got <= before {
		t.Fatalf("%d file descriptors open after the first poll, want more than %d", got, before)
	}
	f = nil
	got := openFDs(t)
	for deadline := time.Now().Add(10 * time.Second); got != before && time.Now().Before(deadline); got = openFDs(t) {
		goruntime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got != before {
		t.Errorf("%d file descriptors open after dropping the future, want %d as before", got, before)
	}
}

func TestPollAfterCompletion(t *testing.T) {
	startServer(t)
	f := Get("/0/once")
	drive(t, f)
	r := pollPanic(f)
	if msg := fmt.Sprint(r); !strings.Contains(msg, "polled after completion") || !strings.Contains(msg, "/0/once") {
		t.Errorf("Poll() after completion panicked with %v, want a message about /0/once polled after completion", r)
	}
}

// TestRefused checks that a refused connection panics with the path and the
// cause, and leaves no descriptor open.
func TestRefused(t *testing.T) {
	startServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	Addr = l.Addr().String()
	l.Close() // nothing listens there now
	before := openFDs(t)

	f := Get("/600/refused")
	var r any
	for deadline := time.Now().Add(30 * time.Second); r == nil; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Poll() neither completed nor panicked within 30s of a refused connect")
		}
		r = pollPanic(f)
	}
	err, _ = r.(error)
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Errorf("Poll() panicked with %v, want an error wrapping ECONNREFUSED", r)
	}
	if msg := fmt.Sprint(r); !strings.Contains(msg, "/600/refused") || !strings.Contains(msg, Addr) {
		t.Errorf("Poll() panicked with %q, want the path /600/refused and the address %s in it", msg, Addr)
	}
	if got := openFDs(t); got != before {
		t.Errorf("%d file descriptors open after the failure, want %d as before", got, before)
	}
	if r := pollPanic(f); !strings.Contains(fmt.Sprint(r), "polled after completion") {
		t.Errorf("Poll() after the failure panicked with %v, want polled after completion", r)
	}
}

func TestBadAddr(t *testing.T) {
	startServer(t)
	Addr = "no-port"
	r := pollPanic(Get("/0/x"))
	if msg := fmt.Sprint(r); !strings.Contains(msg, "/0/x") || !strings.Contains(msg, "no-port") {
		t.Errorf("Poll() with Addr %q panicked with %v, want the path and the address in it", Addr, r)
	}
}
