//go:build (linux || darwin) && go1.26 && !go1.28

// The fiber context switch for arm64. See asm.go for the Go declarations
// (checked by go vet's asmdecl) and switch_amd64.s for the design.
//
// Go code calls these as ABI0 functions: arguments on the stack at 8(RSP)
// (0(RSP) is the callee-saved-LR slot of the caller's frame), every register
// may be clobbered except RSP, R29 (frame pointer) and R28 (g, the same on
// both sides since both run on the same goroutine). The return address is in
// LR (R30), not on the stack, so it is saved explicitly.

#include "go_asm.h"
#include "funcdata.h"
#include "textflag.h"

// func getgp() unsafe.Pointer
// getgp returns the running goroutine's g.
TEXT ·getgp(SB), NOSPLIT, $0-8
	MOVD	g, R0	// R0 = g (R28)
	MOVD	R0, ret+0(FP)
	RET

// func fiberStartPC() uintptr
// fiberStartPC returns the address initContext stores as the first LR.
TEXT ·fiberStartPC(SB), NOSPLIT, $0-8
	MOVD	$·fiberStart(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func swtch(from, to *context)
// swtch saves the running side into from and resumes to: it stores RSP, R29
// and LR, tells the runtime which stack is now in use (g.stack,
// g.stackguard0, g.stktopsp), loads to's RSP, R29 and LR and returns to to's
// caller of swtch (or into fiberStart).
// Clobbers R0-R4.
TEXT ·swtch(SB), NOSPLIT|NOFRAME, $0-16
	MOVD	from+0(FP), R0	// R0 = from
	MOVD	to+8(FP), R1	// R1 = to

	// Save the running side.
	MOVD	RSP, R2
	MOVD	R2, context_sp(R0)
	MOVD	R29, context_bp(R0)
	MOVD	LR, context_pc(R0)
	MOVD	const_gStackLo(g), R2
	MOVD	R2, context_lo(R0)
	MOVD	const_gStackHi(g), R2
	MOVD	R2, context_hi(R0)
	MOVD	const_gStktopsp(g), R2
	MOVD	R2, context_topsp(R0)

	// Describe to's stack to the runtime.
	MOVD	context_lo(R1), R2	// R2 = to.lo
	MOVD	R2, const_gStackLo(g)
	MOVD	context_hi(R1), R3
	MOVD	R3, const_gStackHi(g)
	MOVD	context_topsp(R1), R3
	MOVD	R3, const_gStktopsp(g)

	// stackguard0 = to.lo + stackGuard, unless a preemption request
	// (stackPreempt) is pending; see switch_amd64.s.
	MOVD	const_gStackguard0(g), R3
	MOVD	$const_stackPreempt, R4
	CMP	R4, R3
	BEQ	resume
	ADD	$const_stackGuard, R2, R2
	MOVD	R2, const_gStackguard0(g)

resume:
	MOVD	context_sp(R1), R2
	MOVD	R2, RSP	// now on to's stack
	MOVD	context_bp(R1), R29
	MOVD	context_pc(R1), LR
	RET	// to LR

// func fiberStart()
// fiberStart is the first frame of every fiber: the first swtch into a fiber
// "returns" here with RSP at the slots initContext prepared, so 8(RSP) holds
// the *Fiber argument of fiberEntry. TOPFRAME ends tracebacks here (g.stktopsp
// is RSP at the BL); NO_LOCAL_POINTERS lets the GC scan it. fiberEntry never
// returns.
TEXT ·fiberStart(SB), NOSPLIT|NOFRAME|TOPFRAME, $0-0
	NO_LOCAL_POINTERS
	BL	·fiberEntry(SB)
	UNDEF	// keeps the return address of the BL inside fiberStart
