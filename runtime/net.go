//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"errors"
	"io"
	"os"
	goruntime "runtime"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The TCP leaf futures. Each follows the same rule, the one that makes
// edge-triggered registration safe: at every poll, first give the reactor the
// Waker (SetWaker), then try the system call; return not ready only when the
// call said EAGAIN, so the next edge wakes the newest Waker.

// errClosed is the error of an operation on a closed Conn or Listener.
var errClosed = errors.New("runtime: use of closed connection")

// Conn is a connected, non-blocking TCP socket registered with the default
// reactor for reading and writing. Its Read and Write return futures; a read
// and a write may be pending at the same time (each has its own Waker), but
// not two reads or two writes.
//
// Close a Conn when done with it. One that is dropped without Close has its
// descriptor deregistered and closed by a cleanup when the garbage collector
// finds the Conn unreachable, as a dropped pending future has; but that may
// be long after (a collection comes when the program has allocated enough),
// and until then the descriptor stays open and counts against the process's
// limit.
type Conn struct {
	fd      int
	id      ResourceID
	r       *Reactor
	closed  atomic.Bool
	cleanup goruntime.Cleanup // releases fd if the Conn is dropped; stopped by Close
}

// newConn registers fd (a connected socket) and wraps it; on error fd is
// closed.
//
// The Conn's cleanup closes fd once the Conn is unreachable, so fd must not
// be used in a system call after the last use of the Conn: the futures keep
// the Conn (through themselves) live across their calls, because every path
// after the call uses the future; methods of Conn that end with a system call
// end with runtime.KeepAlive.
func newConn(r *Reactor, fd int, id ResourceID) (*Conn, error) {
	if id == 0 {
		id = r.NextID()
		if err := r.Register(fd, Readable|Writable, id); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	c := &Conn{fd: fd, id: id, r: r}
	c.cleanup = goruntime.AddCleanup(c, releaseDropped, droppedFD{fd: fd, id: id, r: r})
	return c, nil
}

// droppedFD is what the cleanup of a dropped Conn or Listener releases. It
// must not point to the Conn or Listener, or they would never be
// unreachable.
type droppedFD struct {
	fd int
	id ResourceID
	r  *Reactor
}

// releaseDropped deregisters and closes the descriptor of a Conn or
// Listener that was dropped without Close.
func releaseDropped(d droppedFD) {
	d.r.Deregister(d.fd, d.id)
	unix.Close(d.fd)
}

// Close deregisters and closes the connection. Pending futures on it must
// not be polled again.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return errClosed
	}
	c.cleanup.Stop() // c is reachable here, so the cleanup has not been queued
	err := c.r.Deregister(c.fd, c.id)
	if cerr := unix.Close(c.fd); err == nil {
		err = os.NewSyscallError("close", cerr)
	}
	return err
}

// CloseWrite shuts down the writing side: the peer reads end of file.
func (c *Conn) CloseWrite() error {
	if c.closed.Load() {
		return errClosed
	}
	err := unix.Shutdown(c.fd, unix.SHUT_WR)
	goruntime.KeepAlive(c) // no cleanup closes fd during the call
	return os.NewSyscallError("shutdown", err)
}

// Read returns a future that reads into p once data is available. It
// completes with the number of bytes read, or with io.EOF when the peer has
// closed its side (and 0 bytes), or with the system call's error.
func (c *Conn) Read(p []byte) *ReadFuture { return &ReadFuture{c: c, p: p} }

// ReadFuture is the future returned by [Conn.Read].
type ReadFuture struct {
	c    *Conn
	p    []byte
	done bool
}

// Poll implements [Future].
func (f *ReadFuture) Poll(w Waker) (Result[int], bool) {
	if f.done {
		panic("runtime: Read future polled after completion")
	}
	if f.c.closed.Load() {
		return f.finish(0, errClosed)
	}
	if err := f.c.r.SetWaker(f.c.id, Readable, w); err != nil {
		return f.finish(0, err)
	}
	n, err := readFD(f.c.fd, f.p)
	switch {
	case err == unix.EAGAIN:
		return Result[int]{}, false
	case err != nil:
		return f.finish(0, os.NewSyscallError("read", err))
	case n == 0 && len(f.p) > 0:
		return f.finish(0, io.EOF)
	}
	return f.finish(n, nil)
}

func (f *ReadFuture) finish(n int, err error) (Result[int], bool) {
	f.done = true
	return Result[int]{Value: n, Err: err}, true
}

// Cancel implements [Canceler]: the read stops waiting (the connection
// stays open; it belongs to its Conn).
func (f *ReadFuture) Cancel() {
	if !f.done && !f.c.closed.Load() {
		f.c.r.SetWaker(f.c.id, Readable, nil)
	}
	f.done = true
}

// Write returns a future that writes all of p, waiting for room as often
// as needed. It completes with len(p), or with the bytes written before an
// error and the error.
func (c *Conn) Write(p []byte) *WriteFuture { return &WriteFuture{c: c, p: p} }

// WriteFuture is the future returned by [Conn.Write].
type WriteFuture struct {
	c       *Conn
	p       []byte
	written int
	done    bool
}

// Poll implements [Future].
func (f *WriteFuture) Poll(w Waker) (Result[int], bool) {
	if f.done {
		panic("runtime: Write future polled after completion")
	}
	if f.c.closed.Load() {
		return f.finish(errClosed)
	}
	if err := f.c.r.SetWaker(f.c.id, Writable, w); err != nil {
		return f.finish(err)
	}
	for f.written < len(f.p) {
		n, err := writeFD(f.c.fd, f.p[f.written:])
		if err == unix.EAGAIN {
			return Result[int]{}, false
		}
		if err != nil {
			return f.finish(os.NewSyscallError("write", err))
		}
		f.written += n
	}
	return f.finish(nil)
}

func (f *WriteFuture) finish(err error) (Result[int], bool) {
	f.done = true
	return Result[int]{Value: f.written, Err: err}, true
}

// Cancel implements [Canceler] like [ReadFuture.Cancel].
func (f *WriteFuture) Cancel() {
	if !f.done && !f.c.closed.Load() {
		f.c.r.SetWaker(f.c.id, Writable, nil)
	}
	f.done = true
}

// Connect returns a future that opens a TCP connection to addr
// ("127.0.0.1:8080", "localhost:8080", "[::1]:8080") without blocking: the
// socket is non-blocking and the reactor reports when the connect finished.
// It completes with the connection or the error (connection refused, ...).
func Connect(addr string) *ConnectFuture { return &ConnectFuture{addr: addr} }

// ConnectFuture is the future returned by [Connect].
type ConnectFuture struct {
	addr string
	sock *ownedFD // nil before the first poll
	done bool
}

// Poll implements [Future].
func (f *ConnectFuture) Poll(w Waker) (Result[*Conn], bool) {
	if f.done {
		panic("runtime: Connect future polled after completion")
	}
	r, err := DefaultReactor()
	if err != nil {
		return f.fail(err)
	}
	if f.sock == nil {
		connected, err := f.start(r)
		if err != nil {
			return f.fail(err)
		}
		if connected {
			return f.connected(r)
		}
	}
	if err := r.SetWaker(f.sock.resource(), Writable, w); err != nil {
		return f.fail(err)
	}
	finished, err := connectDone(int(f.sock.fd.Load()))
	if err != nil {
		return f.fail(err)
	}
	if !finished {
		return Result[*Conn]{}, false
	}
	return f.connected(r)
}

// start creates the socket, starts connecting and registers the socket.
func (f *ConnectFuture) start(r *Reactor) (connected bool, err error) {
	sa, family, err := sockaddr(f.addr, false)
	if err != nil {
		return false, err
	}
	fd, err := newSocket(family)
	if err != nil {
		return false, err
	}
	f.sock = own(f, fd)
	if connected, err = startConnect(fd, sa); err != nil {
		return false, err
	}
	// Registered after connect started: an unconnected socket reports
	// itself writable (hung up), which would be a spurious wake.
	return connected, f.sock.register(r, Readable|Writable)
}

func (f *ConnectFuture) connected(r *Reactor) (Result[*Conn], bool) {
	f.done = true
	fd, id := f.sock.handOver()
	conn, err := newConn(r, fd, id)
	return Result[*Conn]{Value: conn, Err: err}, true
}

func (f *ConnectFuture) fail(err error) (Result[*Conn], bool) {
	f.done = true
	if f.sock != nil {
		f.sock.release()
	}
	return Result[*Conn]{Err: err}, true
}

// Cancel implements [Canceler]: a pending connect is abandoned and its
// socket deregistered and closed.
func (f *ConnectFuture) Cancel() {
	f.done = true
	if f.sock != nil {
		f.sock.release()
	}
}

// Listener is a listening, non-blocking TCP socket registered with the
// default reactor. Close it when done: like a [Conn], a Listener dropped
// without Close is closed by a cleanup, whenever the garbage collector finds
// it unreachable.
type Listener struct {
	fd      int
	id      ResourceID
	r       *Reactor
	addr    string
	closed  atomic.Bool
	cleanup goruntime.Cleanup // releases fd if the Listener is dropped; stopped by Close
}

// Listen opens a TCP listener on addr ("127.0.0.1:0" picks a free port;
// see [Listener.Addr]). Binding does not block, so it is a plain function.
func Listen(addr string) (*Listener, error) {
	r, err := DefaultReactor()
	if err != nil {
		return nil, err
	}
	sa, family, err := sockaddr(addr, true)
	if err != nil {
		return nil, err
	}
	fd, err := newSocket(family)
	if err != nil {
		return nil, err
	}
	l := &Listener{fd: fd, r: r}
	if err := l.bind(sa); err != nil {
		unix.Close(fd)
		return nil, err
	}
	l.id = r.NextID()
	if err := r.Register(fd, Readable, l.id); err != nil {
		unix.Close(fd)
		return nil, err
	}
	l.cleanup = goruntime.AddCleanup(l, releaseDropped, droppedFD{fd: fd, id: l.id, r: r})
	return l, nil
}

func (l *Listener) bind(sa unix.Sockaddr) error {
	if err := unix.SetsockoptInt(l.fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if err := unix.Bind(l.fd, sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(l.fd, unix.SOMAXCONN); err != nil {
		return os.NewSyscallError("listen", err)
	}
	bound, err := unix.Getsockname(l.fd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	l.addr = sockaddrString(bound)
	return nil
}

// Addr returns the address listened on, e.g. "127.0.0.1:40123".
func (l *Listener) Addr() string { return l.addr }

// Close deregisters and closes the listener.
func (l *Listener) Close() error {
	if l.closed.Swap(true) {
		return errClosed
	}
	l.cleanup.Stop() // l is reachable here, so the cleanup has not been queued
	err := l.r.Deregister(l.fd, l.id)
	if cerr := unix.Close(l.fd); err == nil {
		err = os.NewSyscallError("close", cerr)
	}
	return err
}

// Accept returns a future that completes with the next incoming connection.
func (l *Listener) Accept() *AcceptFuture { return &AcceptFuture{l: l} }

// AcceptFuture is the future returned by [Listener.Accept].
type AcceptFuture struct {
	l    *Listener
	done bool
}

// Poll implements [Future].
func (f *AcceptFuture) Poll(w Waker) (Result[*Conn], bool) {
	if f.done {
		panic("runtime: Accept future polled after completion")
	}
	if f.l.closed.Load() {
		return f.finish(nil, errClosed)
	}
	if err := f.l.r.SetWaker(f.l.id, Readable, w); err != nil {
		return f.finish(nil, err)
	}
	for {
		syscall.ForkLock.RLock()
		fd, _, err := unix.Accept(f.l.fd)
		if err == nil {
			unix.CloseOnExec(fd)
		}
		syscall.ForkLock.RUnlock()
		switch err {
		case nil:
		case unix.EAGAIN:
			return Result[*Conn]{}, false
		case unix.EINTR, unix.ECONNABORTED:
			continue
		default:
			return f.finish(nil, os.NewSyscallError("accept", err))
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			return f.finish(nil, os.NewSyscallError("setnonblock", err))
		}
		return f.finish(newConn(f.l.r, fd, 0))
	}
}

func (f *AcceptFuture) finish(c *Conn, err error) (Result[*Conn], bool) {
	f.done = true
	return Result[*Conn]{Value: c, Err: err}, true
}

// Cancel implements [Canceler]: the accept stops waiting.
func (f *AcceptFuture) Cancel() {
	if !f.done && !f.l.closed.Load() {
		f.l.r.SetWaker(f.l.id, Readable, nil)
	}
	f.done = true
}
