//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package runtime

import (
	"errors"
	"time"
)

// poller is the backend for systems without epoll or kqueue: it cannot be
// created, so DefaultReactor reports an error and the reactor's leaf futures
// fail with it. The executor, JoinAll, Race and SpawnBlocking still work.
type poller struct{}

func newPoller() (*poller, error) {
	return nil, errors.New("runtime: no reactor on this operating system (needs epoll or kqueue)")
}

func (*poller) add(int, ResourceID, Interest) error          { panic("unreachable") }
func (*poller) modify(int, ResourceID, Interest) error       { panic("unreachable") }
func (*poller) remove(int) error                             { panic("unreachable") }
func (*poller) wait(time.Duration, []event) ([]event, error) { panic("unreachable") }
func (*poller) interrupt() error                             { panic("unreachable") }
func (*poller) close() error                                 { panic("unreachable") }
