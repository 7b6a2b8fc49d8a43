package runtime

import (
	"io"
	"sync"
	"sync/atomic"
)

// Trace is a set of the runtime's debug prints, all off by default. They
// reproduce the lines the book's programs print.
type Trace uint8

const (
	// TraceExecutor: each executor prints "NAME: N pending tasks. Sleep
	// until notified." when it goes to sleep and "NAME: All tasks are
	// finished" when it ends (NAME is "main" for BlockOn).
	TraceExecutor Trace = 1 << iota
	// TraceFirstPoll: an [HTTPGet] prints "FIRST POLL - START OPERATION"
	// when it is polled the first time.
	TraceFirstPoll
)

type traceSetting struct {
	w    io.Writer
	what Trace
}

var traceNow atomic.Pointer[traceSetting]

// SetTrace makes the runtime print the traces in what to w, one Write per
// line; writes from several executors are serialised. SetTrace(nil, 0)
// turns tracing off. Executors read the setting when they start, leaf
// futures when they print.
//
// The book's chapter 8 b, for instance, runs
//
//	runtime.SetTrace(os.Stdout, runtime.TraceExecutor|runtime.TraceFirstPoll)
//	runtime.BlockOn(asyncMain())
func SetTrace(w io.Writer, what Trace) {
	if w == nil || what == 0 {
		traceNow.Store(nil)
		return
	}
	traceNow.Store(&traceSetting{w: &lockedWriter{w: w}, what: what})
}

// tracer returns the writer for the trace what, or nil if it is off.
func tracer(what Trace) io.Writer {
	if s := traceNow.Load(); s != nil && s.what&what != 0 {
		return s.w
	}
	return nil
}

// lockedWriter serialises writes, so lines from several threads stay whole.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
