//go:build (amd64 || arm64) && (linux || darwin) && go1.26 && !go1.28

package fibers

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// The Go runtime's g (runtime/runtime2.go, type g) as of Go 1.26 and 1.27,
// identical in both and on amd64 and arm64 (the offsets agree with the DWARF
// of binaries built by each release for linux and darwin, amd64 and arm64).
// These are runtime internals, not an API: the build is restricted to the
// releases in verified.go by the constraint above, and AsmSupported checks
// them against a live goroutine before the first Asm runtime is created. The
// assembly reads them from go_asm.h as const_gStackLo and so on.
const (
	gStackLo     = 0   // g.stack.lo: lowest address of the stack
	gStackHi     = 8   // g.stack.hi: one past the highest address
	gStackguard0 = 16  // g.stackguard0: lo+stackGuard, or stackPreempt
	gStackguard1 = 24  // g.stackguard1: ^0 on user goroutines
	gPanic       = 32  // g._panic: innermost panic, lives on the stack
	gDefer       = 40  // g._defer: innermost defer record, stack or heap
	gM           = 48  // g.m: the thread running the goroutine
	gStktopsp    = 128 // g.stktopsp: SP of the top frame, checked by traceback

	// stackPreempt is runtime.stackPreempt as a signed word (uintptrMask &
	// -1314): the stackguard0 value that asks the goroutine to stop at its
	// next function call.
	stackPreempt = -1314
)

// stackPreemptWord is stackPreempt as the uintptr stored in g.stackguard0.
const stackPreemptWord = ^uintptr(-stackPreempt - 1)

var asmCheck struct {
	once sync.Once
	err  error
}

// AsmSupported reports whether the Asm backend can run here: nil, or an error
// wrapping ErrUnsupported that says why. The first call checks the Go version
// and the runtime layout the assembly depends on, on a fresh goroutine.
func AsmSupported() error {
	asmCheck.once.Do(func() {
		v := runtime.Version()
		if !asmVerifiedRelease(v) {
			asmCheck.err = fmt.Errorf("%w: built for and verified with %s, running %s", ErrUnsupported, asmVerifiedGoText(), v)
			return
		}
		done := make(chan error)
		go func() { done <- checkLayout(getgp()) }()
		if err := <-done; err != nil {
			asmCheck.err = fmt.Errorf("%w: the runtime layout of %s (%s/%s) differs from the verified one: %v",
				ErrUnsupported, v, runtime.GOOS, runtime.GOARCH, err)
		}
	})
	return asmCheck.err
}

// word reads the machine word at offset off of the g gp.
func word(gp unsafe.Pointer, off uintptr) uintptr {
	return *(*uintptr)(unsafe.Add(gp, off))
}

// checkLayout checks every g field the switch touches against what a fresh
// goroutine gp (the caller's own, without defers or panics) must contain.
func checkLayout(gp unsafe.Pointer) error {
	var local int
	sp := uintptr(unsafe.Pointer(&local))
	lo, hi := word(gp, gStackLo), word(gp, gStackHi)
	if !(lo < sp && sp < hi) {
		return fmt.Errorf("g.stack [%#x, %#x) does not contain the stack (%#x)", lo, hi, sp)
	}
	if size := hi - lo; size&(size-1) != 0 || size < 2048 {
		return fmt.Errorf("g.stack size %d is not a power of two >= 2048", size)
	}
	if g0 := word(gp, gStackguard0); g0 != lo+stackGuard && g0 != stackPreemptWord {
		return fmt.Errorf("g.stackguard0 = %#x, want lo+%d = %#x", g0, stackGuard, lo+stackGuard)
	}
	if g1 := word(gp, gStackguard1); g1 != ^uintptr(0) {
		return fmt.Errorf("g.stackguard1 = %#x, want ^0", g1)
	}
	if word(gp, gM) == 0 {
		return fmt.Errorf("g.m is nil on a running goroutine")
	}
	if top := word(gp, gStktopsp); !(sp < top && top < hi && hi-top <= 256) {
		return fmt.Errorf("g.stktopsp = %#x, want just below g.stack.hi %#x", top, hi)
	}
	if p, d := word(gp, gPanic), word(gp, gDefer); p != 0 || d != 0 {
		return fmt.Errorf("g._panic = %#x, g._defer = %#x on a fresh goroutine, want 0", p, d)
	}
	if err := checkDefer(gp, 1); err != nil {
		return err
	}
	return checkPanic(gp)
}

// checkDefer checks that a defer inside a loop (never open-coded, so a heap
// record) is linked from g._defer.
func checkDefer(gp unsafe.Pointer, n int) error {
	for range n {
		defer func() {}()
	}
	if word(gp, gDefer) == 0 {
		return fmt.Errorf("g._defer is nil with a deferred call pending")
	}
	return nil
}

// checkPanic checks that g._panic points into the stack while a panic runs
// deferred calls. The bounds are read in the deferred call: the panic may
// have grown (moved) the stack.
func checkPanic(gp unsafe.Pointer) (err error) {
	defer func() {
		p, lo, hi := word(gp, gPanic), word(gp, gStackLo), word(gp, gStackHi)
		if recover() == nil {
			err = fmt.Errorf("layout check: panic not recovered")
		} else if !(lo <= p && p < hi) {
			err = fmt.Errorf("g._panic = %#x during a panic, want a record on the stack [%#x, %#x)", p, lo, hi)
		}
	}()
	panic("fibers: layout check")
}
