package models

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
)

// Threads is the book's program as it writes it: every task an OS thread
// that sleeps (std::thread::spawn, sleep, join).
func Threads(w io.Writer, d Delays) {
	fmt.Fprintln(w, lineStart)
	t1 := spawnThread(func() {
		time.Sleep(d.Long)
		fmt.Fprintln(w, lineLong)
	})
	t2 := spawnThread(func() {
		time.Sleep(d.Chain)
		fmt.Fprintln(w, lineChain)
		t3 := spawnThread(func() {
			time.Sleep(d.Like)
			fmt.Fprintln(w, lineLike)
		})
		t3.Wait()
	})
	fmt.Fprintln(w, lineRunning)
	t1.Wait()
	t2.Wait()
}

// spawnThread runs f on an OS thread of its own and returns what to wait
// on to join it. The goroutine is locked to its thread and never unlocks:
// when it returns, Go ends the thread, as a Rust thread ends.
func spawnThread(f func()) *sync.WaitGroup {
	var done sync.WaitGroup
	done.Go(func() {
		runtime.LockOSThread()
		f()
	})
	return &done
}

// ParkThreads starts n threads that each sleep d, calls parked once all
// have started, and returns when all have finished.
func ParkThreads(n int, d time.Duration, parked func()) {
	var started sync.WaitGroup
	started.Add(n)
	threads := make([]*sync.WaitGroup, n)
	for i := range threads {
		threads[i] = spawnThread(func() {
			started.Done()
			time.Sleep(d)
		})
	}
	started.Wait()
	parked()
	for _, t := range threads {
		t.Wait()
	}
}
