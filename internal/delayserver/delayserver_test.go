package delayserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log the test can read while handlers write to it.
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

// start starts a server on a free loopback port and closes it at the end of
// the test.
func start(t *testing.T) (*Server, *syncBuffer) {
	t.Helper()
	log := new(syncBuffer)
	s, err := Start("127.0.0.1:0", log)
	if err != nil {
		t.Fatalf("Start(127.0.0.1:0) = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, log
}

// get sends the request the book's client sends, reads to EOF and returns
// the raw response.
func get(t *testing.T, addr, path string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Errorf("dial %s: %v", addr, err)
		return ""
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Errorf("GET %s: read: %v", path, err)
	}
	return string(raw)
}

// parse parses a raw response read by get.
func parse(t *testing.T, raw string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("cannot parse response %q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("cannot read body of %q: %v", raw, err)
	}
	return resp, string(body)
}

func TestResponse(t *testing.T) {
	s, log := start(t)
	raw := get(t, s.Addr(), "/10/HelloWorld1")
	if !strings.HasPrefix(raw, "HTTP/1.1 200 OK\r\n") {
		t.Errorf("GET /10/HelloWorld1: status line of %q, want HTTP/1.1 200 OK", raw)
	}
	resp, body := parse(t, raw)
	if body != "HelloWorld1" {
		t.Errorf("GET /10/HelloWorld1: body %q, want %q", body, "HelloWorld1")
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
		t.Errorf("GET /10/HelloWorld1: content-type %q, want %q", got, want)
	}
	if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
		t.Errorf("GET /10/HelloWorld1: date header %q: %v", resp.Header.Get("Date"), err)
	}
	if !resp.Close {
		t.Errorf("GET /10/HelloWorld1: response does not close the connection: %q", raw)
	}
	if got, want := log.String(), "#1 - 10ms: HelloWorld1\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func TestPercentDecoding(t *testing.T) {
	s, log := start(t)
	tests := []struct{ path, body string }{
		{"/0/Hello%20World", "Hello World"},
		{"/0/a%2Fb", "a/b"},
		{"/0/%E2%9C%93ok", "✓ok"},
		{"/0/plain", "plain"},
		{"/0/x?query=ignored", "x"},
	}
	var wantLog strings.Builder
	for i, test := range tests {
		_, body := parse(t, get(t, s.Addr(), test.path))
		if body != test.body {
			t.Errorf("GET %s: body %q, want %q", test.path, body, test.body)
		}
		fmt.Fprintf(&wantLog, "#%d - 0ms: %s\n", i+1, test.body)
	}
	if got := log.String(); got != wantLog.String() {
		t.Errorf("log = %q, want %q", got, wantLog.String())
	}
}

// TestLongMessage checks that a long body is sent as it is, not chunked.
func TestLongMessage(t *testing.T) {
	s, _ := start(t)
	message := strings.Repeat("0123456789", 5000)
	raw := get(t, s.Addr(), "/0/"+message)
	if !strings.HasSuffix(raw, "\r\n\r\n"+message) {
		t.Errorf("GET of a %d-byte message: response of %d bytes does not end in the message", len(message), len(raw))
	}
	if resp, _ := parse(t, raw); resp.ContentLength != int64(len(message)) {
		t.Errorf("GET of a %d-byte message: Content-Length %d", len(message), resp.ContentLength)
	}
}

func TestNotFound(t *testing.T) {
	s, log := start(t)
	for _, path := range []string{
		"/",
		"/100",
		"/100/",
		"/abc/hello",
		"/-1/hello",
		"/+1/hello",
		"/1.5/hello",
		"//hello",
		"/100/hello/world",
		"/x/100/hello",
		"/99999999999999999999999/hello", // does not fit in 64 bits
	} {
		resp, _ := parse(t, get(t, s.Addr(), path))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %q, want 404", path, resp.Status)
		}
	}
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /0/hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	raw, _ := io.ReadAll(conn)
	if resp, _ := parse(t, string(raw)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /0/hello: status %q, want 404", resp.Status)
	}
	if got := log.String(); got != "" {
		t.Errorf("log = %q after only bad requests, want nothing", got)
	}
}

// TestConcurrent checks that delays overlap: 20 requests of 300ms in
// parallel must take far less than 20*300ms. The bound leaves a wide margin
// for slow machines; serial handling would take 6s.
func TestParsePath(t *testing.T) {
	tests := []struct {
		escaped string
		ms      uint64
		message string
		ok      bool
	}{
		{"/600/HelloWorld1", 600, "HelloWorld1", true},
		{"/0/a%2Fb%20c", 0, "a/b c", true},
		{"/18446744073709551615/max", 18446744073709551615, "max", true},
		{"/18446744073709551616/overflow", 0, "", false},
		{"/100/bad%zzescape", 0, "", false},
		{"/100/", 0, "", false},
		{"100/x", 0, "", false},
		{"", 0, "", false},
		{"/1e3/x", 0, "", false},
	}
	for _, test := range tests {
		ms, message, ok := parsePath(test.escaped)
		if ms != test.ms || message != test.message || ok != test.ok {
			t.Errorf("parsePath(%q) = %d, %q, %v, want %d, %q, %v",
				test.escaped, ms, message, ok, test.ms, test.message, test.ok)
		}
	}
	if got := duration(18446744073709551615); got != time.Duration(1<<63-1) {
		t.Errorf("duration(max uint64) = %v, want the longest time.Duration", got)
	}
	if got := duration(600); got != 600*time.Millisecond {
		t.Errorf("duration(600) = %v, want 600ms", got)
	}
}

func TestConcurrent(t *testing.T) {
	const n, delay = 20, 300 * time.Millisecond
	s, log := start(t)
	begin := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			path := fmt.Sprintf("/%d/msg%d", delay.Milliseconds(), i)
			_, body := parse(t, get(t, s.Addr(), path))
			if want := fmt.Sprintf("msg%d", i); body != want {
				t.Errorf("GET %s: body %q, want %q", path, body, want)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if elapsed < delay {
		t.Errorf("%d requests of %v took %v, less than one delay", n, delay, elapsed)
	}
	if elapsed >= n*delay/2 {
		t.Errorf("%d requests of %v took %v: not concurrent", n, delay, elapsed)
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("log has %d lines, want %d:\n%s", len(lines), n, log)
	}
	for i, line := range lines {
		if prefix := fmt.Sprintf("#%d - 300ms: msg", i+1); !strings.HasPrefix(line, prefix) {
			t.Errorf("log line %d = %q, want prefix %q", i+1, line, prefix)
		}
	}
}

// TestLogAtOnce checks that a request is logged when it arrives, not when
// it is answered.
func TestLogAtOnce(t *testing.T) {
	s, log := start(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, s.Addr(), "/60000/slow")
	}()
	for deadline := time.Now().Add(10 * time.Second); log.String() == ""; {
		if time.Now().After(deadline) {
			t.Fatal("a request of 60s was not logged within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, want := log.String(), "#1 - 60000ms: slow\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	s.Close()
	<-done
}

// TestClose checks that Close ends pending delays, closes idle connections
// and leaves no goroutine of the server behind.
func TestClose(t *testing.T) {
	log := new(syncBuffer)
	s, err := Start("127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	get(t, addr, "/0/warmup")

	// One request waiting out a long delay, one connection that never
	// sends a request.
	pending := make(chan string)
	go func() { pending <- get(t, addr, "/3600000/never") }()
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	for log.String() == "#1 - 0ms: warmup\n" {
		time.Sleep(5 * time.Millisecond)
	}

	closed := make(chan error)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close() did not return within 30s with a request of 1h pending")
	}
	if raw := <-pending; raw != "" {
		t.Errorf("request pending at Close got %q, want no response", raw)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("dial %s after Close succeeded", addr)
	}
	// Close waited for every connection goroutine; give the last ones the
	// moment they need to return after reporting StateClosed.
	var stacks string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		stacks = serverGoroutines()
		if stacks == "" {
			return
		}
	}
	t.Errorf("goroutines still serving after Close:\n%s", stacks)
}

// serverGoroutines returns the stacks of goroutines running server code.
func serverGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:goruntime.Stack(buf, true)]
	var found []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "net/http.(*conn).serve") ||
			strings.Contains(g, "net/http.(*Server).Serve") ||
			strings.Contains(g, "delayserver.(*Server)") {
			found = append(found, g)
		}
	}
	return strings.Join(found, "\n\n")
}

func TestStartError(t *testing.T) {
	s, _ := start(t)
	if s2, err := Start(s.Addr(), nil); err == nil {
		s2.Close()
		t.Fatalf("Start(%s) on a port in use succeeded", s.Addr())
	}
}

func TestNilLog(t *testing.T) {
	s, err := Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, body := parse(t, get(t, s.Addr(), "/0/quiet")); body != "quiet" {
		t.Errorf("GET /0/quiet: body %q, want %q", body, "quiet")
	}
}
