//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// exitSignals are the signals that end corofy after it removes its
// temporary files.
var exitSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// signalStatus is the exit status a shell reports for a process the
// signal killed.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

func isQuit(sig os.Signal) bool { return sig == syscall.SIGQUIT }

// processGone reports whether no process pid exists on this machine. It
// is false when that cannot be told.
func processGone(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}
