// goroutineID for arm64; see goroutine.go.

#include "textflag.h"

// func goroutineID() uintptr
TEXT ·goroutineID(SB), NOSPLIT, $0-8
	MOVD	g, R0	// R0 = g (R28), the running goroutine
	MOVD	R0, ret+0(FP)
	RET
