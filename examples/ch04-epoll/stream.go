package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// The book connects with the standard library's TcpStream and then makes it
// non-blocking. Go's net.Conn cannot stand in for it: Go registers every
// net.Conn with its own netpoller and reads it by parking the goroutine, so
// a read would never return EAGAIN. These two functions make the socket with
// the system calls themselves.

// connect opens a TCP connection to addr (host:port) and returns its
// descriptor. Like TcpStream::connect, it blocks until connected.
func connect(addr string) (int, error) {
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, err
	}
	family, sa := unix.AF_INET6, unix.Sockaddr(&unix.SockaddrInet6{Port: tcp.Port, Addr: [16]byte(tcp.IP.To16())})
	if ip4 := tcp.IP.To4(); ip4 != nil {
		family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: tcp.Port, Addr: [4]byte(ip4)}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	unix.CloseOnExec(fd)
	for {
		err = unix.Connect(fd, sa)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("connect %s: %w", addr, err)
	}
	return fd, nil
}

// sendNonblocking makes the socket non-blocking, as the book's
// set_nonblocking(true), and writes all of data to it (write_all). A request
// is far smaller than a socket's buffer, so the writes never have to wait.
func sendNonblocking(fd int, data []byte) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("write", err)
		}
		data = data[n:]
	}
	return nil
}
