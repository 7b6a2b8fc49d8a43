//go:build linux

package runtime

import (
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// poller is the epoll backend of the reactor (see the platform contract in
// reactor.go). Like Go's runtime/netpoll_epoll.go it registers descriptors
// edge-triggered (EPOLLET) and interrupts epoll_wait through an eventfd.
type poller struct {
	epfd    int
	eventfd int
	wakeSig atomic.Uint32 // 1 while an interrupt is written and not yet drained
	raw     []unix.EpollEvent
}

// wakeupID is the id of the eventfd's registration; resource ids start at 1.
const wakeupID = 0

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	p := &poller{epfd: epfd, eventfd: efd, raw: make([]unix.EpollEvent, 128)}
	// Level-triggered: an undrained eventfd keeps interrupting, so a lost
	// drain can never lose a wake-up.
	ev := unix.EpollEvent{Events: unix.EPOLLIN}
	setEpollID(&ev, wakeupID)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, efd, &ev); err != nil {
		unix.Close(efd)
		unix.Close(epfd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	return p, nil
}

// epollEvents translates an Interest into epoll flags, always edge-triggered.
// EPOLLRDHUP reports the peer's shutdown as readability (read returns 0).
func epollEvents(in Interest) uint32 {
	ev := uint32(unix.EPOLLET)
	if in&Readable != 0 {
		ev |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if in&Writable != 0 {
		ev |= unix.EPOLLOUT
	}
	return ev
}

// setEpollID stores id in the event's 64-bit user data (the Fd and Pad
// fields of x/sys's EpollEvent, which together cover epoll_data).
func setEpollID(ev *unix.EpollEvent, id ResourceID) {
	ev.Fd = int32(uint32(id))
	ev.Pad = int32(uint32(id >> 32))
}

func epollID(ev *unix.EpollEvent) ResourceID {
	return ResourceID(uint32(ev.Fd)) | ResourceID(uint32(ev.Pad))<<32
}

func (p *poller) ctl(op, fd int, id ResourceID, in Interest) error {
	ev := unix.EpollEvent{Events: epollEvents(in)}
	setEpollID(&ev, id)
	for {
		err := unix.EpollCtl(p.epfd, op, fd, &ev)
		if err != unix.EINTR {
			return os.NewSyscallError("epoll_ctl", err)
		}
	}
}

func (p *poller) add(fd int, id ResourceID, in Interest) error {
	return p.ctl(unix.EPOLL_CTL_ADD, fd, id, in)
}

func (p *poller) modify(fd int, id ResourceID, in Interest) error {
	return p.ctl(unix.EPOLL_CTL_MOD, fd, id, in)
}

func (p *poller) remove(fd int) error {
	return p.ctl(unix.EPOLL_CTL_DEL, fd, 0, 0)
}

func (p *poller) wait(timeout time.Duration, events []event) ([]event, error) {
	ms := -1
	if timeout >= 0 {
		// Round up: waking before the timer is due would only spin.
		ms = int(min((timeout+time.Millisecond-1)/time.Millisecond, 1<<30))
	}
	var n int
	for {
		var err error
		n, err = unix.EpollWait(p.epfd, p.raw, ms)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return events, os.NewSyscallError("epoll_wait", err)
		}
		ms = 0 // a signal arrived: report what is ready, the loop recomputes timers
	}
	for i := range p.raw[:n] {
		ev := &p.raw[i]
		id := epollID(ev)
		if id == wakeupID {
			p.drain()
			continue
		}
		var ready Interest
		if ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			ready |= Readable
		}
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			ready |= Writable
		}
		events = append(events, event{id: id, ready: ready})
	}
	return events, nil
}

// drain empties the eventfd and allows the next interrupt to write again.
func (p *poller) drain() {
	var buf [8]byte
	for {
		_, err := unix.Read(p.eventfd, buf[:])
		if err != unix.EINTR {
			break
		}
	}
	p.wakeSig.Store(0)
}

func (p *poller) interrupt() error {
	// An interrupt is already on its way: the wait will return anyway.
	if !p.wakeSig.CompareAndSwap(0, 1) {
		return nil
	}
	one := uint64(1)
	buf := (*[8]byte)(unsafe.Pointer(&one))[:]
	for {
		_, err := unix.Write(p.eventfd, buf)
		switch err {
		case nil, unix.EAGAIN: // EAGAIN: the counter is full, a wake is pending
			return nil
		case unix.EINTR:
			continue
		default:
			p.wakeSig.Store(0)
			return os.NewSyscallError("write", err)
		}
	}
}

func (p *poller) close() error {
	err1 := unix.Close(p.eventfd)
	err2 := unix.Close(p.epfd)
	if err1 != nil {
		return os.NewSyscallError("close", err1)
	}
	return os.NewSyscallError("close", err2)
}
