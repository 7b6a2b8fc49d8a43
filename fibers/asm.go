//go:build (amd64 || arm64) && (linux || darwin) && go1.26 && !go1.28

package fibers

import (
	"runtime"
	"unsafe"
)

// context is one side of a switch: what swtch saves for the side that leaves
// and restores for the side that resumes. Keep in sync with switch_*.s, which
// reads the offsets from go_asm.h (context_sp, ...).
type context struct {
	sp    uintptr // amd64: SP pointing at the return PC; arm64: SP at the call
	bp    uintptr // frame pointer (BP on amd64, R29 on arm64)
	pc    uintptr // arm64 only: the return address (LR) to resume at
	lo    uintptr // g.stack.lo of this side's stack
	hi    uintptr // g.stack.hi
	topsp uintptr // g.stktopsp: SP of this stack's top frame

	// g._defer and g._panic of a suspended side. They are pointers so that
	// heap-allocated defer records of a suspended fiber stay reachable; they
	// are written by switchContext with write barriers, not by the assembly,
	// and cleared when the side resumes (a stale pointer into a stack the
	// runtime has since moved must never be left in the heap).
	deferp unsafe.Pointer
	panicp unsafe.Pointer
}

// asmRuntime is the Asm backend's part of a Runtime.
type asmRuntime struct {
	base   context        // the scheduler goroutine's own stack while a fiber runs
	g      unsafe.Pointer // the goroutine running the fibers, during Run
	stacks *stackPool
	dead   *Fiber // a finished fiber whose stack is freed by the next side to run
}

// asmFiber is the Asm backend's part of a Fiber.
type asmFiber struct {
	ctx   context
	stack stackSlot
}

// Implemented in switch_$GOARCH.s.

// getgp returns the running goroutine's g.
func getgp() unsafe.Pointer

// fiberStartPC returns the address of fiberStart.
func fiberStartPC() uintptr

// swtch saves the running side into from and resumes the side saved in to.
//
//go:noescape
func swtch(from, to *context)

// fiberStart is the entry frame of every fiber; never called from Go.
func fiberStart()

// switchContext leaves the running side (saved into from) and resumes to.
// gp is the running goroutine's g. It returns when some other side switches
// back to from.
//
// It is nosplit, which for the compiler also means "no safe point": between
// the first write to g and the return from swtch the goroutine cannot be
// preempted, so the garbage collector never sees the stack of one side with
// the defer chain of the other. The pointer moves are Go assignments so that
// they get write barriers; the assembly only moves words the GC does not trace.
//
//go:nosplit
func switchContext(gp unsafe.Pointer, from, to *context) {
	deferp := (*unsafe.Pointer)(unsafe.Add(gp, gDefer))
	panicp := (*unsafe.Pointer)(unsafe.Add(gp, gPanic))
	from.deferp, from.panicp = *deferp, *panicp
	*deferp, *panicp = to.deferp, to.panicp
	to.deferp, to.panicp = nil, nil
	swtch(from, to)
}

// asmSpawn gives f a stack whose first switch enters fiberStart.
func (rt *Runtime) asmSpawn(f *Fiber) {
	if rt.asm.stacks == nil {
		rt.asm.stacks = stackPoolFor(uintptr(rt.cfg.StackSize))
	}
	f.asm.stack = rt.asm.stacks.get()
	initContext(&f.asm.ctx, f.asm.stack, f)
}

// asmRun runs the scheduler on a goroutine of its own. While a fiber runs,
// the runtime believes the goroutine's stack is the fiber's, so the frames of
// the scheduler side are invisible to the GC; they belong to a goroutine that
// holds nothing else, and Run's caller stays an ordinary blocked goroutine
// whose stack keeps the Runtime and everything it references alive.
func (rt *Runtime) asmRun() {
	done := make(chan struct{})
	go rt.asmSchedule(done)
	<-done
}

func (rt *Runtime) asmSchedule(done chan<- struct{}) {
	defer close(done)
	rt.asm.g = getgp()
	rt.owner.Store(goroutineID()) // every fiber runs on this goroutine
	defer rt.owner.Store(0)
	if f := rt.queue.pop(); f != nil {
		rt.current = f
		switchContext(rt.asm.g, &rt.asm.base, &f.asm.ctx)
		rt.reap()
	}
	// Back on the scheduler: every fiber finished, or one failed.
	rt.current = nil
	if rt.failure != nil {
		rt.asmUnwind()
	}
	rt.asm.g = nil
}

// asmUnwind resumes each started fiber once with rt.stopping set, so its
// Yield panics and its deferred calls run; it comes back here through
// asmExit. Fibers never started are dropped.
func (rt *Runtime) asmUnwind() {
	rt.stopping = true
	for f := rt.queue.pop(); f != nil; f = rt.queue.pop() {
		if f.state == ready {
			rt.asm.stacks.put(f.asm.stack)
			f.finish()
			continue
		}
		rt.current = f
		switchContext(rt.asm.g, &rt.asm.base, &f.asm.ctx)
		rt.reap()
	}
	rt.current = nil
}

// asmYield switches straight to the next ready fiber (a symmetric switch, as
// in the book): one switch per Yield.
func (rt *Runtime) asmYield(f *Fiber) {
	gp := getgp()
	if gp != rt.asm.g {
		panic("fibers: Yield called from a goroutine other than the one running the fiber")
	}
	if *(*unsafe.Pointer)(unsafe.Add(gp, gPanic)) != nil {
		panic("fibers: Yield called while a panic or runtime.Goexit unwinds the fiber")
	}
	if rt.stopping {
		panic(unwinding{}) // f swallowed the first one; never switch while unwinding
	}
	next := rt.queue.pop()
	if next == nil {
		return // f is the only ready fiber
	}
	if rt.cfg.StressGC {
		runtime.GC()
	}
	rt.queue.push(f)
	rt.current = next
	switchContext(gp, &f.asm.ctx, &next.asm.ctx)
	rt.reap()
	if rt.stopping {
		panic(unwinding{})
	}
}

// fiberEntry is the first Go frame of every fiber, called by fiberStart with
// the fiber on its own stack. It runs the fiber's function, then does what the
// book's guard does: mark the fiber finished and switch away for good.
func fiberEntry(f *Fiber) {
	f.rt.reap()
	fiberMain(f)
	f.rt.asmExit(f)
}

// asmExit leaves the finished fiber f for good: to the next ready fiber, or
// to the scheduler when none is ready or the run is failing. It never returns.
func (rt *Runtime) asmExit(f *Fiber) {
	f.finish()
	// f's stack cannot be freed while we still run on it; the side we switch
	// to frees it (reap), before anything can reuse it.
	rt.asm.dead = f
	to := &rt.asm.base
	if rt.failure == nil && !rt.stopping {
		if next := rt.queue.pop(); next != nil {
			rt.current = next
			to = &next.asm.ctx
		}
	}
	switchContext(rt.asm.g, &f.asm.ctx, to)
	panic("fibers: internal error: finished fiber resumed")
}

// reap frees the stack of the fiber that just left for good, if any. Every
// side calls it right after its switchContext returns.
func (rt *Runtime) reap() {
	if f := rt.asm.dead; f != nil {
		rt.asm.dead = nil
		rt.asm.stacks.put(f.asm.stack)
		f.asm.stack, f.asm.ctx = stackSlot{}, context{}
	}
}

// goexitFromFiber is called by fiberMain's deferred call when f called
// runtime.Goexit. On the Asm backend the Goexit must never reach the bottom of
// our stack (the runtime would free it as the goroutine's), so the fiber
// leaves from inside the deferred call; Run re-raises the Goexit in its caller.
func (rt *Runtime) goexitFromFiber(f *Fiber) {
	if rt.cfg.Backend == Asm {
		rt.asmExit(f)
	}
}
