package bookhttp

import (
	"fmt"
	"net"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// Each step below makes one non-blocking attempt. A step that would have to
// wait returns false and leaves the state as it is; EINTR is retried on the
// spot; any other error closes the socket and panics.

// startConnect creates the non-blocking socket and starts connecting to
// Addr. Loopback connects often complete at once; otherwise the kernel goes
// on in the background (EINPROGRESS) and connected reports when it is done.
func (g *GetFuture) startConnect() {
	g.addr = Addr
	g.state = done // until there is a socket, any failure leaves nothing to retry
	sa, family, err := resolve(g.addr)
	if err != nil {
		g.fail("resolve", err)
	}
	// SOCK_NONBLOCK and SOCK_CLOEXEC in the type would save two calls, but
	// only Linux and some BSDs have them; macOS does not.
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		g.fail("socket", err)
	}
	g.fd = fd
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		g.fail("fcntl", err)
	}
	// If the future is dropped before it completes, close the socket when
	// it is garbage collected; close cancels this.
	g.cleanup = goruntime.AddCleanup(g, func(fd int) { unix.Close(fd) }, fd)
	g.request = fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", g.path)

	switch err := unix.Connect(fd, sa); err {
	case nil:
		g.state = writing
	case unix.EINPROGRESS, unix.EINTR:
		// An interrupted connect goes on asynchronously, like EINPROGRESS
		// (connect(2)); retrying it would fail with EALREADY.
		g.state = connecting
	default:
		g.fail("connect", err)
	}
}

// connected reports whether the connect in progress has finished, which
// the socket signals by becoming writable. SO_ERROR then tells whether it
// succeeded.
func (g *GetFuture) connected() bool {
	fds := []unix.PollFd{{Fd: int32(g.fd), Events: unix.POLLOUT}}
	for {
		n, err := unix.Poll(fds, 0) // timeout 0: look, don't wait
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			g.fail("poll", err)
		}
		if n == 0 {
			return false
		}
		break
	}
	errno, err := unix.GetsockoptInt(g.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		g.fail("getsockopt", err)
	}
	if errno != 0 {
		g.fail("connect", unix.Errno(errno))
	}
	return true
}

// write writes as much of the request as the socket takes and reports
// whether all of it has been written.
func (g *GetFuture) write() bool {
	for len(g.request) > 0 {
		n, err := unix.Write(g.fd, g.request)
		switch err {
		case nil:
			g.request = g.request[n:]
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			g.fail("write", err)
		}
	}
	return true
}

// read appends everything available to the response and reports whether the
// server has closed the connection (EOF).
func (g *GetFuture) read() bool {
	var buf [4096]byte
	for {
		n, err := unix.Read(g.fd, buf[:])
		switch err {
		case nil:
			if n == 0 {
				return true
			}
			g.response = append(g.response, buf[:n]...)
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			g.fail("read", err)
		}
	}
}

// close closes the socket, if there is one, and marks the future done.
func (g *GetFuture) close() {
	g.state = done
	if g.fd < 0 {
		return
	}
	g.cleanup.Stop()
	// Not retried on EINTR: on Linux the descriptor is released anyway,
	// and a second close could hit a descriptor reused meanwhile.
	unix.Close(g.fd)
	g.fd = -1
}

// fail closes the socket and panics with what was being done and why.
func (g *GetFuture) fail(op string, err error) {
	g.close()
	panic(fmt.Errorf("bookhttp: GET %s from %s: %s: %w", g.path, g.addr, op, err))
}

// resolve turns host:port into a socket address. "localhost" is 127.0.0.1;
// other names are looked up, which may block (the book blocks on connect).
func resolve(hostport string) (unix.Sockaddr, int, error) {
	host, portName, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, 0, err
	}
	port, err := net.LookupPort("tcp", portName)
	if err != nil {
		return nil, 0, err
	}
	ip := net.ParseIP(host)
	switch {
	case host == "localhost" || host == "":
		ip = net.IPv4(127, 0, 0, 1)
	case ip == nil:
		ips, err := net.LookupIP(host)
		if err != nil {
			return nil, 0, err
		}
		ip = ips[0]
	}
	if ip4 := ip.To4(); ip4 != nil {
		return &unix.SockaddrInet4{Port: port, Addr: [4]byte(ip4)}, unix.AF_INET, nil
	}
	return &unix.SockaddrInet6{Port: port, Addr: [16]byte(ip.To16())}, unix.AF_INET6, nil
}
