//go:build (linux || darwin) && go1.26 && !go1.28

// The fiber context switch for amd64. See asm.go for the Go declarations
// (checked by go vet's asmdecl) and the package documentation for why each
// word is swapped.
//
// Go code calls these as ABI0 functions: arguments on the stack, and every
// register except SP and BP may be clobbered; the ABI wrapper reloads R14 (g)
// and zeroes X15 after the call. So unlike the book's System V switch (which
// must keep rbx, rbp, r12-r15), only SP and BP need saving. The g pointer is
// read from thread-local storage.

#include "go_asm.h"
#include "funcdata.h"
#include "textflag.h"

// func getgp() unsafe.Pointer
// getgp returns the running goroutine's g.
TEXT ·getgp(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX	// AX = g
	MOVQ	AX, ret+0(FP)
	RET

// func fiberStartPC() uintptr
// fiberStartPC returns the address initContext stores as the first return PC.
TEXT ·fiberStartPC(SB), NOSPLIT, $0-8
	MOVQ	$·fiberStart(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func swtch(from, to *context)
// swtch saves the running side into from and resumes to: it stores SP (which
// points at our return PC) and BP, tells the runtime which stack is now in use
// (g.stack, g.stackguard0, g.stktopsp), loads to's SP and BP and returns on
// to's stack, into whatever called swtch there (or into fiberStart).
// Clobbers AX, BX, CX, DX, R8.
//
// It must not be preempted half way (no safe points in assembly) and must not
// grow the stack (NOSPLIT|NOFRAME: no prologue, no frame).
TEXT ·swtch(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ	from+0(FP), AX	// AX = from
	MOVQ	to+8(FP), BX	// BX = to
	MOVQ	(TLS), CX	// CX = g

	// Save the running side. 0(SP) is the return PC into our caller.
	MOVQ	SP, context_sp(AX)
	MOVQ	BP, context_bp(AX)
	MOVQ	const_gStackLo(CX), DX
	MOVQ	DX, context_lo(AX)
	MOVQ	const_gStackHi(CX), DX
	MOVQ	DX, context_hi(AX)
	MOVQ	const_gStktopsp(CX), DX
	MOVQ	DX, context_topsp(AX)

	// Describe to's stack to the runtime.
	MOVQ	context_lo(BX), DX	// DX = to.lo
	MOVQ	DX, const_gStackLo(CX)
	MOVQ	context_hi(BX), R8
	MOVQ	R8, const_gStackHi(CX)
	MOVQ	context_topsp(BX), R8
	MOVQ	R8, const_gStktopsp(CX)

	// stackguard0 = to.lo + stackGuard, unless it holds a pending preemption
	// request (stackPreempt), which must survive the switch. (A request that
	// lands between the compare and the store is lost; the runtime re-posts
	// requests it is waiting on.)
	MOVQ	const_gStackguard0(CX), R8
	CMPQ	R8, $const_stackPreempt
	JEQ	resume
	ADDQ	$const_stackGuard, DX
	MOVQ	DX, const_gStackguard0(CX)

resume:
	MOVQ	context_sp(BX), SP	// now on to's stack
	MOVQ	context_bp(BX), BP
	RET	// pops to's return PC

// func fiberStart()
// fiberStart is the first frame of every fiber: the first swtch into a fiber
// returns here, with SP at the word initContext stored the *Fiber in, which
// is thus the argument of fiberEntry. It is the top of the fiber's stack for
// tracebacks (TOPFRAME; g.stktopsp is SP at its CALL) and has no locals
// (NO_LOCAL_POINTERS), so the GC can scan a running fiber. fiberEntry never
// returns: it ends by switching away for good.
TEXT ·fiberStart(SB), NOSPLIT|NOFRAME|TOPFRAME, $0-0
	NO_LOCAL_POINTERS
	CALL	·fiberEntry(SB)
	UNDEF	// keeps the return PC of the CALL inside fiberStart
