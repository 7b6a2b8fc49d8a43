// Package fibers provides stackful coroutines (fibers, the book's "green
// threads"): functions that run on a stack of their own and can suspend
// anywhere, at any call depth, by calling Yield. A Runtime holds fibers and
// runs them round robin on one goroutine until all have finished:
//
//	rt, err := fibers.New(fibers.Config{Backend: fibers.Asm})
//	if err != nil { ... } // e.g. errors.Is(err, fibers.ErrUnsupported): use fibers.Pull
//	rt.Spawn(func(f *fibers.Fiber) {
//		for i := range 10 {
//			fmt.Println("thread:", f.ID(), "counter:", i)
//			f.Yield()
//		}
//	})
//	rt.Spawn(...)
//	rt.Run()
//
// This is the stackful contrast to the stackless coroutines corofy generates
// (state machines with a Poll method): a fiber needs a stack and a context
// switch, but no rewriting of the code that suspends. See
// examples/ch05-fibers for the book's demo.
//
// There are two backends with the same API and the same scheduling order:
//
//   - Asm: each fiber runs on a stack allocated by this package and is
//     switched by our own assembly (switch_amd64.s, switch_arm64.s). It is the
//     book's design, and the fast one: one Yield is one switch of a few
//     registers. But the Go runtime does not know these stacks, and the
//     price is a contract (below) that the compiler cannot check.
//   - Pull: each fiber is an iter.Pull coroutine, the Go runtime's own
//     stackful coroutine switch; a suspended fiber is a parked goroutine.
//     Garbage collection, stack growth, panics, runtime.Goexit, the race
//     detector, profiles and goroutine dumps all just work. It is the zero
//     value of Backend.
//
// # Which backend
//
// Use Pull for general code: anything that keeps pointers, strings, slices,
// maps or interfaces in local variables across a Yield, code you did not
// write, and anywhere Asm is not supported (AsmSupported reports why). Use
// Asm where switch cost matters and the fiber bodies are written for it:
// they follow the contract, their stack depth is known (no unbounded
// recursion), and their tests run under the checks listed in "Checking the
// contract". A round trip takes about 40% of the time of raw iter.Pull, and a
// Yield about a fifth of one on the Pull backend (BENCHMARKS.md). In memory it is
// not cheaper: a suspended Asm fiber costs at least one resident page of stack
// (about 4.3 KB with its heap objects), a Pull fiber or a parked goroutine
// about 2.8 KB, because goroutine stacks start at 2 KB and grow by copying,
// which fiber stacks cannot.
//
// # The contract (Asm backend)
//
// While a fiber is suspended, the garbage collector does not see its stack.
// A heap object whose only references are on a suspended fiber's stack (in
// its local variables, arguments, results, temporaries, or the closures of
// its deferred calls) may be freed while the fiber sleeps, and the fiber
// then reads freed, reused memory after it resumes. So:
//
//	Every heap value a fiber uses after a Yield must stay reachable from
//	outside that fiber's stack for as long as the fiber is suspended.
//
// Values that hold no pointers (numbers, booleans, structs and arrays of
// them) need nothing; neither do constants, globals, values reachable from
// globals or from the heap, and variables captured by the function passed to
// Spawn (the Fiber holds the closure). Everything else that crosses a Yield
// (a string built at run time, a slice, a map, a pointer to a new object, an
// interface) is kept with Keep, which holds it until the fiber finishes or
// calls Release:
//
//	name := fibers.Keep(f, fmt.Sprintf("worker %d", f.ID()))
//	buf := fibers.Keep(f, make([]byte, 4096))
//	f.Yield()
//	use(name, buf) // both still alive
//
// The running fiber's own stack is scanned normally, so between two Yields
// nothing is needed. Run's caller waits on an ordinary goroutine whose stack
// is scanned, so whatever it references stays alive. The GC may run at any
// moment of a Run (forced by runtime.GC, by another goroutine or by
// allocation); the contract makes that sound, and nothing else is needed.
//
// What the package enforces or detects: Yield panics when called on a fiber
// that is not the running one, from another goroutine (say, one the fiber
// started), or from a deferred call while a panic or Goexit unwinds the fiber;
// Run panics when called from a fiber; Spawn panics when called, while Run
// runs, from a goroutine other than the running fiber's (it would race with
// the scheduler and could lose fibers; detected on amd64 and arm64). (On the
// Pull backend, a Yield from another goroutine is not detected.) What it cannot detect is a value on a
// suspended stack that was not kept: the Go runtime gives no hook to scan such
// a stack, and a conservative scan from user code is itself unsound (a stale
// word in a pointer-typed slot is fatal to the GC).
//
// # Checking the contract
//
// Config.StressGC runs a full GC at every switch, so each suspended fiber
// sees many collections. With GODEBUG=clobberfree=1 the runtime fills freed
// objects with 0xdeadbeef, so a value that was not kept reads as garbage (or
// crashes) right after the next resume, deterministically, instead of
// corrupting memory once in a while. Run the tests of Asm fiber code that way,
// and also with GOGC=1, GODEBUG=gccheckmark=1 and -race. This package's
// TestContractBroken shows the failure it catches: a payload held only on a
// suspended stack reads back as 0xdeadbeefdeadbeef.
//
// # Panics, Goexit, stack overflow
//
// A panic in a fiber that the fiber does not recover stops the Run: every
// other started fiber is unwound (its pending Yield panics with an internal
// value, so its deferred calls run), fibers never started are dropped, and Run
// panics in its caller with a *PanicError that names the fiber and carries
// its stack. runtime.Goexit in a fiber (as in t.Fatal) unwinds the others the
// same way and then exits Run's caller with runtime.Goexit, so t.Fatal in a
// fiber fails the test like it would on the test goroutine.
//
// An Asm fiber's stack cannot grow. Config.StackSize sets its usable size
// (default DefaultStackSize, 64 KiB; untouched pages cost nothing). A fiber
// that needs more stops the process with the runtime's
//
//	fatal error: stack size not a power of 2
//
// and a traceback of the fiber, before anything is copied or freed: like a
// stack overflow in the book, fatal and unrecoverable, never silent. Pull
// fibers grow like any goroutine. When sizing, remember that the compiler puts
// values that do not escape on the stack, up to 64 KB for a make or new (more
// for declared arrays), and that builds without optimization (-gcflags=-N)
// use much bigger frames.
//
// # Theory of operation (Asm backend)
//
// The book's switch saves the callee-saved registers of the C ABI and swaps
// the stack pointer. Go's internal ABI keeps only SP and BP (and LR on
// arm64) across a call, so swtch saves and restores just those, and returns
// on the other stack into whoever called swtch there. That is not enough: the
// runtime describes the running goroutine's stack in its g, and checks it.
// swtch also swaps, in g:
//
//   - g.stack.lo and g.stack.hi, the stack bounds (left out: the first system
//     call dies with "fatal error: entersyscall");
//   - g.stackguard0, the limit every function prologue compares SP with: set
//     to lo+StackGuard of the new stack, unless it holds a pending
//     preemption request, which is kept (a 0 here would silently disable
//     overflow checks);
//   - g.stktopsp, the SP of the stack's top frame, which tracebacks check
//     (left out: "traceback did not unwind completely" at the next GC).
//
// switchContext, the Go function around swtch, swaps g._defer and g._panic
// (left out: a panic in one fiber runs another's deferred calls, or the
// scheduler's are skipped). It does that with ordinary assignments so that the
// GC's write barriers see the pointers move, and the saved defer chain of a
// suspended fiber is a pointer in the heap, which keeps its heap-allocated
// defer records alive. It is nosplit, which for the compiler means "no safe
// point": the goroutine cannot be stopped, so the GC cannot scan it, between
// the first write and the switch.
//
// A new fiber's stack is prepared so that the first switch into it returns
// into fiberStart, an assembly frame marked TOPFRAME (tracebacks and the GC
// stop there) and NO_LOCAL_POINTERS, whose SP is the fiber's g.stktopsp.
// fiberStart calls fiberEntry, which runs the function and then, like the
// book's guard, marks the fiber finished and switches away for good; the
// next side to run frees its stack. The book's skip trampoline is not needed:
// Go code does not assume 16-byte stack alignment.
//
// Fiber stacks are slots of large MAP_NORESERVE mappings (one mapping per
// fiber runs into the kernel's mapping limit near 32,700 fibers). Each slot
// claims more stack than it uses: an untouched gap above the entry frame, more
// than a third of the usable size, means the GC's stack shrinking never
// finds the stack a quarter used, so it never copies it to a runtime stack and
// frees ours; and the claimed size is never a power of two, so stack growth
// stops with the fatal error above before it frees or caches our memory.
//
// The scheduler runs on a goroutine of its own, started by Run. While a
// fiber runs, the runtime believes the goroutine's stack is the fiber's, so
// the scheduler's frames are invisible to the GC; they hold nothing that is
// not also reachable from the Runtime, which Run's waiting caller keeps.
// Yield switches straight to the next ready fiber (a symmetric switch, one
// per Yield, as in the book); control returns to the scheduler only when no
// fiber is ready or one failed.
//
// All of this depends on runtime internals: the offsets of those g fields,
// the value of StackGuard, the meaning of stackPreempt, TOPFRAME. The build
// is restricted to Go 1.26 and 1.27 (the releases whose runtime was compared
// with what the assembly expects; listed in verified.go) on linux and darwin,
// amd64 and arm64, and the first New with Backend Asm checks the version and
// the layout on a live goroutine; on any mismatch New returns an error
// wrapping ErrUnsupported instead of crashing.
// Suspended Asm fibers do not appear in goroutine dumps or profiles, the race
// detector works but shows garbled stacks, and cgo callbacks into a fiber are
// not supported. All fibers of a Run share one goroutine, so goroutine-local
// state (pprof labels, runtime.LockOSThread) is shared by them too. Fiber
// stacks are reused but never returned to the system: memory stays at the
// peak number of live fibers, one resident page or more each.
//
// # Pull backend
//
// A Pull fiber is iter.Pull(seq) where seq runs the function and passes its
// yield to Fiber.Yield. The switch is asymmetric (fiber <-> scheduler), so a
// Yield is two coroutine switches, and the scheduler resumes the next fiber
// with next(). iter.Pull already carries panics and Goexit from the
// coroutine to the caller of next.
package fibers
