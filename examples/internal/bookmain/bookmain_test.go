package bookmain

import (
	"flag"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/examples/internal/bookhttp"
	"github.com/corofy/corofy/runtime"
)

// get drives a bookhttp future to completion with a busy-polling loop.
func get(t *testing.T, path string) string {
	t.Helper()
	f := bookhttp.Get(path)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if raw, ok := f.Poll(runtime.NoopWaker()); ok {
			return raw
		}
	}
	t.Fatalf("Get(%s) not ready after 30s", path)
	return ""
}

func TestInProcess(t *testing.T) {
	defer func(addr string) { bookhttp.Addr = addr }(bookhttp.Addr)
	cleanup := Setup()
	addr := bookhttp.Addr
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("after Setup(), bookhttp.Addr = %q, want 127.0.0.1:port", addr)
	}
	if raw := get(t, "/0/hello"); !strings.HasSuffix(raw, "\r\n\r\nhello") {
		t.Errorf("Get(/0/hello) = %q, want body hello", raw)
	}
	cleanup()
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("dial %s after cleanup succeeded; want the server closed", addr)
	}
}

func TestExternal(t *testing.T) {
	defer func(addr string) { bookhttp.Addr = addr }(bookhttp.Addr)
	defer flag.Set("server", "")
	if err := flag.Set("server", "127.0.0.1:9999"); err != nil {
		t.Fatal(err)
	}
	cleanup := Setup()
	defer cleanup()
	if got, want := bookhttp.Addr, "127.0.0.1:9999"; got != want {
		t.Errorf("after Setup() with -server %s, bookhttp.Addr = %q, want %q", want, got, want)
	}
}
