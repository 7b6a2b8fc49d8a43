//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"errors"
	"fmt"
	"io"
	"net"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/delayserver"
)

// startDelayServer starts the book's delay server on a loopback port for
// the test.
func startDelayServer(t testing.TB) string {
	t.Helper()
	srv, err := delayserver.Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatalf("delayserver.Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

func TestHTTPGetDelayServer(t *testing.T) {
	addr := startDelayServer(t)
	var resp Response
	within(t, 20*time.Second, func() { resp = BlockOn(HTTPGet(addr, "/0/Hello%20World")) })
	if resp.Err != nil {
		t.Fatalf("HTTPGet(%s, /0/Hello%%20World) error: %v", addr, resp.Err)
	}
	if !strings.HasPrefix(resp.Raw, "HTTP/1.1 200 OK\r\n") || resp.Body() != "Hello World" {
		t.Fatalf("HTTPGet(%s, /0/Hello%%20World) = %q, want a 200 with body %q", addr, resp.Raw, "Hello World")
	}
	if resp.String() != resp.Raw {
		t.Errorf("Response.String() = %q, want the raw response", resp.String())
	}
}

// TestTraceBookChapter8b runs the book's chapter 8 b program (two
// sequential waits) and checks the executor's trace: exactly one sleep per
// wait, so the HTTP future causes no spurious wake.
func TestTraceBookChapter8b(t *testing.T) {
	addr := startDelayServer(t)
	asyncMain := func() Future[struct{}] {
		return async(func(a awaiter) struct{} {
			fmt.Fprintln(tracer(TraceFirstPoll), "Program starting")
			txt := await(a, HTTPGet(addr, "/60/HelloAsyncAwait"))
			fmt.Fprintln(tracer(TraceFirstPoll), txt.Body())
			txt = await(a, HTTPGet(addr, "/40/HelloAsyncAwait"))
			fmt.Fprintln(tracer(TraceFirstPoll), txt.Body())
			return struct{}{}
		})
	}
	var out string
	within(t, 20*time.Second, func() {
		out = withTrace(TraceExecutor|TraceFirstPoll, func() { BlockOn(asyncMain()) })
	})
	want := `Program starting
FIRST POLL - START OPERATION
main: 1 pending tasks. Sleep until notified.
HelloAsyncAwait
FIRST POLL - START OPERATION
main: 1 pending tasks. Sleep until notified.
HelloAsyncAwait
main: All tasks are finished
`
	if out != want {
		t.Errorf("trace of chapter 8 b:\n%s\nwant:\n%s", out, want)
	}
}

// endlessServer answers every request with a 200 whose head is head and
// whose body never ends: it writes the byte pattern of endlessByte until the
// client goes away. So that a client without a limit fails the test instead
// of eating the machine's memory, the server stops after sending bound bytes
// of body (far more than any limit under test plus what the socket buffers
// hold) and closes; sent reports the body bytes written to each connection.
func endlessServer(t *testing.T, head string, bound int64) (addr string, sent chan int64) {
	t.Helper()
	sent = make(chan int64, 16)
	addr = fakeServer(t, func(c net.Conn) {
		defer c.Close()
		readRequest(c)
		if _, err := io.WriteString(c, head); err != nil {
			sent <- 0
			return
		}
		buf := make([]byte, 64<<10)
		var n int64
		for n < bound {
			for i := range buf {
				buf[i] = endlessByte(n + int64(i))
			}
			m, err := c.Write(buf)
			n += int64(m)
			if err != nil {
				break
			}
		}
		sent <- n
	})
	return addr, sent
}

// endlessByte is the body byte at offset i of an endlessServer's response.
func endlessByte(i int64) byte { return byte('a' + i%26) }

// endlessBound is how much body an endlessServer sends at most: more than
// the default limit plus every byte the loopback socket buffers can hold
// (tcp_rmem and tcp_wmem allow tens of MiB).
const endlessBound = DefaultMaxResponseSize + 128<<20

// TestHTTPGetLimitEndlessResponse: a server that never stops sending ends
// the GET with an error wrapping ErrResponseTooLarge once the response passes
// the limit (the default one, or the request's), the socket is closed, and
// the memory allocated for the response stays proportional to the limit.
func TestHTTPGetLimitEndlessResponse(t *testing.T) {
	tests := []struct {
		name  string
		head  string
		limit int // 0: the default
	}{
		{"default limit", "HTTP/1.1 200 OK\r\n\r\n", 0},
		{"1 MiB limit", "HTTP/1.1 200 OK\r\n\r\n", 1 << 20},
		{"announced too large", "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, sent := endlessServer(t, tt.head, endlessBound)
			before := openFDs(t)
			limit := DefaultMaxResponseSize
			g := HTTPGet(addr, "/")
			if tt.limit != 0 {
				limit = tt.limit
				g = g.Limit(limit)
			}
			var resp Response
			var allocated uint64
			within(t, 60*time.Second, func() {
				var m0, m1 goruntime.MemStats
				goruntime.ReadMemStats(&m0)
				resp = BlockOn(g)
				goruntime.ReadMemStats(&m1)
				allocated = m1.TotalAlloc - m0.TotalAlloc
			})
			if !errors.Is(resp.Err, ErrResponseTooLarge) {
				t.Fatalf("GET of an endless response: error %v (%d bytes), want ErrResponseTooLarge", resp.Err, len(resp.Raw))
			}
			if n := <-sent; n >= endlessBound {
				t.Errorf("the server sent all of its %d bytes: the client did not stop at the limit", n)
			}
			if max := uint64(4*limit + 1<<20); allocated > max {
				t.Errorf("the GET allocated %d bytes for a limit of %d, want at most %d", allocated, limit, max)
			}
			fdsBackTo(t, addr, before, "the GET over the limit")
		})
	}
}

// TestHTTPStreamEndlessBody: HTTPStream reads a body four times the default
// limit from a server that never stops, through one 32 KiB buffer, with
// allocations that do not grow with the body; Close releases the socket.
func TestHTTPStreamEndlessBody(t *testing.T) {
	addr, sent := endlessServer(t, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", endlessBound)
	before := openFDs(t)
	const want = 4 * DefaultMaxResponseSize
	var got int64
	var head string
	var allocated uint64
	within(t, 60*time.Second, func() {
		var m0, m1 goruntime.MemStats
		goruntime.ReadMemStats(&m0)
		BlockOn(async(func(a awaiter) struct{} {
			body, err := await(a, HTTPStream(addr, "/")).Unpack()
			if err != nil {
				t.Errorf("HTTPStream: %v", err)
				return struct{}{}
			}
			defer body.Close()
			head = body.Head()
			buf := make([]byte, 32<<10)
			for got < want {
				n, err := await(a, body.Read(buf)).Unpack()
				if err != nil {
					t.Errorf("Read after %d bytes: %v", got, err)
					return struct{}{}
				}
				for i, c := range buf[:n] {
					if c != endlessByte(got+int64(i)) {
						t.Errorf("body byte %d = %q, want %q", got+int64(i), c, endlessByte(got+int64(i)))
						return struct{}{}
					}
				}
				got += int64(n)
			}
			return struct{}{}
		}))
		goruntime.ReadMemStats(&m1)
		allocated = m1.TotalAlloc - m0.TotalAlloc
	})
	if head != "HTTP/1.1 200 OK\r\nContent-Type: text/plain" {
		t.Errorf("Head() = %q", head)
	}
	if got < want {
		t.Fatalf("read %d body bytes, want %d", got, want)
	}
	if n := <-sent; n >= endlessBound {
		t.Errorf("the server sent all of its %d bytes: Close did not end the connection", n)
	}
	if max := uint64(8 << 20); allocated > max {
		t.Errorf("streaming %d bytes allocated %d bytes, want at most %d", want, allocated, max)
	}
	fdsBackTo(t, addr, before, "the stream's Close")
}

// readAllBody reads an HTTPStream's body to its end and returns it, with
// the error that ended it (nil for io.EOF).
func readAllBody(a awaiter, body *HTTPBody, chunk int) (string, error) {
	var all []byte
	buf := make([]byte, chunk)
	for {
		n, err := await(a, body.Read(buf)).Unpack()
		all = append(all, buf[:n]...)
		if err == io.EOF {
			return string(all), nil
		}
		if err != nil {
			return string(all), err
		}
	}
}

// TestHTTPStreamFraming: a stream's body ends where Content-Length says,
// without waiting for the server to close; a server that closes before that
// is an unexpected EOF; without Content-Length the body ends at the close;
// a bad head is an error.
func TestHTTPStreamFraming(t *testing.T) {
	tests := []struct {
		name     string
		addr     string
		wantBody string
		wantErr  error // nil: the whole body, then io.EOF
		openErr  bool  // HTTPStream itself fails
	}{
		{"delay server", startDelayServer(t) + "/0/Hello%20World", "Hello World", nil, false},
		{"content length, connection kept open", fakeServer(t, func(c net.Conn) {
			defer c.Close()
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\nabcdefghij")
			io.WriteString(c, "klmnopqrstuvwxyz and more than announced")
			io.Copy(io.Discard, c) // open until the client closes
		}), "abcdefghijklmnopqrstuvwxyz", nil, false},
		{"closed before the announced end", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
			c.Close()
		}), "only part", io.ErrUnexpectedEOF, false},
		{"no content length", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nto the end")
			c.Close()
		}), "to the end", nil, false},
		{"closed in the head", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Le")
			c.Close()
		}), "", io.ErrUnexpectedEOF, true},
		{"not HTTP", fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "SSH-2.0-OpenSSH\r\n\r\n")
			c.Close()
		}), "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, path, _ := strings.Cut(tt.addr, "/")
			path = "/" + path
			before := openFDs(t)
			var body string
			var openErr, readErr error
			within(t, eventually, func() {
				BlockOn(async(func(a awaiter) struct{} {
					b, err := await(a, HTTPStream(addr, path)).Unpack()
					if openErr = err; err != nil {
						return struct{}{}
					}
					defer b.Close()
					if !strings.HasPrefix(b.StatusLine(), "HTTP/1.1 200 OK") {
						t.Errorf("StatusLine() = %q", b.StatusLine())
					}
					body, readErr = readAllBody(a, b, 7)
					return struct{}{}
				}))
			})
			switch {
			case tt.openErr && openErr == nil:
				t.Fatalf("HTTPStream succeeded, want an error")
			case tt.openErr && tt.wantErr != nil && !errors.Is(openErr, tt.wantErr):
				t.Fatalf("HTTPStream error = %v, want %v", openErr, tt.wantErr)
			case tt.openErr:
			case openErr != nil:
				t.Fatalf("HTTPStream: %v", openErr)
			case tt.wantErr == nil && readErr != nil, tt.wantErr != nil && !errors.Is(readErr, tt.wantErr):
				t.Errorf("reading the body: error %v, want %v", readErr, tt.wantErr)
			}
			if body != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			fdsBackTo(t, addr, before, "the stream")
		})
	}
}

// TestHTTPGetLimitBoundary: a response of exactly the limit is read; one
// byte over is ErrResponseTooLarge, with or without Content-Length; a limit
// that is not positive is an error; HTTPStream limits the head.
func TestHTTPGetLimitBoundary(t *testing.T) {
	const body = "0123456789"
	withLength := "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + body
	withoutLength := "HTTP/1.1 200 OK\r\n\r\n" + body
	serve := func(resp string) string {
		return fakeServer(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, resp)
			c.Close()
		})
	}
	for _, resp := range []string{withLength, withoutLength} {
		addr := serve(resp)
		for _, tt := range []struct {
			limit   int
			wantErr error
		}{{len(resp), nil}, {len(resp) + 1, nil}, {len(resp) - 1, ErrResponseTooLarge}, {1, ErrResponseTooLarge}} {
			var got Response
			within(t, eventually, func() { got = BlockOn(HTTPGet(addr, "/").Limit(tt.limit)) })
			switch {
			case tt.wantErr == nil && (got.Err != nil || got.Raw != resp):
				t.Errorf("Limit(%d) of a %d-byte response: %q, %v; want it whole", tt.limit, len(resp), got.Raw, got.Err)
			case tt.wantErr != nil && !errors.Is(got.Err, tt.wantErr):
				t.Errorf("Limit(%d) of a %d-byte response: error %v, want %v", tt.limit, len(resp), got.Err, tt.wantErr)
			}
		}
	}
	addr := serve(withLength)
	for _, n := range []int{0, -1} {
		var got Response
		within(t, eventually, func() { got = BlockOn(HTTPGet(addr, "/").Limit(n)) })
		if got.Err == nil {
			t.Errorf("Limit(%d): no error", n)
		}
	}
	var res Result[*HTTPBody]
	within(t, eventually, func() { res = BlockOn(HTTPStream(addr, "/").Limit(20)) })
	if !errors.Is(res.Err, ErrResponseTooLarge) {
		t.Errorf("HTTPStream with a 20-byte limit on a %d-byte head: error %v, want ErrResponseTooLarge", len(withLength)-len(body), res.Err)
	}
	within(t, eventually, func() { res = BlockOn(HTTPStream(addr, "/").Limit(len(withLength) - len(body))) })
	if res.Err != nil {
		t.Errorf("HTTPStream with the head's size as limit: %v", res.Err)
	} else {
		res.Value.Close()
	}
}

// TestHTTPGetRejectsBadTarget: a path with a control character or a space
// (CR LF would add headers or smuggle a second request) fails HTTPGet and
// HTTPStream with ErrInvalidTarget before anything is sent. The server
// records what each connection sends; after the GETs, the test makes one
// connection of its own, and that must be the only one the server saw.
func TestHTTPGetRejectsBadTarget(t *testing.T) {
	seen := make(chan string, 100)
	addr := fakeServer(t, func(c net.Conn) {
		defer c.Close()
		seen <- readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	})
	for _, path := range []string{
		"/x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /admin",
		"/x\r\nX-Injected: 1",
		"/x\nX-Injected: 1",
		"/a b",
		"/x\x00",
		"/x\x7f",
		"/x\t",
		"",
	} {
		var resp Response
		var res Result[*HTTPBody]
		within(t, eventually, func() {
			resp = BlockOn(HTTPGet(addr, path))
			res = BlockOn(HTTPStream(addr, path))
		})
		if !errors.Is(resp.Err, ErrInvalidTarget) {
			t.Errorf("HTTPGet(%q): error %v (response %q), want ErrInvalidTarget", path, resp.Err, resp.Raw)
		}
		if !errors.Is(res.Err, ErrInvalidTarget) {
			t.Errorf("HTTPStream(%q): error %v, want ErrInvalidTarget", path, res.Err)
			if res.Value != nil {
				res.Value.Close()
			}
		}
	}
	const sentinel = "GET /sentinel HTTP/1.1\r\n\r\n"
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, sentinel)
	io.Copy(io.Discard, c) // the answer: the server has recorded the request
	c.Close()
	for len(seen) > 0 {
		if got := <-seen; got != sentinel {
			t.Errorf("the server received %q from a GET with a bad target", got)
		}
	}
	// A good target with every printable character still goes out.
	within(t, eventually, func() { resp := BlockOn(HTTPGet(addr, "/a-z_0.9~%20?q=1&r=[x]#f")); _ = resp })
	if got := <-seen; got != "GET /a-z_0.9~%20?q=1&r=[x]#f HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" {
		t.Errorf("request with a good target: %q", got)
	}
}

// TestHTTPGetBadContentLength: a Content-Length that is negative, signed,
// not decimal, too large for an int, empty, or given twice with different
// values makes the response an error, for HTTPGet and HTTPStream, also when
// the server keeps the connection open (the GET does not wait for a close).
func TestHTTPGetBadContentLength(t *testing.T) {
	for _, header := range []string{
		"Content-Length: -5",
		"Content-Length: +5",
		"Content-Length: 0x5",
		"Content-Length: 5, 5",
		"Content-Length: 5 5",
		"Content-Length: ",
		"Content-Length: 99999999999999999999999",
		"Content-Length: 5\r\nContent-Length: 6",
	} {
		for _, keepOpen := range []bool{false, true} {
			addr := fakeServer(t, func(c net.Conn) {
				defer c.Close()
				readRequest(c)
				io.WriteString(c, "HTTP/1.1 200 OK\r\n"+header+"\r\n\r\nhello")
				if keepOpen {
					io.Copy(io.Discard, c) // until the client closes
				}
			})
			var resp Response
			var res Result[*HTTPBody]
			within(t, eventually, func() {
				resp = BlockOn(HTTPGet(addr, "/"))
				res = BlockOn(HTTPStream(addr, "/"))
			})
			if resp.Err == nil || !strings.Contains(resp.Err.Error(), "Content-Length") {
				t.Errorf("HTTPGet, %q, connection kept open %v: error %v (response %q), want a bad Content-Length", header, keepOpen, resp.Err, resp.Raw)
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), "Content-Length") {
				t.Errorf("HTTPStream, %q, connection kept open %v: error %v, want a bad Content-Length", header, keepOpen, res.Err)
				if res.Value != nil {
					res.Value.Close()
				}
			}
		}
	}
	// The same value twice is one length.
	addr := fakeServer(t, func(c net.Conn) {
		defer c.Close()
		readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length:5\r\n\r\nhello")
		io.Copy(io.Discard, c)
	})
	var resp Response
	within(t, eventually, func() { resp = BlockOn(HTTPGet(addr, "/")) })
	if resp.Err != nil || resp.Body() != "hello" {
		t.Errorf("Content-Length given twice, the same: %q, %v; want the body hello", resp.Raw, resp.Err)
	}
}
