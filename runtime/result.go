package runtime

// Result is the output of a future that can fail. [Future] has no error
// channel, so leaf futures that do I/O complete with a Result: the error comes
// back to the coroutine as a value, where Go code expects it.
//
//	conn, err := runtime.Connect(addr).wait.Unpack()
//	if err != nil {
//		return err
//	}
type Result[T any] struct {
	Value T
	Err   error
}

// Unpack returns the value and the error, for "v, err := f.wait.Unpack()".
func (r Result[T]) Unpack() (T, error) { return r.Value, r.Err }

// Canceler is implemented by leaf futures that hold resources while
// pending (a registration with the reactor, a timer, a socket). Cancel
// releases them: it deregisters, disarms and closes what the future opened,
// and the future must not be polled again. Cancel on a future that has
// completed or was never polled does nothing harmful. [Race] and [Timeout]
// cancel the futures they drop.
type Canceler interface {
	Cancel()
}
