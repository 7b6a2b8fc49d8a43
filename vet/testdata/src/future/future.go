// Package future has futures that are dropped, in plain Go and in
// coroutines, and futures that are not.
package future

import (
	"fmt"

	"github.com/corofy/corofy/runtime"
)

// leaf is a hand-written future.
type leaf struct{ n int }

func (l *leaf) Poll(runtime.Waker) (int, bool) { return l.n, true }

func newLeaf(n int) *leaf { return &leaf{n} }

func pair() (runtime.Future[int], error) { return runtime.Ready(1), nil }

// A package-level assertion is not a dropped future.
var _ runtime.Future[int] = newLeaf(100)

func dropped() error {
	newLeaf(1)                // want `^newLeaf returns a future that is never waited, polled or spawned: futures are lazy, so the call does nothing; run it with runtime.BlockOn, spawn it with runtime.Spawn, or wait on it in a coroutine$`
	_ = runtime.Ready(2)      // want `^runtime.Ready returns a future that is never waited`
	var _ = newLeaf(3)        // want `^newLeaf returns a future`
	_, err := pair()          // want `^pair returns a future`
	go newLeaf(4)             // want `^newLeaf returns a future`
	defer newLeaf(5)          // want `^newLeaf returns a future`
	runtime.Spawn(newLeaf(6)) // want `^runtime.Spawn returns a future`
	(newLeaf(7))              // want `^newLeaf returns a future`
	func() {
		request(8) // want `^request returns a future`
	}()
	var f runtime.Future[int]
	f.Poll(runtime.NoopWaker()) // the results of Poll are not a future
	return err
}

func kept() runtime.Future[int] {
	f := newLeaf(1)
	fmt.Println(runtime.BlockOn(f))
	fs := []runtime.Future[int]{newLeaf(2), request(3)}
	runtime.BlockOn(runtime.JoinAll(fs))
	newLeaf(3).Poll(runtime.NoopWaker())
	get := runtime.HTTPGet("localhost:1", "/")
	get.Limit(10) // a setter that returns its receiver
	runtime.BlockOn(get)
	var g runtime.Future[int]
	g = newLeaf(4)
	_ = runtime.BlockOn(g)
	_ = runtime.Future[int](nil)
	return newLeaf(5)
}

func handles() {
	h := runtime.BlockOn(runtime.Spawn(newLeaf(1)))
	_ = h
	_ = runtime.BlockOn(runtime.Spawn(newLeaf(2))) // a task runs without its handle
}
