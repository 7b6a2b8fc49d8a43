//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	goruntime "runtime"
	"strconv"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// This file holds the socket system calls the leaf futures share: creating
// non-blocking sockets, starting and finishing a connect, and the ownership
// of a descriptor a future opened.

// sockaddr parses "host:port", where host is an IP address, "localhost" or
// empty (loopback for connect, any address for listen). Names are not
// resolved: resolving would block, and the book's programs use localhost.
func sockaddr(addr string, listen bool) (unix.Sockaddr, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, 0, fmt.Errorf("runtime: address %q: %w", addr, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("runtime: address %q: bad port", addr)
	}
	var ip netip.Addr
	switch host {
	case "localhost":
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case "":
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if listen {
			ip = netip.IPv4Unspecified()
		}
	default:
		ip, err = netip.ParseAddr(host)
		if err != nil {
			return nil, 0, fmt.Errorf("runtime: address %q: host must be an IP address or localhost", addr)
		}
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: int(port), Addr: ip.As4()}, unix.AF_INET, nil
	}
	return &unix.SockaddrInet6{Port: int(port), Addr: ip.As16()}, unix.AF_INET6, nil
}

// sockaddrString formats a socket address as host:port.
func sockaddrString(sa unix.Sockaddr) string {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)).String()
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)).String()
	}
	return fmt.Sprint(sa)
}

// newSocket returns a non-blocking, close-on-exec TCP socket. ForkLock keeps
// a concurrent fork from inheriting it before CloseOnExec, as package net
// does where SOCK_CLOEXEC is missing.
func newSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("setnonblock", err)
	}
	return fd, nil
}

// startConnect begins a non-blocking connect. It reports whether the
// connection is already established; if not (EINPROGRESS), the socket
// becomes writable when the connect has finished, well or badly.
func startConnect(fd int, sa unix.Sockaddr) (bool, error) {
	switch err := unix.Connect(fd, sa); err {
	case nil:
		return true, nil
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		// EINTR: the connect goes on in the background, as EINPROGRESS.
		return false, nil
	default:
		return false, os.NewSyscallError("connect", err)
	}
}

// connectDone reports whether a connect started by startConnect has
// finished, and its error. A spurious poll finds it still in progress.
func connectDone(fd int) (bool, error) {
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return true, os.NewSyscallError("getsockopt", err)
	}
	switch e := unix.Errno(soerr); e {
	case 0, unix.EISCONN:
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		return false, nil
	default:
		return true, os.NewSyscallError("connect", e)
	}
	switch _, err := unix.Getpeername(fd); err {
	case nil:
		return true, nil
	case unix.ENOTCONN:
		return false, nil
	default:
		return true, os.NewSyscallError("getpeername", err)
	}
}

// readFD and writeFD are read(2) and write(2) with EINTR retried.
func readFD(fd int, p []byte) (int, error) {
	for {
		n, err := unix.Read(fd, p)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func writeFD(fd int, p []byte) (int, error) {
	for {
		n, err := unix.Write(fd, p)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// ownedFD is a descriptor that a leaf future opened and, while it is
// registered, the reactor's record of it. Its release deregisters and closes
// it exactly once, whoever gets there first: the future when it completes,
// Cancel, or the cleanup that runs when a pending future is dropped (garbage
// collected). It is allocated apart from the future so that the cleanup can
// hold it without keeping the future alive.
type ownedFD struct {
	fd atomic.Int64  // -1 once released or handed over
	id atomic.Uint64 // the ResourceID while registered, else 0
}

// own records fd as owned by the future owner and arranges its release if
// owner is dropped while still holding it.
func own[F any](owner *F, fd int) *ownedFD {
	o := &ownedFD{}
	o.fd.Store(int64(fd))
	goruntime.AddCleanup(owner, (*ownedFD).release, o)
	return o
}

// register registers the descriptor with the default reactor.
func (o *ownedFD) register(r *Reactor, in Interest) error {
	id := r.NextID()
	if err := r.Register(int(o.fd.Load()), in, id); err != nil {
		return err
	}
	o.id.Store(uint64(id))
	return nil
}

// resource returns the id under which the descriptor is registered.
func (o *ownedFD) resource() ResourceID { return ResourceID(o.id.Load()) }

// release deregisters and closes the descriptor if it is still owned.
func (o *ownedFD) release() {
	fd := o.fd.Swap(-1)
	if fd < 0 {
		return
	}
	if id := o.id.Swap(0); id != 0 {
		if r, err := DefaultReactor(); err == nil {
			r.Deregister(int(fd), ResourceID(id))
		}
	}
	unix.Close(int(fd))
}

// handOver gives up the descriptor and its registration (to a Conn)
// without closing it.
func (o *ownedFD) handOver() (int, ResourceID) {
	return int(o.fd.Swap(-1)), ResourceID(o.id.Swap(0))
}
