package models

import (
	"fmt"
	"io"
	"time"

	"github.com/corofy/corofy/fibers"
)

// Fibers is the program with fibers: every task runs on a stack of its own,
// and all of them on one thread, switched by our assembly (or iter.Pull
// where the assembly is not supported here).
func Fibers(w io.Writer, d Delays) {
	rt := newFiberRuntime()
	c := newFiberClock()
	fmt.Fprintln(w, lineStart)
	c.spawn(rt, func(f *fibers.Fiber) {
		c.sleep(f, d.Long)
		fmt.Fprintln(w, lineLong)
	})
	c.spawn(rt, func(f *fibers.Fiber) {
		c.sleep(f, d.Chain)
		fmt.Fprintln(w, lineChain)
		t3 := c.spawn(rt, func(f *fibers.Fiber) {
			c.sleep(f, d.Like)
			fmt.Fprintln(w, lineLike)
		})
		c.join(f, t3)
	})
	fmt.Fprintln(w, lineRunning)
	rt.Run()
}

// newFiberRuntime returns a runtime on the assembly backend, or on iter.Pull
// where that is not supported.
func newFiberRuntime() *fibers.Runtime {
	rt, err := fibers.New(fibers.Config{Backend: fibers.Asm})
	if err != nil {
		rt, _ = fibers.New(fibers.Config{Backend: fibers.Pull})
	}
	return rt
}

// fiberClock is what the fibers need besides a scheduler: a clock. A fiber
// that sleeps yields until its time has come; when every live fiber is
// waiting (asleep, or joining another), the running one puts the thread to
// sleep until the earliest deadline instead of yielding round in a busy
// loop. (The book's chapter 5 runtime has no timers; this is the state it
// says a real one would add.)
type fiberClock struct {
	deadlines map[*fibers.Fiber]time.Time // the sleeping fibers
	joining   int                         // fibers waiting for another
	live      int
}

func newFiberClock() *fiberClock {
	return &fiberClock{deadlines: map[*fibers.Fiber]time.Time{}}
}

// spawn starts fn as a fiber of rt and returns the flag set when it ends.
func (c *fiberClock) spawn(rt *fibers.Runtime, fn func(f *fibers.Fiber)) *bool {
	done := new(bool)
	c.live++
	rt.Spawn(func(f *fibers.Fiber) {
		fn(f)
		c.live--
		*done = true
	})
	return done
}

// sleep suspends f for d.
func (c *fiberClock) sleep(f *fibers.Fiber, d time.Duration) {
	until := time.Now().Add(d)
	c.deadlines[f] = until
	for time.Now().Before(until) {
		c.idle()
		f.Yield()
	}
	delete(c.deadlines, f)
}

// join suspends f until the fiber whose flag is done has finished.
func (c *fiberClock) join(f *fibers.Fiber, done *bool) {
	c.joining++
	for !*done {
		c.idle()
		f.Yield()
	}
	c.joining--
}

// idle sleeps the thread until the earliest deadline if no fiber can run
// before then.
func (c *fiberClock) idle() {
	if len(c.deadlines) == 0 || len(c.deadlines)+c.joining < c.live {
		return
	}
	var earliest time.Time
	for _, t := range c.deadlines {
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
	}
	time.Sleep(time.Until(earliest))
}

// ParkFibers runs n fibers that each sleep d, calls parked once each has
// reached its sleep, and returns when all have finished.
func ParkFibers(n int, d time.Duration, parked func()) {
	rt := newFiberRuntime()
	c := newFiberClock()
	for range n {
		c.spawn(rt, func(f *fibers.Fiber) { c.sleep(f, d) })
	}
	// Runs after each of the n fibers has run to its first Yield.
	c.spawn(rt, func(*fibers.Fiber) { parked() })
	rt.Run()
}
