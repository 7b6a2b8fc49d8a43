// goroutineID for amd64; see goroutine.go.

#include "textflag.h"

// func goroutineID() uintptr
TEXT ·goroutineID(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX	// AX = g, the running goroutine
	MOVQ	AX, ret+0(FP)
	RET
