package poll_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/corofy/corofy/examples/ch04-epoll/poll"
	"golang.org/x/sys/unix"
)

// TestTriggers shows the difference between level-triggered and
// edge-triggered registrations on a real TCP connection over loopback. Both
// report data when it arrives. When the reader leaves part of it unread, a
// level-triggered registration reports the socket again at the next Poll;
// an edge-triggered one does not, until new data arrives. Once the socket
// is drained, neither reports it.
func TestTriggers(t *testing.T) {
	tests := []struct {
		name      string
		interests uint32
		undrained int // events reported for the undrained socket, with no new data
	}{
		{"level", poll.EPOLLIN, 1},
		{"edge", poll.EPOLLIN | poll.EPOLLET, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, fd := loopback(t)
			p, err := poll.New()
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			const token = 7
			if err := p.Registry().Register(fd, token, tt.interests); err != nil {
				t.Fatalf("Register(%d, %d, %#x) = %v", fd, token, tt.interests, err)
			}

			write(t, server, "0123456789")
			expect(t, p, time.Minute, 1, "after the server wrote 10 bytes")
			readN(t, fd, 4)
			expect(t, p, 0, tt.undrained, "after reading 4 of the 10 bytes")
			readN(t, fd, 6)
			if n, err := unix.Read(fd, make([]byte, 16)); !errors.Is(err, unix.EAGAIN) {
				t.Fatalf("read of the drained socket = %d, %v; want EAGAIN", n, err)
			}
			expect(t, p, 0, 0, "after draining the socket")
			write(t, server, "x")
			expect(t, p, time.Minute, 1, "after the server wrote 1 more byte")
		})
	}
}

// expect polls p with timeout and checks that it reports n events, each
// readable with the token 7.
func expect(t *testing.T, p *poll.Poll, timeout time.Duration, n int, when string) {
	t.Helper()
	events := make(poll.Events, 0, 10)
	if err := p.Poll(&events, timeout); err != nil {
		t.Fatalf("%s: Poll(timeout %v) = %v", when, timeout, err)
	}
	if len(events) != n {
		t.Fatalf("%s: Poll(timeout %v) reported %v, want %d events", when, timeout, events, n)
	}
	for _, e := range events {
		if e.Token() != 7 || e.Events&poll.EPOLLIN == 0 {
			t.Errorf("%s: Poll reported %v, want EPOLLIN (1) with token 7", when, e)
		}
	}
}

// loopback connects a client to a server over TCP on loopback and returns
// the server's end and the client's socket descriptor (non-blocking, as
// every socket of package net). Both are closed at the end of the test.
func loopback(t *testing.T) (server net.Conn, fd int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	raw, err := client.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Control(func(s uintptr) { fd = int(s) }); err != nil {
		t.Fatal(err)
	}
	return server, fd
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := c.Write([]byte(s)); err != nil {
		t.Fatalf("server Write(%q) = %v", s, err)
	}
}

// readN reads exactly n bytes, which have arrived, from fd.
func readN(t *testing.T, fd, n int) {
	t.Helper()
	buf := make([]byte, n)
	if got, err := unix.Read(fd, buf); got != n || err != nil {
		t.Fatalf("read(%d bytes) = %d, %v; want %d bytes", n, got, err, n)
	}
}

// TestEventString checks the book's format of an event.
func TestEventString(t *testing.T) {
	e := poll.Event{Events: poll.EPOLLIN, Data: 4}
	if got, want := e.String(), "Event { events: 1, epoll_data: 4 }"; got != want {
		t.Errorf("Event{EPOLLIN, 4}.String() = %q, want %q", got, want)
	}
}
