package fibers_test

import (
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/corofy/corofy/fibers"
)

var allBackends = []fibers.Backend{fibers.Asm, fibers.Pull}

// forEachBackend runs test as a subtest per backend, with a fresh Runtime.
// The Asm subtest is skipped where that backend is not verified (requireAsm);
// the Pull subtest then covers the test.
func forEachBackend(t *testing.T, cfg fibers.Config, test func(t *testing.T, rt *fibers.Runtime)) {
	t.Helper()
	for _, b := range allBackends {
		t.Run(b.String(), func(t *testing.T) {
			if b == fibers.Asm {
				requireAsm(t, "the pull subtest covers this test")
			}
			cfg.Backend = b
			rt, err := fibers.New(cfg)
			if err != nil {
				t.Fatalf("New(%+v) = %v", cfg, err)
			}
			test(t, rt)
		})
	}
}

// requireAsm skips tb unless the Asm backend is available. Where it was
// verified (this Go release, system and architecture are in fibers'
// verified.go), unavailability fails tb instead. covered says what covers the
// skipped case, for the skip message.
func requireAsm(tb testing.TB, covered string) {
	tb.Helper()
	err := fibers.AsmSupported()
	switch {
	case err == nil:
	case fibers.AsmVerified():
		tb.Fatalf("AsmSupported() = %v with %s on %s/%s, where the Asm backend was verified (%s)",
			err, runtime.Version(), runtime.GOOS, runtime.GOARCH, fibers.AsmVerifiedText())
	case !errors.Is(err, fibers.ErrUnsupported):
		tb.Fatalf("AsmSupported() = %v, want nil or an error wrapping ErrUnsupported", err)
	default:
		tb.Skipf("asm backend not verified for %s on %s/%s, so not tested here (%v); %s, and TestAsmSupported checks that New refuses the asm backend cleanly",
			runtime.Version(), runtime.GOOS, runtime.GOARCH, err, covered)
	}
}

func TestAsmSupported(t *testing.T) {
	// Where the Asm backend was verified (fibers' verified.go; this project's
	// CI runs linux/amd64 with a verified Go release), it must be available;
	// elsewhere New must refuse it cleanly.
	err := fibers.AsmSupported()
	if fibers.AsmVerified() {
		if err != nil {
			t.Fatalf("AsmSupported() = %v, want nil on %s/%s %s (verified: %s)",
				err, runtime.GOOS, runtime.GOARCH, runtime.Version(), fibers.AsmVerifiedText())
		}
		return
	}
	if !errors.Is(err, fibers.ErrUnsupported) {
		t.Fatalf("AsmSupported() = %v, want an error wrapping ErrUnsupported on %s/%s %s (verified: %s)",
			err, runtime.GOOS, runtime.GOARCH, runtime.Version(), fibers.AsmVerifiedText())
	}
	if _, err := fibers.New(fibers.Config{Backend: fibers.Asm}); !errors.Is(err, fibers.ErrUnsupported) {
		t.Fatalf("New(Asm) error = %v, want ErrUnsupported", err)
	}
	t.Logf("asm backend refused as expected on %s/%s %s: %v", runtime.GOOS, runtime.GOARCH, runtime.Version(), err)
}

func TestBackendFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want fibers.Backend
		ok   bool
	}{{"asm", fibers.Asm, true}, {"pull", fibers.Pull, true}, {"iter", 0, false}} {
		var b fibers.Backend
		err := b.Set(tc.in)
		if (err == nil) != tc.ok || (tc.ok && b != tc.want) {
			t.Errorf("Set(%q) = %v, backend %v; want ok=%v %v", tc.in, err, b, tc.ok, tc.want)
		}
		if tc.ok && b.String() != tc.in {
			t.Errorf("Backend(%d).String() = %q, want %q", b, b.String(), tc.in)
		}
	}
}

// TestRoundRobin checks the scheduling order, including fibers spawned by a
// running fiber and fibers finishing at different times.
func TestRoundRobin(t *testing.T) {
	// Fiber 3 spawns 4 while 1 and 2 are queued: 4 goes after them, before 3.
	const want = "1.0 2.0 3.0 1.1 2.1 3.1 1.2 2.end 4.0 3.2 1.end 4.1 3.end 4.end"
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var log []string
		var counter func(n int) func(f *fibers.Fiber)
		counter = func(n int) func(f *fibers.Fiber) {
			return func(f *fibers.Fiber) {
				for i := range n {
					log = append(log, fmt.Sprintf("%d.%d", f.ID(), i))
					if f.ID() == 3 && i == 1 {
						rt.Spawn(counter(2))
					}
					f.Yield()
				}
				log = append(log, fmt.Sprintf("%d.end", f.ID()))
			}
		}
		rt.Spawn(counter(3))
		rt.Spawn(counter(2))
		rt.Spawn(counter(3))
		rt.Run()
		if got := strings.Join(log, " "); got != want {
			t.Errorf("Run order:\n got %s\nwant %s", got, want)
		}
	})
}

func TestRunEmptyAndReuse(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		rt.Run() // nothing to do
		for round := range 3 {
			n := 0
			for range 5 {
				rt.Spawn(func(f *fibers.Fiber) { f.Yield(); n++ })
			}
			rt.Run()
			if n != 5 {
				t.Fatalf("round %d: %d of 5 fibers finished after Run", round, n)
			}
		}
	})
}

// TestManyFibers spawns 100k fibers that all yield a few times, so that all
// of them are suspended at once.
func TestManyFibers(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	const yields = 3
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var started, finished, sum int
		for i := range n {
			rt.Spawn(func(f *fibers.Fiber) {
				started++
				for range yields {
					f.Yield()
					sum += i
				}
				finished++
			})
		}
		rt.Run()
		wantSum := yields * n * (n - 1) / 2
		if started != n || finished != n || sum != wantSum {
			t.Fatalf("after Run: started %d, finished %d, sum %d; want %d, %d, %d", started, finished, sum, n, n, wantSum)
		}
	})
}

// TestPanic checks that a panic reaches Run's caller as a *PanicError naming
// the fiber, that the other started fibers are unwound (their deferred calls
// run) and that fibers never started do not run.
func TestPanic(t *testing.T) {
	boom := errors.New("boom")
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var log []string
		rt.Spawn(func(f *fibers.Fiber) {
			defer func() { log = append(log, "1 deferred") }()
			for {
				f.Yield()
			}
		})
		rt.Spawn(func(f *fibers.Fiber) {
			defer func() { log = append(log, "2 deferred") }()
			f.Yield()
			rt.Spawn(func(f *fibers.Fiber) { log = append(log, "3 ran") })
			panic(boom)
		})
		r := catchPanic(rt.Run)
		pe, ok := r.(*fibers.PanicError)
		if !ok {
			t.Fatalf("Run panicked with %T %v, want *fibers.PanicError", r, r)
		}
		if pe.Fiber != 2 || pe.Value != boom || !errors.Is(pe, boom) {
			t.Errorf("PanicError = {Fiber: %d, Value: %v}, want {2, boom} (errors.Is boom)", pe.Fiber, pe.Value)
		}
		if !strings.Contains(string(pe.Stack), "fibers_test.TestPanic") {
			t.Errorf("PanicError.Stack does not show the panicking function:\n%s", pe.Stack)
		}
		if want := "2 deferred,1 deferred"; strings.Join(log, ",") != want {
			t.Errorf("deferred calls = %q, want %q", strings.Join(log, ","), want)
		}
		// The Runtime is usable again.
		done := false
		rt.Spawn(func(f *fibers.Fiber) { f.Yield(); done = true })
		rt.Run()
		if !done {
			t.Errorf("Run after a panic did not run the new fiber")
		}
	})
}

func catchPanic(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// TestGoexit checks that runtime.Goexit in a fiber (what t.FailNow does)
// unwinds the other fibers and exits Run's caller, never the process.
func TestGoexit(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var log []string
		rt.Spawn(func(f *fibers.Fiber) {
			defer func() { log = append(log, "1 deferred") }()
			for {
				f.Yield()
			}
		})
		rt.Spawn(func(f *fibers.Fiber) {
			defer func() { log = append(log, "2 deferred") }()
			f.Yield()
			runtime.Goexit()
		})
		var wg sync.WaitGroup
		wg.Add(1)
		returned := false
		go func() {
			defer wg.Done()
			defer func() { log = append(log, "caller deferred") }()
			rt.Run()
			returned = true
		}()
		wg.Wait()
		if returned {
			t.Errorf("Run returned; want runtime.Goexit of its caller")
		}
		if want := "2 deferred,1 deferred,caller deferred"; strings.Join(log, ",") != want {
			t.Errorf("deferred calls = %q, want %q", strings.Join(log, ","), want)
		}
		done := false
		rt.Spawn(func(f *fibers.Fiber) { done = true })
		rt.Run()
		if !done {
			t.Errorf("Run after a Goexit did not run the new fiber")
		}
	})
}

// TestDefers checks that each fiber has its own defer chain: heap-allocated
// defer records (defers in a loop) survive yields and forced GCs, and a
// panic in one fiber does not run another's deferred calls.
func TestDefers(t *testing.T) {
	forEachBackend(t, fibers.Config{StressGC: true}, func(t *testing.T, rt *fibers.Runtime) {
		var log []string
		for id := 1; id <= 2; id++ {
			rt.Spawn(func(f *fibers.Fiber) {
				for i := range 3 {
					defer func() { log = append(log, fmt.Sprintf("%d.%d", id, i)) }()
					f.Yield()
				}
				runtime.GC()
				f.Yield()
			})
		}
		rt.Run()
		if want := "1.2,1.1,1.0,2.2,2.1,2.0"; strings.Join(log, ",") != want {
			t.Errorf("deferred calls = %q, want %q", strings.Join(log, ","), want)
		}
	})
}

// TestRecoverInFiber checks that a fiber can recover its own panic and go on
// yielding.
func TestRecoverInFiber(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var got []any
		for range 2 {
			rt.Spawn(func(f *fibers.Fiber) {
				for i := range 3 {
					func() {
						defer func() { got = append(got, recover()) }()
						f.Yield()
						panic(fmt.Sprint(f.ID(), ".", i))
					}()
				}
			})
		}
		rt.Run()
		want := []any{"1.0", "2.0", "1.1", "2.1", "1.2", "2.2"}
		if !slices.Equal(got, want) {
			t.Errorf("recovered %v, want %v", got, want)
		}
	})
}

// TestMisuse checks the API misuse that is detected.
func TestMisuse(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var other *fibers.Fiber
		var msgs []string
		try := func(f func()) {
			msgs = append(msgs, fmt.Sprint(catchPanic(f)))
		}
		other = rt.Spawn(func(f *fibers.Fiber) { f.Yield() })
		rt.Spawn(func(f *fibers.Fiber) {
			try(other.Yield) // not the running fiber
			try(rt.Run)      // Run inside a fiber
			f.Yield()
		})
		rt.Run()
		try(other.Yield) // outside Run
		if rt.Backend() == fibers.Asm {
			// From another goroutine while the fiber runs; from a deferred call
			// during a panic.
			rt.Spawn(func(f *fibers.Fiber) {
				done := make(chan struct{})
				go func() { try(f.Yield); close(done) }()
				<-done
				func() {
					defer func() {
						try(f.Yield)
						recover()
					}()
					panic("x")
				}()
			})
			rt.Spawn(func(f *fibers.Fiber) { f.Yield() })
			rt.Run()
		}
		for i, m := range msgs {
			if !strings.HasPrefix(m, "fibers: ") {
				t.Errorf("misuse %d: panic %q, want a fibers: message", i, m)
			}
		}
		if want := map[fibers.Backend]int{fibers.Asm: 5, fibers.Pull: 3}[rt.Backend()]; len(msgs) != want {
			t.Errorf("%d misuses detected, want %d: %q", len(msgs), want, msgs)
		}
	})
}

// TestBlockingInFiber checks that a fiber may block the whole goroutine (a
// channel, a goroutine of its own, time) and allocate heavily meanwhile.
func TestBlockingInFiber(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		results := make([]int, 4)
		for i := range results {
			rt.Spawn(func(f *fibers.Fiber) {
				for round := range 3 {
					ch := make(chan int)
					go func() {
						garbage := make([][]byte, 100)
						for j := range garbage {
							garbage[j] = make([]byte, 1000)
						}
						runtime.GC()
						ch <- len(garbage) + round
					}()
					results[i] += <-ch
					f.Yield()
				}
			})
		}
		rt.Run()
		for i, r := range results {
			if r != 303 {
				t.Errorf("fiber %d got %d, want 303", i+1, r)
			}
		}
	})
}

// TestDeepStack checks that a fiber may use most of its stack: recursion well
// inside the usable size, across yields.
func TestDeepStack(t *testing.T) {
	forEachBackend(t, fibers.Config{StackSize: 64 << 10}, func(t *testing.T, rt *fibers.Runtime) {
		var got []int
		for range 2 {
			rt.Spawn(func(f *fibers.Fiber) { got = append(got, recurse(f, 200)) })
		}
		rt.Run()
		if !slices.Equal(got, []int{200, 200}) {
			t.Errorf("recursion results %v, want [200 200]", got)
		}
	})
}

// recurse uses about 128 bytes of stack per level and yields at the bottom.
//
//go:noinline
func recurse(f *fibers.Fiber, n int) int {
	var pad [12]int
	pad[n%12] = n
	if n == 0 {
		f.Yield()
		return 0
	}
	return recurse(f, n-1) + 1 + pad[n%12] - n
}

// TestUnwindSwallowed checks that a fiber which recovers the unwinding panic
// and yields again is unwound anyway, and that a fiber never started still
// never runs.
func TestUnwindSwallowed(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var log []string
		rt.Spawn(func(f *fibers.Fiber) {
			defer func() { log = append(log, "1 unwound") }()
			func() {
				defer func() { log = append(log, fmt.Sprint("1 swallowed ", recover() != nil)) }()
				f.Yield()
			}()
			f.Yield()
			log = append(log, "1 went on")
		})
		rt.Spawn(func(f *fibers.Fiber) {
			rt.Spawn(func(f *fibers.Fiber) { log = append(log, "3 ran") })
			panic("boom")
		})
		if r := catchPanic(rt.Run); r == nil {
			t.Fatalf("Run returned normally, want a panic")
		}
		if want := "1 swallowed true,1 unwound"; strings.Join(log, ",") != want {
			t.Errorf("log = %q, want %q", strings.Join(log, ","), want)
		}
	})
}

// TestIterPullInsideFiber checks that fibers can drive iter.Pull coroutines
// (which switch goroutines) across yields, keeping next and stop as the
// contract requires.
func TestIterPullInsideFiber(t *testing.T) {
	forEachBackend(t, fibers.Config{StressGC: true}, func(t *testing.T, rt *fibers.Runtime) {
		sums := make([]int, 3)
		for i := range sums {
			rt.Spawn(func(f *fibers.Fiber) {
				next, stop := iter.Pull(slices.Values([]int{1, 2, 3, 4, 5}))
				f.Keep(next)
				f.Keep(stop)
				defer stop()
				for {
					v, ok := next()
					if !ok {
						return
					}
					sums[i] += v * (i + 1)
					f.Yield()
				}
			})
		}
		rt.Run()
		if !slices.Equal(sums, []int{15, 30, 45}) {
			t.Errorf("sums = %v, want [15 30 45]", sums)
		}
	})
}

// TestSpawnFromOtherGoroutineDuringRun: a Spawn from a goroutine that is
// not the running fiber's while Run runs (it would race with the scheduler's
// queue and could lose fibers) panics with a message saying so, and leaves
// the Runtime intact: the Run goes on and ends with every legitimately
// spawned fiber run. Before and after Run, Spawn from another goroutine is
// fine when the hand-over is synchronized.
func TestSpawnFromOtherGoroutineDuringRun(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var ran atomic.Int32
		started := make(chan struct{})
		var stop atomic.Bool
		caught := make(chan any, 2)
		spawnFrom := func() {
			defer func() { caught <- recover() }()
			rt.Spawn(func(*fibers.Fiber) { ran.Add(100) })
		}
		rt.Spawn(func(f *fibers.Fiber) {
			ran.Add(1)
			close(started)
			// A goroutine the fiber starts is another goroutine too.
			done := make(chan struct{})
			go func() { spawnFrom(); close(done) }()
			<-done
			for !stop.Load() {
				f.Yield()
			}
			rt.Spawn(func(*fibers.Fiber) { ran.Add(1) }) // from the fiber: fine
		})
		rt.Spawn(func(f *fibers.Fiber) {
			ran.Add(1)
			for !stop.Load() {
				f.Yield()
			}
		})
		go func() {
			<-started
			spawnFrom()
			stop.Store(true)
		}()
		rt.Run()
		for range 2 {
			msg := fmt.Sprint(<-caught)
			if !strings.HasPrefix(msg, "fibers: Spawn") || !strings.Contains(msg, "goroutine") {
				t.Errorf("Spawn from another goroutine during Run: panic %q, want a fibers: Spawn message about the goroutine", msg)
			}
		}
		if n := ran.Load(); n != 3 {
			t.Errorf("fibers run: %d, want 3 (the two spawned before Run and one spawned by a fiber)", n)
		}
		// Between Runs, another goroutine may prepare the Runtime.
		done := make(chan struct{})
		go func() {
			defer close(done)
			rt.Spawn(func(*fibers.Fiber) { ran.Add(1) })
		}()
		<-done
		rt.Run()
		if n := ran.Load(); n != 4 {
			t.Errorf("fiber spawned from another goroutine between Runs: %d fibers run, want 4", n)
		}
	})
}
