// Package poll is the book's chapter 4 event queue: a tiny mio, the library
// under every Rust runtime, over the operating system's own queue.
//
// The idea: instead of one thread blocked in read per socket, one thread
// tells the kernel which sockets it cares about (Registry.Register, with a
// token of its choosing), then sleeps in a single call (Poll.Poll) until one
// or more of them is ready. The kernel wakes it with a list of events, each
// carrying the token registered for its socket, so the program knows which
// socket to read without asking every one.
//
// Three calls do all of it, and they are all this package wraps: on Linux,
// epoll_create (New), epoll_ctl with EPOLL_CTL_ADD (Register) and epoll_wait
// (Poll) in ffi_epoll.go; on macOS and the BSDs the same three with kqueue
// and kevent in ffi_kqueue.go, where interests and events are translated to
// and from epoll's values, so that the program and its output are the same.
//
// # Edge-triggered and level-triggered
//
// A registration with EPOLLET is edge-triggered: an event is reported when
// the socket becomes readable (new data arrives), once. The reader must then
// read until the socket has nothing left (EAGAIN): data left unread raises no
// new event, and a program that does not drain waits forever. Without
// EPOLLET a registration is level-triggered: every Poll reports the socket
// for as long as it has unread data. The book, like mio, registers
// edge-triggered; poll_test.go shows the difference on a real socket.
package poll

import (
	"fmt"
	"time"
)

// Interests, with epoll's values (the book's ffi module defines the same).
const (
	EPOLLIN uint32 = 0x1     // readable
	EPOLLET uint32 = 1 << 31 // edge-triggered
)

// Event is one readiness event: what happened (Events, epoll's bits) and the
// token the socket was registered with (Data, epoll_data).
type Event struct {
	Events uint32
	Data   uint64
}

// Token returns the token the event's socket was registered with.
func (e Event) Token() int { return int(e.Data) }

// String formats e as the book prints it: Event { events: 1, epoll_data: 4 }.
func (e Event) String() string {
	return fmt.Sprintf("Event { events: %d, epoll_data: %d }", e.Events, e.Data)
}

// Events is the buffer Poll fills: Poll reports at most cap(events) events,
// so make it with a capacity: make(poll.Events, 0, 10).
type Events []Event

// Poll is an event queue. Close releases it.
type Poll struct {
	registry Registry
}

// Registry registers sockets with a Poll.
type Registry struct {
	q queue // the operating system's queue, in ffi_*.go
}

// New opens a new event queue.
func New() (*Poll, error) {
	q, err := openQueue()
	if err != nil {
		return nil, err
	}
	return &Poll{registry: Registry{q: q}}, nil
}

// Registry returns the registry of p's queue.
func (p *Poll) Registry() *Registry { return &p.registry }

// Poll sleeps until at least one registered socket has an event, or timeout
// has passed (a negative timeout waits for as long as it takes), and sets
// *events to the events, at most cap(*events) of them. An empty result means
// the timeout passed. Interrupted waits (EINTR) are resumed.
func (p *Poll) Poll(events *Events, timeout time.Duration) error {
	n, err := p.registry.q.wait((*events)[:cap(*events)], timeout)
	if err != nil {
		return err
	}
	*events = (*events)[:n]
	return nil
}

// Close closes the queue.
func (p *Poll) Close() error { return p.registry.q.close() }

// Register asks the queue to report the events of interests (EPOLLIN,
// optionally with EPOLLET) on the socket fd, with token in each event.
func (r *Registry) Register(fd, token int, interests uint32) error {
	return r.q.add(fd, token, interests)
}
