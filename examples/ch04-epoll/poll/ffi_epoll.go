//go:build linux

package poll

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// queue is an epoll instance, and a buffer for epoll_wait's events.
type queue struct {
	fd  int
	buf []unix.EpollEvent
}

func openQueue() (queue, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return queue{}, os.NewSyscallError("epoll_create1", err)
	}
	return queue{fd: fd}, nil
}

// add is epoll_ctl(EPOLL_CTL_ADD). epoll_data is 64 bits; x/sys/unix
// splits it into Fd and Pad, and the token goes into Fd.
func (q *queue) add(fd, token int, interests uint32) error {
	if token < 0 || token > 1<<31-1 {
		return fmt.Errorf("token %d out of range", token)
	}
	ev := unix.EpollEvent{Events: interests, Fd: int32(token)}
	return os.NewSyscallError("epoll_ctl", unix.EpollCtl(q.fd, unix.EPOLL_CTL_ADD, fd, &ev))
}

// wait is epoll_wait, resumed after EINTR (which the Go runtime's own
// signals cause) until the deadline.
func (q *queue) wait(events []Event, timeout time.Duration) (int, error) {
	if cap(q.buf) < len(events) {
		q.buf = make([]unix.EpollEvent, len(events))
	}
	deadline := time.Now().Add(timeout)
	for {
		ms := -1
		if timeout >= 0 {
			ms = int(max(time.Until(deadline).Milliseconds(), 0))
		}
		n, err := unix.EpollWait(q.fd, q.buf[:len(events)], ms)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("epoll_wait", err)
		}
		for i, ev := range q.buf[:n] {
			events[i] = Event{Events: ev.Events, Data: uint64(uint32(ev.Fd))}
		}
		return n, nil
	}
}

func (q *queue) close() error { return os.NewSyscallError("close", unix.Close(q.fd)) }
