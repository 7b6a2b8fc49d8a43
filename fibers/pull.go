package fibers

import (
	"iter"
	"runtime"
)

// pullFiber is a fiber of the Pull backend: an iter.Pull coroutine whose
// sequence runs the fiber's function and whose yield is Fiber.Yield.
type pullFiber struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
}

// pullSpawn creates f's coroutine. It does not run until the first next.
func (rt *Runtime) pullSpawn(f *Fiber) {
	f.pull.next, f.pull.stop = iter.Pull(func(yield func(struct{}) bool) {
		f.pull.yield = yield
		rt.owner.Store(goroutineID()) // the fiber's coroutine may Spawn
		fiberMain(f)
	})
}

// pullYield hands control back to pullRun, which resumes the next fiber.
// The coroutine switch is asymmetric (fiber <-> scheduler), so one Yield costs
// two switches where the Asm backend needs one.
func (rt *Runtime) pullYield(f *Fiber) {
	if rt.stopping {
		panic(unwinding{}) // f swallowed the first one; never switch while unwinding
	}
	if rt.queue.len() == 0 {
		return // f is the only ready fiber
	}
	if rt.cfg.StressGC {
		runtime.GC()
	}
	more := f.pull.yield(struct{}{})
	rt.owner.Store(goroutineID()) // resumed: the fiber's coroutine may Spawn
	if !more {
		panic(unwinding{}) // pullUnwind called stop: unwind f
	}
}

// pullRun resumes fibers round robin on the calling goroutine until none is
// ready or one failed. A fiber's Goexit propagates out of next (iter.Pull
// re-raises it); the deferred pullUnwind then stops the other fibers before
// the Goexit continues in Run's caller.
func (rt *Runtime) pullRun() {
	defer rt.pullUnwind()
	for rt.failure == nil {
		f := rt.queue.pop()
		if f == nil {
			return
		}
		rt.current = f
		_, more := f.pull.next()
		rt.current = nil
		if more {
			rt.queue.push(f)
		} else {
			f.finish()
		}
	}
}

// pullUnwind stops every fiber still queued after a failure. Stopping a
// started fiber makes its Yield panic with unwinding{}, so its deferred calls
// run; a fiber never started never runs. Each stop runs on its own goroutine
// because iter.Pull re-raises a Goexit from the fiber in the caller of stop.
func (rt *Runtime) pullUnwind() {
	if f := rt.current; f != nil { // Goexit out of next: f is the fiber that exited
		f.finish()
		rt.current = nil
	}
	failure := rt.failure
	if failure == nil {
		return
	}
	rt.stopping = true
	for f := rt.queue.pop(); f != nil; f = rt.queue.pop() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.pull.stop()
		}()
		<-done
		f.finish()
	}
	if _, ok := failure.(goexit); ok {
		// The Goexit is already unwinding this goroutine (iter.Pull re-raised
		// it in next); Run's raise will not run, so reset here.
		rt.failure, rt.stopping = nil, false
	}
}
