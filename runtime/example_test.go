//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/corofy/corofy/runtime"
)

// countdown is a future written by hand: it is not ready n times (each
// time waking its waker, so that it is polled again), then ready.
type countdown struct{ n int }

func (c *countdown) Poll(w runtime.Waker) (string, bool) {
	if c.n > 0 {
		c.n--
		w.Wake()
		return "", false
	}
	return "liftoff", true
}

// A future is polled until it is ready. Here by hand, with a Waker that does
// nothing; an executor such as BlockOn does it for you.
func ExampleFuture() {
	var f runtime.Future[string] = &countdown{n: 2}
	for {
		v, ready := f.Poll(runtime.NoopWaker())
		fmt.Printf("%q %v\n", v, ready)
		if ready {
			break
		}
	}
	// Output:
	// "" false
	// "" false
	// "liftoff" true
}

func ExampleBlockOn() {
	fmt.Println(runtime.BlockOn[string](&countdown{n: 3}))
	// Output: liftoff
}

// JoinAll polls its futures concurrently and completes with their values
// in the order given.
func ExampleJoinAll() {
	all := runtime.BlockOn(runtime.JoinAll([]runtime.Future[string]{
		&countdown{n: 2},
		runtime.Ready("ready at once"),
		&countdown{n: 0},
	}))
	fmt.Println(strings.Join(all, ", "))
	// Output: liftoff, ready at once, liftoff
}

// Race completes with the first future to be ready, and drops the others.
func ExampleRace() {
	winner := runtime.BlockOn(runtime.Race[string](&countdown{n: 5}, &countdown{n: 1}))
	fmt.Println(winner.Index, winner.Value)
	// Output: 1 liftoff
}

// Sleep is a timer of the reactor: the executor sleeps until it fires.
func ExampleSleep() {
	start := time.Now()
	runtime.BlockOn(runtime.Sleep(20 * time.Millisecond))
	fmt.Println(time.Since(start) >= 20*time.Millisecond)
	// Output: true
}

// Timeout gives a future a time limit; past it, the future is cancelled and
// the result carries os.ErrDeadlineExceeded.
func ExampleTimeout() {
	r := runtime.BlockOn(runtime.Timeout(10*time.Millisecond, runtime.Sleep(time.Hour)))
	fmt.Println(errors.Is(r.Err, os.ErrDeadlineExceeded))
	// Output: true
}

// Spawn starts a task on the executor that polls it and is ready at once
// with a JoinHandle. In a coroutine it is written
// runtime.Spawn(f).wait; BlockOn returns when the spawned task has
// finished too, and the handle gives its value.
func ExampleSpawn() {
	handle := runtime.BlockOn(runtime.Spawn[string](&countdown{n: 3}))
	fmt.Println(runtime.BlockOn[string](handle))
	// Output: liftoff
}

// SpawnBlocking runs code that blocks on a goroutine of its own, so that
// the executor's other tasks go on.
func ExampleSpawnBlocking() {
	sum := runtime.BlockOn(runtime.SpawnBlocking(func() int {
		total := 0
		for i := range 1000 {
			total += i
		}
		return total
	}))
	fmt.Println(sum)
	// Output: 499500
}

// Several results travel in a tuple; a, b := f.wait unpacks it.
func ExampleTuple2Of() {
	f := runtime.Ready(runtime.Tuple2Of(42, "answer"))
	n, s := runtime.BlockOn(f).Unpack()
	fmt.Println(n, s)
	// Output: 42 answer
}
