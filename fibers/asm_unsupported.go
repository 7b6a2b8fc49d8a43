//go:build !((amd64 || arm64) && (linux || darwin) && go1.26 && !go1.28)

package fibers

import (
	"fmt"
	"runtime"
)

// On this platform or Go version there is no assembly switch: New refuses the
// Asm backend, so none of the methods below is ever reached.

type asmRuntime struct{}

type asmFiber struct{}

// AsmSupported reports whether the Asm backend can run here; here it cannot.
func AsmSupported() error {
	return fmt.Errorf("%w on %s/%s with %s (verified: %s)",
		ErrUnsupported, runtime.GOOS, runtime.GOARCH, runtime.Version(), asmVerifiedText())
}

func (rt *Runtime) asmSpawn(*Fiber)        { panic("fibers: internal error: asm backend unsupported") }
func (rt *Runtime) asmRun()                { panic("fibers: internal error: asm backend unsupported") }
func (rt *Runtime) asmYield(*Fiber)        { panic("fibers: internal error: asm backend unsupported") }
func (rt *Runtime) goexitFromFiber(*Fiber) {}
