package runtime

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// WakePanicError is what the Poll of a leaf future panics with when the
// Waker it was given panicked in Wake where the runtime called it: on the
// reactor's thread (timers, sockets), on the goroutine of a [SpawnBlocking],
// or when a spawned task completed its [JoinHandle]. The runtime recovers such
// a panic, so that one bad Waker stops neither the process nor the reactor,
// and hands it to the future the Waker came from: its next Poll, on the
// goroutine polling it, panics with a *WakePanicError once; polled again, the
// future goes on. If that future is not polled again (it completed, was
// cancelled or dropped), the panic is dropped with it.
type WakePanicError struct {
	Value any    // what Wake panicked with (errWakeGoexit for runtime.Goexit)
	Stack []byte // the stack of the goroutine that called Wake, when it panicked
}

// Error returns "runtime: Waker.Wake panicked: VALUE" and the stack.
func (e *WakePanicError) Error() string {
	return fmt.Sprintf("runtime: Waker.Wake panicked: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a WakePanicError.
func (e *WakePanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// errWakeGoexit is the Value of a WakePanicError for a Wake that called
// runtime.Goexit on the reactor's thread (or panicked with nil under
// GODEBUG=panicnil=1, which looks the same).
var errWakeGoexit = errors.New("Wake called runtime.Goexit")

// wakeContained calls w.Wake and returns the panic it raised, recovered, or
// nil. A runtime.Goexit is not stopped: it goes on ending the goroutine.
func wakeContained(w Waker) (wp *WakePanicError) {
	returned := false
	defer func() {
		if !returned {
			if p := recover(); p != nil {
				wp = &WakePanicError{Value: p, Stack: debug.Stack()}
			}
		}
	}()
	w.Wake()
	returned = true
	return nil
}
