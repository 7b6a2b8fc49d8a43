package fibers

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
)

// Backend selects how a Runtime switches between fibers.
// Backend implements flag.Value, so a command can expose it as a flag.
type Backend int

const (
	// Pull runs each fiber as an iter.Pull coroutine: a real goroutine that the
	// Go runtime switches to and from. It is the zero value because it is always
	// sound: no contract beyond ordinary Go.
	Pull Backend = iota
	// Asm runs each fiber on a stack allocated by this package, switched by our
	// own assembly. Faster and smaller, but only sound under the contract in the
	// package documentation ("The contract"), and only available where the
	// runtime layout it depends on was verified (see AsmSupported).
	Asm
)

// String returns "pull" or "asm".
func (b Backend) String() string {
	switch b {
	case Pull:
		return "pull"
	case Asm:
		return "asm"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// Set parses "pull" or "asm" into b.
func (b *Backend) Set(s string) error {
	switch s {
	case "pull":
		*b = Pull
	case "asm":
		*b = Asm
	default:
		return fmt.Errorf("unknown backend %q (want asm or pull)", s)
	}
	return nil
}

// DefaultStackSize is the usable stack size of an Asm fiber when
// Config.StackSize is zero. Only the pages a fiber touches become resident.
const DefaultStackSize = 64 << 10

// minStackSize is the smallest usable stack accepted: the runtime's guard
// area (StackGuard, up to 1728 bytes with -race) plus room for real frames.
const minStackSize = 8 << 10

// Config configures a Runtime. The zero value is valid (Pull backend).
type Config struct {
	// Backend chooses the switch. See the package documentation for when to
	// use which.
	Backend Backend

	// StackSize is the usable stack of each Asm fiber in bytes, rounded up to
	// whole pages; 0 means DefaultStackSize. Go code that needs more ends the
	// process with "fatal error: stack size not a power of 2" (see "Stack
	// overflow" in the package documentation). Ignored by Pull.
	StackSize int

	// StressGC makes every Yield run a full garbage collection (runtime.GC)
	// before switching away, so that each suspended fiber sees a collection
	// while it is suspended. It is a checking mode for tests: combined with
	// GODEBUG=clobberfree=1 it turns a broken contract into a crash or garbage
	// instead of a rare heisenbug. Slow; never for production.
	StressGC bool
}

// ErrUnsupported is wrapped by the error New returns when the Asm backend
// cannot run on this platform or Go version.
var ErrUnsupported = errors.New("fibers: asm backend not supported")

// Runtime holds fibers and runs them round robin on one goroutine.
//
// A Runtime is not safe for concurrent use: call Spawn before Run or from
// inside its fibers, and Run from one goroutine at a time. A Spawn from
// another goroutine while Run runs panics (on amd64 and arm64, where the
// package knows which goroutine runs the fibers).
type Runtime struct {
	cfg     Config
	queue   queue  // fibers ready to run, in round-robin order (not the current one)
	current *Fiber // the running fiber, nil on the scheduler side
	nextID  int
	running atomic.Bool

	// owner is the goroutine (goroutineID) the running fiber runs on while
	// Run runs: the only one that may Spawn then. Asm: the scheduler's
	// goroutine, for the whole Run; Pull: each fiber's coroutine, stored
	// whenever one is resumed.
	owner atomic.Uintptr

	// failure is the first panic or Goexit of a fiber in this Run; it stops
	// the Run. stopping is set while the remaining fibers are unwound.
	failure  any
	stopping bool

	asm asmRuntime // Asm backend state (empty where unsupported)
}

// Fiber is one stackful coroutine of a Runtime. It is passed to the function
// given to Spawn, which uses it to Yield.
type Fiber struct {
	rt    *Runtime
	id    int
	fn    func(*Fiber)
	state fiberState
	kept  []any

	pull pullFiber // Pull backend state
	asm  asmFiber  // Asm backend state
}

type fiberState uint8

const (
	ready    fiberState = iota // spawned, never run
	started                    // has run at least once
	finished                   // returned, panicked, exited or unwound
)

// New returns an empty Runtime. For the Asm backend it first verifies, once
// per process, that the Go runtime's layout is the one the assembly was written
// for; if not, or on a platform without the assembly, it returns an error
// wrapping ErrUnsupported and the caller can fall back to Pull.
func New(cfg Config) (*Runtime, error) {
	switch cfg.Backend {
	case Pull:
	case Asm:
		if err := AsmSupported(); err != nil {
			return nil, err
		}
		if cfg.StackSize < 0 {
			return nil, fmt.Errorf("fibers: negative StackSize %d", cfg.StackSize)
		}
		if cfg.StackSize == 0 {
			cfg.StackSize = DefaultStackSize
		}
		if cfg.StackSize < minStackSize {
			cfg.StackSize = minStackSize
		}
	default:
		return nil, fmt.Errorf("fibers: unknown backend %v", cfg.Backend)
	}
	return &Runtime{cfg: cfg}, nil
}

// Backend reports which backend rt uses.
func (rt *Runtime) Backend() Backend { return rt.cfg.Backend }

// Spawn adds a fiber that will run fn(f) when Run schedules it and returns it.
// Fibers are numbered from 1 in spawn order. Spawn may be called before Run
// or from inside a running fiber of rt, never from another goroutine while
// Run runs: that would race with the scheduler, and lose fibers. Spawn
// detects it (two atomic loads) and panics. To start fibers from other
// goroutines, pass the work to a fiber of rt, which spawns them.
func (rt *Runtime) Spawn(fn func(f *Fiber)) *Fiber {
	if fn == nil {
		panic("fibers: Spawn of nil function")
	}
	if rt.running.Load() {
		if id := goroutineID(); id != 0 && id != rt.owner.Load() {
			panic("fibers: Spawn called from a goroutine other than the running fiber's while the Runtime runs; " +
				"only its fibers may spawn during Run (spawn before Run, or pass the work to a fiber that spawns)")
		}
	}
	rt.nextID++
	f := &Fiber{rt: rt, id: rt.nextID, fn: fn}
	if rt.cfg.Backend == Asm {
		rt.asmSpawn(f)
	} else {
		rt.pullSpawn(f)
	}
	rt.queue.push(f)
	return f
}

// Run runs the fibers round robin until all of them have finished, including
// those spawned while it runs. It must not be called from inside a fiber.
//
// If a fiber panics, Run stops scheduling: every other started fiber is
// unwound (its Yield panics with an internal value, so its deferred calls
// run), fibers never started are dropped, and Run panics with a *PanicError
// naming the fiber. If a fiber calls runtime.Goexit (as t.FailNow does), the
// others are unwound the same way and Run calls runtime.Goexit.
func (rt *Runtime) Run() {
	if !rt.running.CompareAndSwap(false, true) {
		panic("fibers: Run called while the Runtime is already running (from a fiber, or from two goroutines)")
	}
	defer func() { // also when a fiber's Goexit unwinds Run (Pull)
		rt.owner.Store(0)
		rt.running.Store(false)
	}()
	if rt.cfg.Backend == Asm {
		rt.asmRun()
	} else {
		rt.pullRun()
	}
	rt.raise()
}

// raise re-raises in Run's caller the failure that stopped the run.
func (rt *Runtime) raise() {
	failure := rt.failure
	rt.failure, rt.stopping = nil, false
	switch failure := failure.(type) {
	case nil:
	case *PanicError:
		panic(failure)
	case goexit:
		runtime.Goexit()
	}
}

// ID returns the fiber's number: 1 for the first fiber spawned on its Runtime.
func (f *Fiber) ID() int { return f.id }

// Yield suspends the calling fiber and resumes the next ready one, round
// robin. It returns when the fiber is scheduled again; if no other fiber is
// ready it returns at once.
//
// It must be called by the fiber f itself, on the goroutine running it, and
// not from a deferred call while a panic or Goexit unwinds the fiber. Yield
// panics when f is not the running fiber (both backends), and on the Asm
// backend also when called from another goroutine or during unwinding. The
// Pull backend cannot detect a Yield from another goroutine (iter.Pull would
// make that goroutine the coroutine): never do it.
func (f *Fiber) Yield() {
	rt := f.rt
	if rt.current != f {
		panic("fibers: Yield called on a fiber that is not running (wrong *Fiber, or outside Run)")
	}
	if rt.cfg.Backend == Asm {
		rt.asmYield(f)
	} else {
		rt.pullYield(f)
	}
}

// Keep keeps v reachable by the garbage collector until the fiber finishes or
// calls Release. On the Asm backend this is how a fiber keeps a heap value it
// uses after a Yield alive (see "The contract" in the package documentation).
// On the Pull backend it only records v, with the same lifetime.
func (f *Fiber) Keep(v any) { f.kept = append(f.kept, v) }

// Release drops every value kept with Keep. Call it only when none of them is
// used after the next Yield.
func (f *Fiber) Release() {
	clear(f.kept)
	f.kept = f.kept[:0]
}

// Keep is f.Keep(v) returning v, for use in declarations:
//
//	name := fibers.Keep(f, fmt.Sprint("worker ", f.ID()))
func Keep[T any](f *Fiber, v T) T {
	f.Keep(v)
	return v
}

// fiberMain runs f's function on the fiber (asm: called from the assembly
// entry frame; pull: the body of the iter.Pull sequence). A panic is
// recovered and recorded as the run's failure; a Goexit is recorded and, on
// the Asm backend, leaves the fiber for good from inside the deferred call
// (Goexit cannot be stopped, and letting it reach the bottom of our stack would
// free our stack as if it were the goroutine's).
func fiberMain(f *Fiber) {
	returned := false
	defer func() {
		if returned {
			return
		}
		r := recover()
		f.rt.recordFailure(f, r)
		if r == nil { // runtime.Goexit (panic(nil) is a *runtime.PanicNilError)
			f.rt.goexitFromFiber(f)
		}
	}()
	f.state = started
	f.fn(f)
	returned = true
}

// finish marks f finished and drops what it kept.
func (f *Fiber) finish() {
	f.state = finished
	f.fn = nil
	f.Release()
	f.kept = nil
}
