// Package models is the book's first program written four ways: with OS
// threads, fibers, callbacks and coroutines, the four models of chapter 2.
//
// The program: three timed tasks. The first waits 200 ms, the second
// 100 ms and then starts a third that waits 50 ms (see [BookDelays]); while
// they wait, the program goes on. Whatever the model, it prints
//
//	So, we start the program here!
//	The tasks run concurrently!
//	We can chain callbacks…
//	…like this!
//	The long running tasks finish last!
//
// The models differ in who keeps a waiting task and what it costs:
//
//   - [Threads] (threads.go): each task is an OS thread (a goroutine locked
//     to one), and waiting is the thread sleeping in the kernel. No runtime
//     of ours at all; the operating system schedules.
//   - [Fibers] (fibers.go): each task is a fiber of package fibers, with a
//     stack of its own, on one thread. A fiber waits by yielding until its
//     time has come; the scheduler is ours, and so is the timer list.
//   - [Callbacks] (callbacks.go): a task is a function to call later. A
//     small event loop, JavaScript's in miniature, keeps the callbacks and
//     calls each when its timer, one of the runtime's reactor timers, fires.
//     Chaining is nesting one callback in another.
//   - [Coroutines] (coroutines.gocoro): each task is a coroutine, a state
//     machine corofy generated (coroutines_corofied.go) that the runtime's
//     executor polls; waiting is .wait on runtime.Sleep. The code reads like
//     the threads version, and a waiting task is a few dozen bytes.
//
// Each model also has a Park function, which the measure command uses:
// n tasks of the model waiting at once, to measure what a waiting task
// costs.
package models

//go:generate go run github.com/corofy/corofy/cmd/corofy -sparse coroutines.gocoro

import "time"

// Delays are the waits of the three tasks.
type Delays struct {
	Long  time.Duration // the long-running task
	Chain time.Duration // the task that chains another
	Like  time.Duration // the chained task
}

// BookDelays are the book's: 200, 100 and 50 ms. The program's order
// depends on them: the chained task ends at 100+50 ms, 50 ms before the
// long-running one. On a heavily loaded machine a thread can wake that late;
// multiply them ([Delays.Times]) for a wider margin.
var BookDelays = Delays{Long: 200 * time.Millisecond, Chain: 100 * time.Millisecond, Like: 50 * time.Millisecond}

// Times returns d with every delay multiplied by k.
func (d Delays) Times(k int) Delays {
	return Delays{Long: d.Long * time.Duration(k), Chain: d.Chain * time.Duration(k), Like: d.Like * time.Duration(k)}
}

// The book's lines.
const (
	lineStart   = "So, we start the program here!"
	lineRunning = "The tasks run concurrently!"
	lineChain   = "We can chain callbacks…"
	lineLike    = "…like this!"
	lineLong    = "The long running tasks finish last!"
)
