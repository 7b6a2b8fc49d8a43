package runtime

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
// of increasing delay, and the pending count goes down one by one.
func TestTraceSpawnCountsDown(t *testing.T) {
	const step = 80 * time.Millisecond
	var out string
	within(t, 20*time.Second, func() {
		out = withTrace(TraceExecutor, func() {
			BlockOn(async(func(a awaiter) struct{} {
				for i := range 3 {
					await(a, Spawn(Sleep(time.Duration(i+1)*step)))
				}
				return struct{}{}
			}))
		})
	})
	want := `main: 3 pending tasks. Sleep until notified.
main: 2 pending tasks. Sleep until notified.
main: 1 pending tasks. Sleep until notified.
main: All tasks are finished
`
	if out != want {
		t.Errorf("trace:\n%s\nwant:\n%s", out, want)
	}
}

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

// TestReadyQueueConcurrentPush: the lock-free ready queue delivers every
// task pushed by concurrent producers exactly once, each producer's in order.
func TestReadyQueueConcurrentPush(t *testing.T) {
	const producers, each = 4, 20000
	var q readyQueue
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
				q.push(&tasks[p][i])
			}
		}()
	}
	next := make([]int, producers)
	for got := 0; got < producers*each; {
		tk := q.pop()
		if tk == nil {
			continue
		}
		pi := index[tk]
		if pi[1] != next[pi[0]] {
			t.Fatalf("producer %d: popped task %d, want %d", pi[0], pi[1], next[pi[0]])
		}
		next[pi[0]]++
		got++
	}
	wg.Wait()
	if tk := q.pop(); tk != nil || !q.empty() {
		t.Fatalf("after popping everything: pop() = %p, empty() = %v", tk, q.empty())
	}
}
