package runtime

import (
	"bytes"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func TestBlockOnReady(t *testing.T) {
	if got := BlockOn(Ready(42)); got != 42 {
		t.Errorf("BlockOn(Ready(42)) = %d, want 42", got)
	}
}

// TestBlockOnWakeFromGoroutine: the executor sleeps until another goroutine
// wakes it.
func TestBlockOnWakeFromGoroutine(t *testing.T) {
	polls := 0
	f := pollFunc[string](func(w Waker) (string, bool) {
		polls++
		if polls == 3 {
			return "done", true
		}
		go w.Wake()
		return "", false
	})
	within(t, eventually, func() {
		if got := BlockOn(f); got != "done" || polls != 3 {
			t.Errorf("BlockOn = %q after %d polls, want \"done\" after 3", got, polls)
		}
	})
}

// TestWakeDuringPollNotLost: a wake that arrives while the task is being
// polled (here, from another goroutine, before Poll returns not ready) must
// cause another poll; losing it would hang the executor.
func TestWakeDuringPollNotLost(t *testing.T) {
	for range 1000 {
		polls := 0
		f := pollFunc[int](func(w Waker) (int, bool) {
			polls++
			if polls == 2 {
				return polls, true
			}
			done := make(chan struct{})
			go func() { w.Wake(); close(done) }()
			<-done // the wake has happened; this poll has not returned yet
			return 0, false
		})
		within(t, eventually, func() { BlockOn(f) })
	}
}

// TestWakeAfterFinishIgnored: Wakers of finished tasks may be called any
// number of times from anywhere; they do nothing.
func TestWakeAfterFinishIgnored(t *testing.T) {
	var kept Waker
	BlockOn(pollFunc[int](func(w Waker) (int, bool) { kept = w; return 1, true }))
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); kept.Wake() }()
	}
	wg.Wait()
	kept.Wake()
}

// TestSpawnRunsConcurrently: five tasks that each sleep d, spawned
// together, finish in far less than 5d (the margin is generous: under 3d).
func TestSpawnRunsConcurrently(t *testing.T) {
	const d = 200 * time.Millisecond
	var finished atomic.Int32
	start := time.Now()
	within(t, 20*time.Second, func() {
		BlockOn(async(func(a awaiter) struct{} {
			for range 5 {
				await(a, Spawn(async(func(a awaiter) struct{} {
					await(a, Sleep(d))
					finished.Add(1)
					return struct{}{}
				})))
			}
			return struct{}{}
		}))
	})
	elapsed := time.Since(start)
	if finished.Load() != 5 {
		t.Fatalf("%d of 5 spawned tasks finished before BlockOn returned", finished.Load())
	}
	if elapsed >= 3*d {
		t.Errorf("5 spawned sleeps of %v took %v; concurrently they take about %v", d, elapsed, d)
	}
	if elapsed < d {
		t.Errorf("5 spawned sleeps of %v took only %v", d, elapsed)
	}
}

func TestJoinHandle(t *testing.T) {
	got := BlockOn(async(func(a awaiter) int {
		var handles []*JoinHandle[int]
		for i := range 4 {
			handles = append(handles, await(a, Spawn(async(func(a awaiter) int {
				await(a, Sleep(time.Duration(4-i)*5*time.Millisecond))
				return i * i
			}))))
		}
		sum := 0
		for _, h := range handles {
			sum += await(a, h)
		}
		return sum
	}))
	if got != 0+1+4+9 {
		t.Errorf("sum of spawned results = %d, want 14", got)
	}
}

func TestSpawnWithoutExecutorPanics(t *testing.T) {
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), "not the Waker of an executor") {
			t.Errorf("Spawn polled with a NoopWaker: panic %v, want one explaining the Waker", p)
		}
	}()
	Spawn(Ready(1)).Poll(NoopWaker())
}

// TestTraceSpawnCountsDown: the book's chapter 8 c trace; main spawns tasks
// that end one after the other (the book's sleep for 1, 2 and 3 units), and
// the pending count goes down one by one. Timers would make the count depend
// on how fast the executor runs on a loaded machine (two could fire before it
// sleeps again): each task waits on a gate instead, and the trace's writer
// opens the next gate each time the executor says it sleeps.
func TestTraceSpawnCountsDown(t *testing.T) {
	traceMu.Lock()
	defer traceMu.Unlock()
	gates := []*gate{{}, {}, {}}
	var buf syncBuffer
	opened := 0
	SetTrace(writerFunc(func(p []byte) (int, error) {
		buf.Write(p)
		if bytes.Contains(p, []byte("Sleep until notified")) && opened < len(gates) {
			go gates[opened].open() // a wake from elsewhere, as a timer's
			opened++
		}
		return len(p), nil
	}), TraceExecutor)
	defer SetTrace(nil, 0)
	within(t, 20*time.Second, func() {
		BlockOn(async(func(a awaiter) struct{} {
			for _, g := range gates {
				await(a, Spawn[struct{}](g))
			}
			return struct{}{}
		}))
	})
	want := `main: 3 pending tasks. Sleep until notified.
main: 2 pending tasks. Sleep until notified.
main: 1 pending tasks. Sleep until notified.
main: All tasks are finished
`
	if out := buf.String(); out != want {
		t.Errorf("trace:\n%s\nwant:\n%s", out, want)
	}
}

// gate is a future that is ready once it is opened; open wakes the task
// that polled it.
type gate struct {
	mu     sync.Mutex
	isOpen bool
	waker  Waker
}

func (g *gate) Poll(w Waker) (struct{}, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.isOpen {
		return struct{}{}, true
	}
	g.waker = w
	return struct{}{}, false
}

func (g *gate) open() {
	g.mu.Lock()
	g.isOpen = true
	w := g.waker
	g.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestTraceOffByDefault(t *testing.T) {
	traceMu.Lock()
	defer traceMu.Unlock()
	if s := traceNow.Load(); s != nil {
		t.Fatalf("trace is on by default: %+v", *s)
	}
	if tracer(TraceExecutor) != nil || tracer(TraceFirstPoll) != nil {
		t.Fatal("tracer returned a writer with tracing off")
	}
}

// TestManyExecutorsShareReactor is the book's chapter 8 d: twelve OS
// threads, each with its own executor, each spawning five sleeping tasks,
// all on the one reactor. Each thread traces under its own name.
func TestManyExecutorsShareReactor(t *testing.T) {
	const d = 150 * time.Millisecond
	var finished atomic.Int32
	var out string
	start := time.Now()
	within(t, 30*time.Second, func() {
		out = withTrace(TraceExecutor, func() {
			var threads []*Thread[int]
			for i := range 12 {
				threads = append(threads, StartThread(fmt.Sprintf("thread-%d", i), async(func(a awaiter) int {
					for range 5 {
						await(a, Spawn(async(func(a awaiter) struct{} {
							await(a, Sleep(d))
							finished.Add(1)
							return struct{}{}
						})))
					}
					return i
				})))
			}
			for i, th := range threads {
				if got := th.Join(); got != i {
					t.Errorf("thread %d: Join() = %d", i, got)
				}
			}
		})
	})
	elapsed := time.Since(start)
	if finished.Load() != 60 {
		t.Errorf("%d of 60 tasks finished", finished.Load())
	}
	if elapsed >= 10*d {
		t.Errorf("12 threads x 5 sleeps of %v took %v; concurrently they take about %v", d, elapsed, d)
	}
	for i := range 12 {
		if line := fmt.Sprintf("thread-%d: All tasks are finished\n", i); strings.Count(out, line) != 1 {
			t.Errorf("trace has %q %d times, want once", line, strings.Count(out, line))
		}
	}
}

func TestThreadJoinRaisesPanic(t *testing.T) {
	th := StartThread("boom", pollFunc[int](func(Waker) (int, bool) { panic("task failed") }))
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "task failed") {
			t.Errorf("Join after a task panicked: recover() = %v", p)
		}
	}()
	th.Join()
}

func TestJoinAll(t *testing.T) {
	start := time.Now()
	const d = 100 * time.Millisecond
	var fs []Future[int]
	for i := range 5 {
		fs = append(fs, async(func(a awaiter) int {
			await(a, Sleep(time.Duration(5-i)*d/5))
			return i
		}))
	}
	got := BlockOn(JoinAll(fs))
	if !equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("JoinAll outputs %v, want in input order", got)
	}
	if elapsed := time.Since(start); elapsed >= 3*d {
		t.Errorf("JoinAll of sleeps up to %v took %v", d, elapsed)
	}
}

// TestSpawnBlocking: a blocking function runs on its own goroutine while
// the executor goes on with other tasks: here the blocking function waits
// for a task of the same executor, which would deadlock if it ran on the
// executor's goroutine.
func TestSpawnBlocking(t *testing.T) {
	release := make(chan struct{})
	within(t, eventually, func() {
		got := BlockOn(async(func(a awaiter) string {
			await(a, Spawn(async(func(a awaiter) struct{} {
				await(a, Sleep(10*time.Millisecond))
				close(release)
				return struct{}{}
			})))
			return await(a, SpawnBlocking(func() string {
				<-release // blocks this goroutine, not the executor
				return "unblocked"
			}))
		}))
		if got != "unblocked" {
			t.Errorf("SpawnBlocking result = %q", got)
		}
	})
}

func TestSpawnBlockingPanicReachesWaiter(t *testing.T) {
	defer func() {
		if p := recover(); fmt.Sprint(p) != "blocking work failed" {
			t.Errorf("recover() = %v, want the blocking function's panic", p)
		}
	}()
	BlockOn(SpawnBlocking(func() int { panic("blocking work failed") }))
}

func TestRaceFirstWinsLosersCancelled(t *testing.T) {
	long, short := Sleep(time.Hour), Sleep(10*time.Millisecond)
	var w Winner[struct{}]
	within(t, eventually, func() { w = BlockOn(Race[struct{}](long, short)) })
	if w.Index != 1 {
		t.Errorf("Race winner = %d, want 1 (the short sleep)", w.Index)
	}
	r := mustReactor()
	r.mu.Lock()
	armed := long.t.index >= 0
	r.mu.Unlock()
	if armed {
		t.Error("the losing sleep's timer is still in the reactor's heap")
	}
}

func TestTimeout(t *testing.T) {
	res := BlockOn(Timeout(20*time.Millisecond, Sleep(time.Hour)))
	if res.Err == nil || res.Err.Error() != "i/o timeout" {
		t.Errorf("Timeout over a 1 h sleep: Err = %v, want os.ErrDeadlineExceeded", res.Err)
	}
	res2 := BlockOn(Timeout(time.Hour, Ready(7)))
	if res2.Err != nil || res2.Value != 7 {
		t.Errorf("Timeout over Ready(7) = %+v", res2)
	}
	res3 := BlockOn(Deadline(time.Now().Add(-time.Second), Sleep(time.Hour)))
	if res3.Err == nil {
		t.Errorf("Deadline in the past over a 1 h sleep: no error")
	}
}

// TestReadyStackConcurrentPush: the lock-free stack of remotely woken tasks
// delivers every task pushed by concurrent producers exactly once, each
// producer's in order.
func TestReadyStackConcurrentPush(t *testing.T) {
	const producers, each = 4, 20000
	var s readyStack
	tasks := make([][]task, producers)
	index := make(map[*task][2]int)
	for p := range tasks {
		tasks[p] = make([]task, each)
		for i := range tasks[p] {
			index[&tasks[p][i]] = [2]int{p, i}
		}
	}
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tasks[p] {
				s.push(&tasks[p][i])
			}
		}()
	}
	next := make([]int, producers)
	for got := 0; got < producers*each; {
		for tk := s.take(); tk != nil; tk = tk.next {
			pi := index[tk]
			if pi[1] != next[pi[0]] {
				t.Fatalf("producer %d: took task %d, want %d", pi[0], pi[1], next[pi[0]])
			}
			next[pi[0]]++
			got++
		}
	}
	wg.Wait()
	if tk := s.take(); tk != nil || !s.empty() {
		t.Fatalf("after taking everything: take() = %p, empty() = %v", tk, s.empty())
	}
}

// TestWakeFromExecutorGoroutineIsLocal: a wake on the executor's own
// goroutine, during a poll, puts the task straight into the local run list
// (no remote push); a wake from another goroutine goes through the remote
// stack. Both lead to a poll.
func TestWakeFromExecutorGoroutineIsLocal(t *testing.T) {
	if goroutineID() == 0 {
		t.Skipf("no goroutine identity on %s (goroutine_other.go): every wake takes the remote path, which the other executor tests cover", goruntime.GOARCH)
	}
	polls := 0
	BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
		polls++
		tk := w.(*task)
		e := tk.exec
		switch polls {
		case 1:
			w.Wake()
			if e.local.head != tk || !e.remote.empty() || tk.state.Load() != taskIdle {
				t.Errorf("wake during the poll: in local list %v, remote stack empty %v, state %d; want true, true, idle",
					e.local.head == tk, e.remote.empty(), tk.state.Load())
			}
			w.Wake() // already ready: no second entry
			if e.local.tail != tk || tk.lnext != nil {
				t.Errorf("second wake queued the task twice")
			}
		case 2:
			done := make(chan struct{})
			go func() { w.Wake(); close(done) }()
			<-done
			if e.local.head != nil || e.remote.empty() || tk.state.Load() != taskQueued {
				t.Errorf("wake from another goroutine: local list empty %v, remote stack empty %v, state %d; want true, false, queued",
					e.local.head == nil, e.remote.empty(), tk.state.Load())
			}
		case 3:
			return struct{}{}, true
		}
		return struct{}{}, false
	}))
	if polls != 3 {
		t.Errorf("polls = %d, want 3", polls)
	}
}

// TestRemoteWakeNotStarvedByLocalWakes: two tasks handing a ball to each
// other wake each other locally without end; a task woken from another
// goroutine in the middle must still be polled promptly, in the order of
// the wakes, not after the ping-pong.
func TestRemoteWakeNotStarvedByLocalWakes(t *testing.T) {
	const handOffs, wakeAt = 1000, 100
	var (
		count    int   // hand-offs done
		watched  Waker // the waker of the remotely woken task
		polledAt = -1  // count when that task was polled after its wake
	)
	watcher := pollFunc[struct{}](func(w Waker) (struct{}, bool) {
		if watched == nil {
			watched = w
			return struct{}{}, false
		}
		polledAt = count
		return struct{}{}, true
	})
	var wakers [2]Waker
	player := func(me int) Future[struct{}] {
		return pollFunc[struct{}](func(w Waker) (struct{}, bool) {
			wakers[me] = w
			if count%2 != me {
				return struct{}{}, count >= handOffs
			}
			if count == wakeAt {
				done := make(chan struct{})
				go func() { watched.Wake(); close(done) }()
				<-done
			}
			count++
			if other := wakers[1-me]; other != nil {
				other.Wake()
			}
			return struct{}{}, count >= handOffs
		})
	}
	within(t, eventually, func() {
		BlockOn(pollFunc[struct{}](func(w Waker) (struct{}, bool) {
			Spawn(Future[struct{}](watcher)).Poll(w)
			Spawn(player(0)).Poll(w)
			Spawn(player(1)).Poll(w)
			return struct{}{}, true
		}))
	})
	// After the wake at hand-off wakeAt, the executor first polls the
	// player already woken, then the watcher.
	if polledAt < wakeAt || polledAt > wakeAt+2 {
		t.Errorf("remotely woken task polled after hand-off %d, woken during hand-off %d (of %d): want within 2",
			polledAt, wakeAt, handOffs)
	}
}

// TestNestedBlockOnWakesOuterTask: a BlockOn inside a poll runs a second
// executor on the same goroutine; a wake it gives to a task of the outer
// executor reaches that task.
func TestNestedBlockOnWakesOuterTask(t *testing.T) {
	polls := 0
	within(t, eventually, func() {
		BlockOn(pollFunc[int](func(outer Waker) (int, bool) {
			polls++
			if polls == 1 {
				BlockOn(pollFunc[int](func(Waker) (int, bool) {
					outer.Wake()
					return 0, true
				}))
				return 0, false
			}
			return polls, true
		}))
	})
	if polls != 2 {
		t.Errorf("outer task polled %d times, want 2", polls)
	}
}

// TestPanicLeavesNoOwner: when a poll panics out of run, the executor no
// longer counts its goroutine as its own, so a later wake from that
// goroutine takes the remote path (there is no poll in progress to pick up a
// local one).
func TestPanicLeavesNoOwner(t *testing.T) {
	e := newExecutor("t", nil)
	var kept Waker
	e.spawn(&spawned[int]{handle: &JoinHandle[int]{}, f: pollFunc[int](func(w Waker) (int, bool) {
		kept = w
		panic("boom")
	})})
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want boom", p)
			}
		}()
		e.run()
	}()
	if e.owner.Load() != 0 {
		t.Errorf("owner still set after the panic")
	}
	kept.Wake()
	if e.local.head != nil || e.remote.empty() {
		t.Errorf("wake after the panic: local list empty %v, remote stack empty %v; want true, false",
			e.local.head == nil, e.remote.empty())
	}
}

// TestLocalAndRemoteWakesTogether: 100 tasks each wait 50 times in turn on
// a spawned child (woken on the executor's goroutine when the child
// completes) and on SpawnBlocking (woken from the blocking function's
// goroutine); every value arrives. CI runs it with -race.
func TestLocalAndRemoteWakesTogether(t *testing.T) {
	const tasks, rounds = 100, 50
	var sums [tasks]int
	within(t, eventually, func() {
		BlockOn(async(func(a awaiter) struct{} {
			handles := make([]*JoinHandle[struct{}], tasks)
			for i := range tasks {
				handles[i] = await(a, Spawn(async(func(a awaiter) struct{} {
					for r := range rounds {
						h := await(a, Spawn(Ready(r)))
						sums[i] += await(a, h)
						sums[i] += await(a, SpawnBlocking(func() int { return r * 1000 }))
					}
					return struct{}{}
				})))
			}
			for _, h := range handles {
				await(a, h)
			}
			return struct{}{}
		}))
	})
	want := 1001 * rounds * (rounds - 1) / 2
	for i, s := range sums {
		if s != want {
			t.Fatalf("task %d: sum %d, want %d", i, s, want)
		}
	}
}

// TestTaskSize: a task is what every suspended coroutine costs besides its
// own machine (BenchmarkSuspendedTask); keep it in the 48-byte size class.
func TestTaskSize(t *testing.T) {
	if got, want := unsafe.Sizeof(task{}), 6*unsafe.Sizeof(uintptr(0)); got > want {
		t.Errorf("unsafe.Sizeof(task{}) = %d, want <= %d", got, want)
	}
}

// TestNestedBlockOnBlockingOuterTasksPanics: a BlockOn inside a poll that
// would have to sleep while the executor it blocks has other tasks (here the
// very task it waits for, which only that executor can run) panics with a
// message that says what to do, instead of hanging. The panic leaves nothing
// behind: a nested BlockOn that may sleep (its executor blocks no other
// task, as in the reference semantics) still works on the same goroutine.
func TestNestedBlockOnBlockingOuterTasksPanics(t *testing.T) {
	for _, tt := range []struct {
		name  string
		other func() Future[int] // a task of the outer executor
	}{
		{"waits for a ready outer task", func() Future[int] { return Ready(1) }},
		{"waits for an outer task woken by the reactor", func() Future[int] {
			return async(func(a awaiter) int { await(a, Sleep(time.Millisecond)); return 1 })
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p any
			within(t, eventually, func() {
				defer func() { p = recover() }()
				BlockOn(pollFunc[int](func(w Waker) (int, bool) {
					h, _ := Spawn(tt.other()).Poll(w)
					return BlockOnNamed("inner", h), true
				}))
			})
			msg := fmt.Sprint(p)
			for _, want := range []string{`BlockOn ("inner")`, `executor "main"`, ".wait", "Spawn"} {
				if !strings.Contains(msg, want) {
					t.Errorf("panic %q does not say %q", msg, want)
				}
			}
			var got int
			within(t, eventually, func() {
				got = BlockOn(Lazy(func() int {
					Await(Sleep(time.Millisecond))
					h := Await(Spawn(Lazy(func() int { Await(Sleep(time.Millisecond)); return 7 })))
					return Await[int](h) + Await(Ready(1))
				}))
			})
			if got != 8 {
				t.Errorf("nested BlockOns after the panic = %d, want 8", got)
			}
		})
	}
}
