//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poll

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// queue is a kqueue, the tokens of its sockets (kqueue identifies an event
// by its descriptor; the token could go into udata, but that field is a
// pointer in x/sys/unix), and a buffer for kevent's events.
type queue struct {
	fd     int
	tokens map[int]int
	buf    []unix.Kevent_t
}

func openQueue() (queue, error) {
	fd, err := unix.Kqueue()
	if err != nil {
		return queue{}, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(fd)
	return queue{fd: fd, tokens: map[int]int{}}, nil
}

// add is kevent with EV_ADD on the read filter: EPOLLIN is EVFILT_READ, and
// EPOLLET is EV_CLEAR (kqueue is level-triggered without it, like epoll).
func (q *queue) add(fd, token int, interests uint32) error {
	flags := unix.EV_ADD
	if interests&EPOLLET != 0 {
		flags |= unix.EV_CLEAR
	}
	var change [1]unix.Kevent_t
	unix.SetKevent(&change[0], fd, unix.EVFILT_READ, flags)
	if _, err := unix.Kevent(q.fd, change[:], nil, nil); err != nil {
		return os.NewSyscallError("kevent", err)
	}
	q.tokens[fd] = token
	return nil
}

// wait is kevent with no changes, resumed after EINTR until the deadline;
// each read event becomes the epoll event EPOLLIN with the socket's token.
func (q *queue) wait(events []Event, timeout time.Duration) (int, error) {
	if cap(q.buf) < len(events) {
		q.buf = make([]unix.Kevent_t, len(events))
	}
	deadline := time.Now().Add(timeout)
	for {
		var ts *unix.Timespec
		if timeout >= 0 {
			t := unix.NsecToTimespec(max(time.Until(deadline), 0).Nanoseconds())
			ts = &t
		}
		n, err := unix.Kevent(q.fd, nil, q.buf[:len(events)], ts)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("kevent", err)
		}
		for i, ev := range q.buf[:n] {
			events[i] = Event{Events: EPOLLIN, Data: uint64(q.tokens[int(ev.Ident)])}
		}
		return n, nil
	}
}

func (q *queue) close() error { return os.NewSyscallError("close", unix.Close(q.fd)) }
