package fibers_test

import (
	"bufio"
	"fmt"
	"iter"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/corofy/corofy/fibers"
)

// Benchmarks for BENCHMARKS.md; the command that regenerates the table is in
// BENCHMARKS.md (section "Fibers").
//
// One op of BenchmarkRoundTrip is one resume+yield round trip: control goes
// from A to B and back to A (two transfers). For fibers that is two fibers
// yielding once each; for channels, a ping and a pong; for iter.Pull, one
// next(); for a state machine, one Poll call (the executor resumes the task,
// which returns Pending).

func BenchmarkRoundTrip(b *testing.B) {
	for _, backend := range allBackends {
		b.Run("fiber="+backend.String(), func(b *testing.B) {
			rt := newRuntime(b, backend)
			n := b.N
			for range 2 {
				rt.Spawn(func(f *fibers.Fiber) {
					for range n {
						f.Yield()
					}
				})
			}
			b.ResetTimer()
			rt.Run()
		})
	}
	b.Run("iter.Pull", func(b *testing.B) {
		next, stop := iter.Pull(func(yield func(struct{}) bool) {
			for yield(struct{}{}) {
			}
		})
		defer stop()
		for b.Loop() {
			next()
		}
	})
	b.Run("chan", func(b *testing.B) {
		ping, pong := make(chan struct{}), make(chan struct{})
		go func() {
			for range ping {
				pong <- struct{}{}
			}
		}()
		for b.Loop() {
			ping <- struct{}{}
			<-pong
		}
		close(ping)
	})
	b.Run("poll", func(b *testing.B) {
		var task poller = &counterMachine{}
		w := &waker{}
		for b.Loop() {
			if _, done := task.Poll(w); done {
				b.Fatal("counter machine finished")
			}
		}
	})
}

func newRuntime(b *testing.B, backend fibers.Backend) *fibers.Runtime {
	if backend == fibers.Asm {
		requireAsm(b, "the other sub-benchmarks still run")
	}
	rt, err := fibers.New(fibers.Config{Backend: backend})
	if err != nil {
		b.Fatal(err)
	}
	return rt
}

// poller and counterMachine stand in for a generated coroutine: a
// hand-written state machine behind an interface, polled by an executor.
type poller interface {
	Poll(w *waker) (int, bool)
}

type waker struct{ woken int }

type counterMachine struct {
	state int
	count int
}

//go:noinline
func (m *counterMachine) Poll(w *waker) (int, bool) {
	switch m.state {
	case 0: // suspended at the wait inside the loop
		m.count++
		if m.count == -1 {
			m.state = 1
			return m.count, true
		}
		w.woken++
		return 0, false
	}
	return m.count, true
}

// BenchmarkSpawn measures creating a task, running it to completion (it
// returns at once) and releasing it, in batches of 1000.
func BenchmarkSpawn(b *testing.B) {
	const batch = 1000
	for _, backend := range allBackends {
		b.Run("fiber="+backend.String(), func(b *testing.B) {
			b.ReportAllocs()
			rt := newRuntime(b, backend)
			fn := func(f *fibers.Fiber) {}
			for i := 0; i < b.N; i += batch {
				for range min(batch, b.N-i) {
					rt.Spawn(fn)
				}
				rt.Run()
			}
		})
	}
	b.Run("iter.Pull", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			next, _ := iter.Pull(func(yield func(struct{}) bool) {})
			next()
		}
	})
	b.Run("goroutine", func(b *testing.B) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		for i := 0; i < b.N; i += batch {
			for range min(batch, b.N-i) {
				wg.Go(func() {})
			}
			wg.Wait()
		}
	})
}

// BenchmarkMemory reports the memory per suspended task for 100,000 tasks,
// each measured in a fresh child process (see memoryChild): resident bytes
// (VmRSS) and Go-managed bytes (heap in use + goroutine stacks), per task.
// The time per op is meaningless.
func BenchmarkMemory(b *testing.B) {
	const n = 100_000
	for _, kind := range []string{"asm", "pull", "goroutine", "poll"} {
		b.Run(kind, func(b *testing.B) {
			if kind == "asm" {
				requireAsm(b, "the other sub-benchmarks still run")
			}
			if _, err := os.Stat("/proc/self/statm"); err != nil {
				b.Skip("needs /proc/self/statm")
			}
			var rss, goBytes float64
			for range b.N {
				out, code := runChild(b, fmt.Sprintf("memory:%s:%d", kind, n), nil)
				var r, g int64
				if _, err := fmt.Sscanf(out, "rss=%d go=%d", &r, &g); err != nil || code != 0 {
					b.Fatalf("memory child %s: exit %d, %v:\n%s", kind, code, err, out)
				}
				rss += float64(r) / n
				goBytes += float64(g) / n
			}
			b.ReportMetric(rss/float64(b.N), "rss-B/task")
			b.ReportMetric(goBytes/float64(b.N), "go-B/task")
		})
	}
}

// memoryChild suspends n tasks of the given kind ("asm", "pull",
// "goroutine", or "poll": the stackless stand-in, a state machine behind an
// interface, held in a slice as an executor would) and prints how much the
// resident set and Go's heap+stacks grew, measured after a GC while all n are
// suspended.
func memoryChild(arg string) {
	kind, count, _ := strings.Cut(arg, ":")
	n, err := strconv.Atoi(count)
	if err != nil {
		panic(err)
	}
	runtime.GC()
	rss0, go0 := memNow()
	var rss1, go1 int64
	measure := func() {
		runtime.GC()
		rss1, go1 = memNow()
	}
	switch kind {
	case "poll":
		tasks := make([]poller, n)
		w := &waker{}
		for i := range tasks {
			tasks[i] = &counterMachine{}
			tasks[i].Poll(w) // suspended at its first wait
		}
		measure()
		runtime.KeepAlive(tasks)
	case "goroutine":
		block := make(chan struct{})
		var started sync.WaitGroup
		started.Add(n)
		for range n {
			go func() {
				started.Done()
				<-block
			}()
		}
		started.Wait()
		measure()
		close(block)
	default:
		var b fibers.Backend
		if err := b.Set(kind); err != nil {
			panic(err)
		}
		rt, err := fibers.New(fibers.Config{Backend: b})
		if err != nil {
			panic(err)
		}
		for range n {
			rt.Spawn(func(f *fibers.Fiber) { f.Yield() })
		}
		// Runs after each of the n fibers has run to its Yield.
		rt.Spawn(func(f *fibers.Fiber) { measure() })
		rt.Run()
	}
	fmt.Printf("rss=%d go=%d\n", rss1-rss0, go1-go0)
}

// memNow returns the resident set size (from /proc/self/statm) and the
// bytes of Go heap spans in use plus goroutine stacks in use.
func memNow() (rss, goBytes int64) {
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(line)
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		panic(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return pages * int64(os.Getpagesize()), int64(ms.HeapInuse + ms.StackInuse)
}
