//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConnectAcceptReadWrite: an echo server and a client, both tasks of
// one executor, talk over loopback through the reactor only.
func TestConnectAcceptReadWrite(t *testing.T) {
	before := openFDs(t)
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	message := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB: writes must wait for room
	var echoed []byte
	within(t, 20*time.Second, func() {
		BlockOn(async(func(a awaiter) struct{} {
			await(a, Spawn(async(func(a awaiter) struct{} { // the server: echo until EOF
				c, err := await(a, l.Accept()).Unpack()
				if err != nil {
					t.Errorf("Accept: %v", err)
					return struct{}{}
				}
				defer c.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := await(a, c.Read(buf)).Unpack()
					if err == io.EOF {
						return struct{}{}
					}
					if err != nil {
						t.Errorf("server Read: %v", err)
						return struct{}{}
					}
					if res := await(a, c.Write(buf[:n])); res.Err != nil || res.Value != n {
						t.Errorf("server Write(%d bytes) = %+v", n, res)
						return struct{}{}
					}
				}
			})))
			c, err := await(a, Connect(l.Addr())).Unpack()
			if err != nil {
				t.Errorf("Connect(%s): %v", l.Addr(), err)
				return struct{}{}
			}
			defer c.Close()
			await(a, Spawn(async(func(a awaiter) struct{} { // the client's writer
				if res := await(a, c.Write(message)); res.Err != nil || res.Value != len(message) {
					t.Errorf("client Write = %+v, want %d bytes", res, len(message))
				}
				c.CloseWrite()
				return struct{}{}
			})))
			buf := make([]byte, 64<<10)
			for {
				n, err := await(a, c.Read(buf)).Unpack()
				if err == io.EOF {
					return struct{}{}
				}
				if err != nil {
					t.Errorf("client Read: %v", err)
					return struct{}{}
				}
				echoed = append(echoed, buf[:n]...)
			}
		}))
	})
	if !bytes.Equal(echoed, message) {
		t.Errorf("echoed %d bytes, want the %d sent", len(echoed), len(message))
	}
	if err := l.Close(); err != nil {
		t.Errorf("Listener.Close: %v", err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open descriptors: %d before, %d after", before, after)
	}
}

// refusedAddr returns a loopback address nobody listens on.
func refusedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestConnectRefused(t *testing.T) {
	addr := refusedAddr(t)
	before := openFDs(t)
	var res Result[*Conn]
	within(t, eventually, func() { res = BlockOn(Connect(addr)) })
	if !errors.Is(res.Err, syscall.ECONNREFUSED) {
		t.Errorf("Connect(%s) error = %v, want ECONNREFUSED", addr, res.Err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open descriptors: %d before, %d after", before, after)
	}
}

func TestBadAddresses(t *testing.T) {
	for _, addr := range []string{"nohost", "example.com:80", "127.0.0.1:99999", "127.0.0.1:x"} {
		if res := BlockOn(Connect(addr)); res.Err == nil {
			t.Errorf("Connect(%q): no error", addr)
		}
		if resp := BlockOn(HTTPGet(addr, "/")); resp.Err == nil {
			t.Errorf("HTTPGet(%q): no error", addr)
		}
		if _, err := Listen(addr); err == nil {
			t.Errorf("Listen(%q): no error", addr)
		}
	}
}

// fakeServer serves each connection with handle on its own goroutine,
// with package net, so faults can be staged precisely.
func fakeServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// readRequest reads the request head.
func readRequest(c net.Conn) string {
	var req []byte
	buf := make([]byte, 512)
	for !bytes.HasSuffix(req, []byte("\r\n\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		req = append(req, buf[:n]...)
	}
	return string(req)
}

// TestHTTPGetFaults: each fault comes back to the waiting task as an error
// in the Response; nothing hangs and no descriptor is left open.
func TestHTTPGetFaults(t *testing.T) {
	tests := []struct {
		name    string
		addr    string
		timeout time.Duration // 0: no deadline
		wantErr error
	}{
		{"refused", refusedAddr(t), 0, syscall.ECONNREFUSED},
		{"closed mid-body", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
			c.Close()
		}), 0, io.ErrUnexpectedEOF},
		{"closed mid-headers", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Le")
			c.Close()
		}), 0, io.ErrUnexpectedEOF},
		{"closed without answer", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			c.Close()
		}), 0, io.ErrUnexpectedEOF},
		{"reset mid-response", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
			time.Sleep(10 * time.Millisecond)
			c.(*net.TCPConn).SetLinger(0) // close sends RST
			c.Close()
		}), 0, nil}, // ECONNRESET or a truncated body, depending on timing
		{"never answers", silentServer(t), 100 * time.Millisecond, errDeadline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := openFDs(t)
			var resp Response
			within(t, eventually, func() {
				if tt.timeout == 0 {
					resp = BlockOn(HTTPGet(tt.addr, "/x"))
					return
				}
				res := BlockOn(Timeout(tt.timeout, HTTPGet(tt.addr, "/x")))
				resp = res.Value
				if res.Err != nil {
					resp.Err = errDeadline
				}
			})
			switch {
			case resp.Err == nil:
				t.Errorf("HTTPGet = %q, want an error", resp.Raw)
			case tt.wantErr != nil && !errors.Is(resp.Err, tt.wantErr):
				t.Errorf("HTTPGet error = %v, want %v", resp.Err, tt.wantErr)
			case tt.wantErr == nil && !errors.Is(resp.Err, syscall.ECONNRESET) && !errors.Is(resp.Err, io.ErrUnexpectedEOF):
				t.Errorf("HTTPGet error = %v, want ECONNRESET or unexpected EOF", resp.Err)
			}
			if !strings.HasPrefix(resp.String(), "error: ") {
				t.Errorf("Response.String() of a failure = %q", resp.String())
			}
			fdsBackTo(t, tt.addr, before, "the failed GET")
		})
	}
}

var errDeadline = errors.New("deadline")

// silentServer reads requests and never answers; it closes its side when
// the client has closed its own (so an in-process server's descriptors do
// not count against the client once the client let go).
func silentServer(t *testing.T) string {
	return fakeServer(t, func(c net.Conn) {
		readRequest(c)
		io.Copy(io.Discard, c)
		c.Close()
	})
}

// fdsBackTo waits until the process has no more open descriptors than
// before and no socket connected to the server at addr, and fails the test
// if that does not happen within the watchdog time. It does not run the
// garbage collector, whose cleanups would close the sockets of dropped
// futures: a future must close what it opened itself, when it completes or
// is cancelled.
//
// The total count is the process's, so it includes the in-process server's
// side of each connection, which the server closes when it sees the
// client's close, and which it may even accept after the client has closed
// (a connection the kernel completed while the future was pending): the
// count can go back above before for a moment, so it is read once per try.
// The sockets connected to addr (Linux: /proc/self/net/tcp) are the
// client's own, exactly what a leak would leave open.
func fdsBackTo(t *testing.T, addr string, before int, what string) {
	t.Helper()
	fdsBackToAfter(t, addr, before, what, func() {})
}

// fdsBackToAfterGC is fdsBackTo for dropped futures: it runs the garbage
// collector while it waits.
func fdsBackToAfterGC(t *testing.T, addr string, before int, what string) {
	t.Helper()
	fdsBackToAfter(t, addr, before, what, goruntime.GC)
}

func fdsBackToAfter(t *testing.T, addr string, before int, what string, step func()) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	after, clients := openFDs(t), socketsTo(t, addr)
	for (after > before || clients > 0) && time.Now().Before(deadline) {
		step()
		time.Sleep(5 * time.Millisecond)
		after, clients = openFDs(t), socketsTo(t, addr)
	}
	if after > before {
		t.Errorf("open descriptors: %d before, %d after %s", before, after, what)
	}
	if clients > 0 {
		t.Errorf("%d sockets connected to %s still open after %s", clients, addr, what)
	}
}

// TestHTTPGetCancel: cancelling a pending GET deregisters and closes its
// socket at once.
func TestHTTPGetCancel(t *testing.T) {
	addr := silentServer(t)
	before := openFDs(t)
	g := HTTPGet(addr, "/x")
	w := newChanWaker()
	for range 3 { // the connect may take a poll or two
		if _, ok := g.Poll(w); ok {
			t.Fatal("GET to a server that never answers completed")
		}
		w.woken(noWake)
	}
	r := mustReactor()
	id := g.sock.resource()
	if id == 0 {
		t.Fatal("a pending GET is not registered with the reactor")
	}
	g.Cancel()
	r.mu.Lock()
	_, registered := r.sources[id]
	r.mu.Unlock()
	if registered {
		t.Error("the cancelled GET's socket is still registered with the reactor")
	}
	fdsBackTo(t, addr, before, "Cancel")
}

// TestDroppedFutureReleased: a pending leaf future that is dropped (no
// longer referenced) has its socket deregistered and closed by the garbage
// collector's cleanup.
func TestDroppedFutureReleased(t *testing.T) {
	addr := silentServer(t)
	before := openFDs(t)
	func() {
		g := HTTPGet(addr, "/x")
		w := newChanWaker()
		for range 3 {
			g.Poll(w)
			w.woken(noWake)
		}
		if g.sock.resource() == 0 {
			t.Fatal("a pending GET is not registered with the reactor")
		}
	}()
	fdsBackToAfterGC(t, addr, before, "dropping the pending GET")
}

// TestRaceDropsLoserSocket: racing a GET that never completes against a
// short sleep: the sleep wins and the GET's socket is closed.
func TestRaceDropsLoserSocket(t *testing.T) {
	addr := silentServer(t)
	before := openFDs(t)
	var w Winner[string]
	within(t, eventually, func() {
		w = BlockOn(Race[string](
			&getRawCoroutine{addr: addr, path: "/x"},
			async(func(a awaiter) string { await(a, Sleep(50*time.Millisecond)); return "slept" }),
		))
	})
	if w.Index != 1 || w.Value != "slept" {
		t.Errorf("Race = %+v, want the sleep", w)
	}
	// A coroutine is no Canceler, so the GET inside it is released when the
	// garbage collector finds it dropped.
	fdsBackToAfterGC(t, addr, before, "the race (GET dropped inside a coroutine)")
	before = openFDs(t)
	var res Winner[Response]
	within(t, eventually, func() {
		res = BlockOn(Race[Response](HTTPGet(addr, "/x"), pollFunc[Response](func(w Waker) (Response, bool) {
			return Response{Raw: "first"}, true
		})))
	})
	if res.Index != 1 {
		t.Errorf("Race = %+v, want the ready future", res)
	}
	fdsBackTo(t, addr, before, "the race (the losing GET cancelled)")
}

// getRawCoroutine is the state machine corofy generates for
//
//	coroutine func getRaw(addr, path string) string {
//		return runtime.HTTPGet(addr, path).wait.Raw
//	}
type getRawCoroutine struct {
	addr, path string
	state      int
	fut1       *HTTPGetFuture
}

func (c *getRawCoroutine) Poll(w Waker) (string, bool) {
	if c.state == 0 {
		c.fut1, c.state = HTTPGet(c.addr, c.path), 1
	}
	resp, ok := c.fut1.Poll(w)
	if !ok {
		return "", false
	}
	c.fut1, c.state = nil, 2
	return resp.Raw, true
}

// TestSocketsToCountsClientSides: the leak check of fdsBackTo sees a
// client's open connection, and only the client's side of it.
func TestSocketsToCountsClientSides(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("socketsTo reads /proc/self/net/tcp (Linux); elsewhere the leak checks count descriptors only")
	}
	accepted := make(chan net.Conn, 1)
	addr := fakeServer(t, func(c net.Conn) { accepted <- c })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	server := <-accepted
	defer server.Close()
	if n := socketsTo(t, addr); n != 1 {
		t.Errorf("with one open connection: socketsTo = %d, want 1", n)
	}
	c.Close()
	if n := socketsTo(t, addr); n != 0 {
		t.Errorf("after the client's close: socketsTo = %d, want 0", n)
	}
}

// TestDroppedConnAndListenerReleased: Conns (connected and accepted),
// Listeners and HTTPStream bodies dropped without Close have their
// descriptors closed by a cleanup once the garbage collector finds them
// unreachable. Counting descriptors needs /proc/self/fd.
func TestDroppedConnAndListenerReleased(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("counts descriptors in /proc/self/fd, which this system lacks (Linux only)")
	}
	addr := fakeServer(t, func(c net.Conn) {
		readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nbody until the client closes")
		io.Copy(io.Discard, c) // until the client's side is closed
		c.Close()
	})
	before := openFDs(t)
	const n = 100
	// No collection may run while the dropped objects pile up: one would
	// run their cleanups early and make the count below say less than the
	// loop dropped (the race detector's allocations made that happen).
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	within(t, eventually, func() {
		for range n {
			if res := BlockOn(Connect(addr)); res.Err != nil {
				t.Fatalf("Connect(%s): %v", addr, res.Err)
			}
			l, err := Listen("127.0.0.1:0")
			if err != nil {
				t.Fatalf("Listen: %v", err)
			}
			// An accepted Conn too: connect to the listener and accept.
			BlockOn(JoinAll([]Future[Result[*Conn]]{l.Accept(), Connect(l.Addr())}))
		}
		for range 10 {
			if res := BlockOn(HTTPStream(addr, "/")); res.Err != nil {
				t.Fatalf("HTTPStream(%s): %v", addr, res.Err)
			}
		}
	})
	if grown := openFDs(t) - before; grown < n {
		t.Fatalf("the dropped Conns and Listeners hold %d descriptors, want at least %d before a GC (is the test still testing?)", grown, n)
	}
	fdsBackToAfterGC(t, addr, before, "dropping Conns, Listeners and HTTPStream bodies without Close")
}

// TestConnKeptAliveNotReleased: a Conn that is still referenced survives
// garbage collections and works; after Close, its cleanup does not close the
// descriptor number again (another socket may have it by then).
func TestConnKeptAliveNotReleased(t *testing.T) {
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
	goruntime.GC()
	goruntime.GC()
	within(t, eventually, func() {
		if res := BlockOn(client.Write([]byte("ping"))); res.Err != nil {
			t.Errorf("Write after GC: %v", res.Err)
		}
		buf := make([]byte, 4)
		if res := BlockOn(server.Read(buf)); res.Err != nil || string(buf[:res.Value]) != "ping" {
			t.Errorf("Read after GC: %q, %v", buf[:res.Value], res.Err)
		}
	})
	if err := client.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := client.Close(); err == nil {
		t.Error("second Close: no error")
	}
}
