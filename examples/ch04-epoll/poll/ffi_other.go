//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poll

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// queue: this system has neither epoll nor kqueue (Windows has IOCP, which
// the book describes but does not build).
type queue struct{}

var errNoQueue = fmt.Errorf("poll: no epoll or kqueue on %s: %w", runtime.GOOS, errors.ErrUnsupported)

func openQueue() (queue, error)                            { return queue{}, errNoQueue }
func (q *queue) add(fd, token int, interests uint32) error { return errNoQueue }
func (q *queue) wait([]Event, time.Duration) (int, error)  { return 0, errNoQueue }
func (q *queue) close() error                              { return errNoQueue }
