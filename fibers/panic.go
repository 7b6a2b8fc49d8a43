package fibers

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the value Run panics with when a fiber panicked.
type PanicError struct {
	Fiber int    // ID of the fiber that panicked
	Value any    // the value the fiber panicked with
	Stack []byte // the fiber's stack when it panicked (runtime/debug.Stack)
}

// Error returns "fibers: fiber N panicked: VALUE" followed by the fiber's stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("fibers: fiber %d panicked: %v\n\n%s", e.Fiber, e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a PanicError.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// goexit is the failure recorded when a fiber called runtime.Goexit.
type goexit struct{ fiber int }

// unwinding is what Yield panics with when Run unwinds a fiber after another
// fiber failed. fiberMain recognizes it; it is not a failure.
type unwinding struct{}

func (unwinding) Error() string { return "fibers: fiber unwound because another fiber failed" }

// recordFailure records the outcome of a fiber that did not return normally:
// r is the recovered value, nil for runtime.Goexit. Only the first failure of
// a run counts; failures while unwinding are dropped.
func (rt *Runtime) recordFailure(f *Fiber, r any) {
	if _, ok := r.(unwinding); ok || rt.failure != nil || rt.stopping {
		return
	}
	if r == nil {
		rt.failure = goexit{fiber: f.id}
		return
	}
	rt.failure = &PanicError{Fiber: f.id, Value: r, Stack: debug.Stack()}
}
