//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"fmt"
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
