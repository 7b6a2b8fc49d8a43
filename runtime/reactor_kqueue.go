//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// poller is the kqueue backend of the reactor (see the platform contract in
// reactor.go). Descriptors are added with EV_CLEAR, kqueue's edge trigger,
// one kevent per filter (EVFILT_READ, EVFILT_WRITE). The loop is interrupted
// through a non-blocking pipe, which every kqueue system has (EVFILT_USER is
// missing on OpenBSD), as Go's runtime/netpoll_kqueue_pipe.go does.
//
// The id of a registration is kept in a map by fd rather than in the
// kevent's udata, whose type differs between the BSDs.
type poller struct {
	kq      int
	rd, wr  int // the interrupt pipe
	wakeSig atomic.Uint32
	raw     []unix.Kevent_t

	mu  sync.Mutex
	ids map[int]ResourceID
}

func newPoller() (*poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		unix.Close(kq)
		return nil, os.NewSyscallError("pipe", err)
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		unix.SetNonblock(fd, true)
	}
	p := &poller{kq: kq, rd: fds[0], wr: fds[1], raw: make([]unix.Kevent_t, 128), ids: make(map[int]ResourceID)}
	var ev [1]unix.Kevent_t
	unix.SetKevent(&ev[0], p.rd, unix.EVFILT_READ, unix.EV_ADD)
	if err := p.kevent(ev[:]); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// kevent applies changes, retrying EINTR.
func (p *poller) kevent(changes []unix.Kevent_t) error {
	for {
		_, err := unix.Kevent(p.kq, changes, nil, nil)
		if err != unix.EINTR {
			return os.NewSyscallError("kevent", err)
		}
	}
}

// changes returns the kevents that make fd watched for exactly in.
func changes(fd int, in Interest) []unix.Kevent_t {
	evs := make([]unix.Kevent_t, 2)
	flags := func(want bool) int {
		if want {
			return unix.EV_ADD | unix.EV_CLEAR | unix.EV_ENABLE
		}
		return unix.EV_ADD | unix.EV_DISABLE
	}
	unix.SetKevent(&evs[0], fd, unix.EVFILT_READ, flags(in&Readable != 0))
	unix.SetKevent(&evs[1], fd, unix.EVFILT_WRITE, flags(in&Writable != 0))
	return evs
}

func (p *poller) add(fd int, id ResourceID, in Interest) error {
	p.mu.Lock()
	p.ids[fd] = id
	p.mu.Unlock()
	if err := p.kevent(changes(fd, in)); err != nil {
		p.mu.Lock()
		delete(p.ids, fd)
		p.mu.Unlock()
		return err
	}
	return nil
}

func (p *poller) modify(fd int, id ResourceID, in Interest) error {
	p.mu.Lock()
	p.ids[fd] = id
	p.mu.Unlock()
	// EV_ADD on an existing kevent updates it and re-arms EV_CLEAR.
	return p.kevent(changes(fd, in))
}

func (p *poller) remove(fd int) error {
	p.mu.Lock()
	delete(p.ids, fd)
	p.mu.Unlock()
	evs := make([]unix.Kevent_t, 2)
	unix.SetKevent(&evs[0], fd, unix.EVFILT_READ, unix.EV_DELETE)
	unix.SetKevent(&evs[1], fd, unix.EVFILT_WRITE, unix.EV_DELETE)
	// Deleting both filters: one may never have been added (ENOENT), which
	// is not an error here.
	if err := p.kevent(evs); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func (p *poller) wait(timeout time.Duration, events []event) ([]event, error) {
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout))
		ts = &t
	}
	var n int
	for {
		var err error
		n, err = unix.Kevent(p.kq, nil, p.raw, ts)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return events, os.NewSyscallError("kevent", err)
		}
		ts = &unix.Timespec{} // report what is ready; the loop recomputes timers
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.raw[:n] {
		ev := &p.raw[i]
		fd := int(ev.Ident)
		if fd == p.rd {
			p.drain()
			continue
		}
		id, ok := p.ids[fd]
		if !ok {
			continue // removed while the event was queued
		}
		ready := Readable | Writable // EV_EOF or EV_ERROR: let both sides see it
		if ev.Flags&(unix.EV_EOF|unix.EV_ERROR) == 0 {
			switch ev.Filter {
			case unix.EVFILT_READ:
				ready = Readable
			case unix.EVFILT_WRITE:
				ready = Writable
			}
		}
		events = append(events, event{id: id, ready: ready})
	}
	return events, nil
}

// drain empties the pipe and allows the next interrupt to write again.
func (p *poller) drain() {
	var buf [16]byte
	for {
		n, err := unix.Read(p.rd, buf[:])
		if err == unix.EINTR || n == len(buf) {
			continue
		}
		break
	}
	p.wakeSig.Store(0)
}

func (p *poller) interrupt() error {
	if !p.wakeSig.CompareAndSwap(0, 1) {
		return nil
	}
	for {
		_, err := unix.Write(p.wr, []byte{0})
		switch err {
		case nil, unix.EAGAIN: // EAGAIN: the pipe is full, a wake is pending
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
	unix.Close(p.rd)
	unix.Close(p.wr)
	return os.NewSyscallError("close", unix.Close(p.kq))
}
