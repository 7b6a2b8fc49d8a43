//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"fmt"
	"testing"
	"time"
)

// loadRequest is one task of the load tests, as corofy would generate
//
//	coroutine func request(i int) {
//		resp := runtime.HTTPGet(addr, fmt.Sprintf("/%d/m%d", delay, i)).wait
//		results[i] = resp.Body() // or the error
//	}
//
// It also counts the requests in flight: all its executor's tasks run on one
// goroutine, so plain ints will do.
type loadRequest struct {
	addr    string
	i       int
	delay   int
	get     *HTTPGetFuture
	results []string
	open    *int
	peak    *int
}

func (r *loadRequest) Poll(w Waker) (struct{}, bool) {
	if r.get == nil {
		r.get = HTTPGet(r.addr, fmt.Sprintf("/%d/m%d", r.delay, r.i))
		*r.open++
		*r.peak = max(*r.peak, *r.open)
	}
	resp, ok := r.get.Poll(w)
	if !ok {
		return struct{}{}, false
	}
	r.get = nil
	*r.open--
	if resp.Err != nil {
		r.results[r.i] = resp.String()
	} else {
		r.results[r.i] = resp.Body()
	}
	return struct{}{}, true
}

// runLoad spawns n requests of the given delay at once on one executor
// and checks every answer. It returns the greatest number of requests that
// were in flight together.
func runLoad(t *testing.T, addr string, n, delay int) int {
	results := make([]string, n)
	open, peak := 0, 0
	start := time.Now()
	within(t, 5*time.Minute, func() {
		BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
			for i := range n {
				Spawn[struct{}](&loadRequest{addr: addr, i: i, delay: delay, results: results, open: &open, peak: &peak}).Poll(w)
			}
			return struct{}{}, true
		}))
	})
	bad := 0
	for i, got := range results {
		if want := fmt.Sprintf("m%d", i); got != want {
			if bad++; bad <= 5 {
				t.Errorf("request %d: response %q, want body %q", i, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d responses wrong", bad, n)
	}
	t.Logf("%d requests of %d ms: %v, at most %d in flight", n, delay, time.Since(start), peak)
	return peak
}

// TestLoadManyConnections: ten thousand concurrent loopback connections
// through one executor and the reactor, against a server in another process
// (built on this package too; see runDelayServerHelper). Every response is
// checked; all connections are open at once (each request is in flight
// until its response, and the server delays every answer); afterwards no
// descriptor is left open. -short runs a thousand.
func TestLoadManyConnections(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	limit, err := raiseFDLimit()
	if err != nil {
		t.Fatalf("raising RLIMIT_NOFILE: %v", err)
	}
	if limit < uint64(n)+100 {
		t.Fatalf("RLIMIT_NOFILE hard limit %d is below the %d descriptors this test needs; raise it (ulimit -Hn)", limit, n+100)
	}
	addr := startServerProcess(t)
	before := openFDs(t)
	if peak := runLoad(t, addr, n, 500); peak != n {
		t.Errorf("at most %d of %d requests were in flight together, want all", peak, n)
	}
	fdsBackTo(t, addr, before, fmt.Sprintf("%d requests", n))
}

// TestLoadDelayServer: a thousand concurrent requests to the book's delay
// server (net/http, in this process).
func TestLoadDelayServer(t *testing.T) {
	if _, err := raiseFDLimit(); err != nil {
		t.Fatalf("raising RLIMIT_NOFILE: %v", err)
	}
	addr := startDelayServer(t)
	before := openFDs(t)
	const n = 1000
	if peak := runLoad(t, addr, n, 300); peak != n {
		t.Errorf("at most %d of %d requests were in flight together, want all", peak, n)
	}
	fdsBackTo(t, addr, before, fmt.Sprintf("%d requests", n))
}
