//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks of BENCHMARKS.md (section "The runtime"); that file says how to run them.

// pinger is one side of the executor ping-pong: two tasks hand a ball to
// each other, each hand-off a Wake of the other task and a Poll of it.
type pinger struct {
	peer  *pinger
	waker Waker
	ball  bool
	left  *int // hand-offs still to do; below 0: stop
}

func (p *pinger) Poll(w Waker) (struct{}, bool) {
	p.waker = w
	if !p.ball {
		return struct{}{}, *p.left < 0
	}
	p.ball = false
	*p.left--
	p.peer.ball = true
	if p.peer.waker != nil {
		p.peer.waker.Wake()
	}
	return struct{}{}, *p.left < 0
}

// threadPinger is one side of a ping-pong between two executors, each on
// its own goroutine: every wake comes from the other goroutine, so it takes
// the remote path (compare-and-swap, lock-free push, and a signal when the
// executor sleeps).
type threadPinger struct {
	peer  *threadPinger
	waker atomic.Value // Waker, stored by the first poll
	ball  atomic.Bool
	left  *atomic.Int64 // hand-offs still to do; below 0: stop
}

func (p *threadPinger) Poll(w Waker) (struct{}, bool) {
	if p.waker.Load() == nil {
		p.waker.Store(w)
	}
	if !p.ball.Load() {
		return struct{}{}, p.left.Load() < 0
	}
	p.ball.Store(false)
	n := p.left.Add(-1)
	p.peer.ball.Store(true)
	if w, ok := p.peer.waker.Load().(Waker); ok {
		w.Wake()
	}
	return struct{}{}, n < 0
}

// BenchmarkRoundTrip: one suspend/resume round trip, i.e. two hand-offs.
// "executor": between two tasks of one executor (a Wake from the
// executor's goroutine, the run list, a Poll); "channel": between two
// goroutines over unbuffered channels; "goroutines" and "threads": between
// tasks of two executors on two goroutines or two OS threads (a Wake from
// elsewhere, the remote stack, the executor's sleep and signal, a Poll).
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("executor", func(b *testing.B) {
		b.ReportAllocs()
		left := 2 * b.N
		ping := &pinger{ball: true, left: &left}
		pong := &pinger{left: &left, peer: ping}
		ping.peer = pong
		b.ResetTimer()
		BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
			Spawn[struct{}](ping).Poll(w)
			Spawn[struct{}](pong).Poll(w)
			return struct{}{}, true
		}))
	})
	// Two executors on two goroutines (BlockOn), and on two OS threads
	// (StartThread, which locks each executor's goroutine to its thread as
	// the book does: then every sleep and wake of an executor is a sleep
	// and wake of its thread).
	for _, threads := range []bool{false, true} {
		name := map[bool]string{false: "goroutines", true: "threads"}[threads]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var left atomic.Int64
			left.Store(int64(2 * b.N))
			ping, pong := &threadPinger{left: &left}, &threadPinger{left: &left}
			ping.peer, pong.peer = pong, ping
			ping.ball.Store(true)
			b.ResetTimer()
			if threads {
				a, c := StartThread[struct{}]("ping", ping), StartThread[struct{}]("pong", pong)
				a.Join()
				c.Join()
				return
			}
			var wg sync.WaitGroup
			wg.Go(func() { BlockOn[struct{}](pong) })
			BlockOn[struct{}](ping)
			wg.Wait()
		})
	}
	b.Run("channel", func(b *testing.B) {
		b.ReportAllocs()
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		b.ResetTimer()
		for i := range b.N {
			ping <- i
			<-pong
		}
		close(ping)
	})
}

// sleeper is what corofy generates for
//
//	coroutine func sleeper(until time.Time) {
//		runtime.SleepUntil(until).wait
//	}
type sleeper struct {
	until time.Time
	state int
	fut1  *SleepFuture
}

func (s *sleeper) Poll(w Waker) (struct{}, bool) {
	if s.state == 0 {
		s.fut1, s.state = SleepUntil(s.until), 1
	}
	if _, ok := s.fut1.Poll(w); !ok {
		return struct{}{}, false
	}
	s.fut1, s.state = nil, 2
	return struct{}{}, true
}

// suspendedTasks is how many tasks BenchmarkSuspendedTask suspends, all
// until suspendSeconds after the iteration's start.
const (
	suspendedTasks = 100_000
	suspendSeconds = 3
)

// memoryInUse is the memory a suspended task can hold: heap objects and
// goroutine stacks, after a collection.
func memoryInUse() (heap, stacks uint64) {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc, m.StackInuse
}

// BenchmarkSuspendedTask: the memory that 100,000 suspended tasks, each
// waiting on a timer, add to the process (heap after GC plus goroutine
// stacks, from runtime.MemStats), per task: coroutine tasks on one executor
// versus goroutines parked in time.Sleep. Every task waits for the same
// deadline, suspendSeconds after the start, so each iteration takes that
// long. (Go sizes new goroutines' stacks from the average stack seen by
// earlier collections, so the goroutines of later iterations start with
// bigger stacks than the first: the medians of BENCHMARKS.md (section "The runtime")
// include that, as a long-running program would.)
func BenchmarkSuspendedTask(b *testing.B) {
	b.Run("coroutine", func(b *testing.B) {
		var heap, stacks uint64
		for range b.N {
			until := time.Now().Add(suspendSeconds * time.Second)
			heap0, stacks0 := memoryInUse()
			step := 0
			BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
				switch step {
				case 0:
					for range suspendedTasks {
						Spawn[struct{}](&sleeper{until: until}).Poll(w)
					}
					// Poll this task again after the sleepers' first
					// polls, queued before it.
					step = 1
					w.Wake()
					return struct{}{}, false
				default:
					h, s := memoryInUse()
					if time.Now().After(until) {
						b.Fatal("the sleepers' deadline passed before they were all suspended")
					}
					heap += h - heap0
					stacks += s - stacks0
					return struct{}{}, true
				}
			}))
		}
		reportPerTask(b, heap, stacks)
	})
	b.Run("goroutine", func(b *testing.B) {
		var heap, stacks uint64
		for range b.N {
			until := time.Now().Add(suspendSeconds * time.Second)
			heap0, stacks0 := memoryInUse()
			var started, finished sync.WaitGroup
			started.Add(suspendedTasks)
			finished.Add(suspendedTasks)
			for range suspendedTasks {
				go func() {
					started.Done()
					time.Sleep(time.Until(until))
					finished.Done()
				}()
			}
			started.Wait()
			h, s := memoryInUse()
			if time.Now().After(until) {
				b.Fatal("the goroutines' deadline passed before they were all parked")
			}
			heap += h - heap0
			stacks += s - stacks0
			finished.Wait()
		}
		reportPerTask(b, heap, stacks)
	})
}

func reportPerTask(b *testing.B, heap, stacks uint64) {
	n := float64(b.N * suspendedTasks)
	b.ReportMetric(float64(heap+stacks)/n, "bytes/task")
	b.ReportMetric(float64(heap)/n, "heap-bytes/task")
	b.ReportMetric(float64(stacks)/n, "stack-bytes/task")
	b.ReportMetric(0, "ns/op")
}

// getWorker performs requests one after the other until *left is 0, as
// corofy would generate for
//
//	coroutine func getWorker(addr string) {
//		for takeOne() {
//			check(runtime.HTTPGet(addr, "/0/hi").wait)
//		}
//	}
type getWorker struct {
	addr string
	left *int
	errs *int
	get  *HTTPGetFuture
}

func (g *getWorker) Poll(w Waker) (struct{}, bool) {
	for {
		if g.get == nil {
			if *g.left <= 0 {
				return struct{}{}, true
			}
			*g.left--
			g.get = HTTPGet(g.addr, "/0/hi")
		}
		resp, ok := g.get.Poll(w)
		if !ok {
			return struct{}{}, false
		}
		g.get = nil
		if resp.Err != nil || resp.Body() != "hi" {
			*g.errs++
		}
	}
}

// getAllRuntime makes total requests to addr, conc at a time, with this
// package's HTTPGet on one executor, and returns how many failed.
func getAllRuntime(addr string, total, conc int) int {
	left, errs := total, 0
	BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
		for range conc {
			Spawn[struct{}](&getWorker{addr: addr, left: &left, errs: &errs}).Poll(w)
		}
		return struct{}{}, true
	}))
	return errs
}

// getAllNetHTTP is getAllRuntime with net/http and conc goroutines; like
// HTTPGet, it opens one connection per request (no keep-alive).
func getAllNetHTTP(addr string, total, conc int) int {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var left, errs atomic.Int64
	left.Store(int64(total))
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				resp, err := client.Get("http://" + addr + "/0/hi")
				if err != nil {
					errs.Add(1)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(body) != "hi" {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(errs.Load())
}

var getAll = map[string]func(addr string, total, conc int) int{
	"runtime": getAllRuntime,
	"nethttp": getAllNetHTTP,
}

// BenchmarkHTTPGet: requests per second of conc concurrent GETs with no
// delay to the delay server in this process, with this runtime (one
// executor) and with net/http (one goroutine per request in flight), at the
// same GOMAXPROCS. One op is one request.
func BenchmarkHTTPGet(b *testing.B) {
	raiseFDLimit()
	addr := startDelayServer(b)
	for _, conc := range []int{100, 1000} {
		for _, client := range []string{"runtime", "nethttp"} {
			b.Run(fmt.Sprintf("%s/conc=%d", client, conc), func(b *testing.B) {
				start := time.Now()
				if errs := getAll[client](addr, b.N, min(conc, b.N)); errs > 0 {
					b.Fatalf("%d of %d requests failed", errs, b.N)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
		}
	}
}

// BenchmarkHTTPGetPeakRSS: the peak resident memory (VmHWM, Linux) of a
// client process making 20,000 requests, 1,000 at a time, to the delay
// server in the benchmark's process. Each op runs one client process.
func BenchmarkHTTPGetPeakRSS(b *testing.B) {
	raiseFDLimit()
	addr := startDelayServer(b)
	const total, conc = 20000, 1000
	for _, client := range []string{"runtime", "nethttp"} {
		b.Run(fmt.Sprintf("%s/conc=%d", client, conc), func(b *testing.B) {
			var peakKB, reqPerSec float64
			for range b.N {
				line, cmd, stdin, out := startHelper(b, "httpclient",
					"CORO_CLIENT="+client, "CORO_ADDR="+addr,
					"CORO_TOTAL="+strconv.Itoa(total), "CORO_CONC="+strconv.Itoa(conc))
				stdin.Close()
				io.Copy(io.Discard, out)
				if err := cmd.Wait(); err != nil {
					b.Fatalf("client process: %v (%s)", err, line)
				}
				var kb, rps float64
				if _, err := fmt.Sscanf(line, "peak-rss-kB=%g req/s=%g", &kb, &rps); err != nil {
					b.Fatalf("client process said %q: %v", line, err)
				}
				peakKB += kb
				reqPerSec += rps
			}
			b.ReportMetric(peakKB/float64(b.N)/1024, "peak-RSS-MiB")
			b.ReportMetric(reqPerSec/float64(b.N), "req/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// runHTTPClientHelper is the client process of BenchmarkHTTPGetPeakRSS.
func runHTTPClientHelper() int {
	raiseFDLimit()
	total, _ := strconv.Atoi(os.Getenv("CORO_TOTAL"))
	conc, _ := strconv.Atoi(os.Getenv("CORO_CONC"))
	get := getAll[os.Getenv("CORO_CLIENT")]
	if get == nil || total <= 0 || conc <= 0 {
		fmt.Println("bad helper environment")
		return 2
	}
	start := time.Now()
	if errs := get(os.Getenv("CORO_ADDR"), total, conc); errs > 0 {
		fmt.Printf("%d of %d requests failed\n", errs, total)
		return 1
	}
	elapsed := time.Since(start)
	fmt.Printf("peak-rss-kB=%d req/s=%.0f\n", peakRSSKB(), float64(total)/elapsed.Seconds())
	return 0
}

// peakRSSKB reads VmHWM from /proc/self/status (Linux), or returns 0.
func peakRSSKB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}
