//go:build !unix

package main

import "os"

// exitSignals are the signals that end corofy after it removes its
// temporary files.
var exitSignals = []os.Signal{os.Interrupt}

// signalStatus is the exit status of a process the signal ended.
func signalStatus(os.Signal) int { return 128 + 2 }

func isQuit(os.Signal) bool { return false }

// processGone reports whether no process pid exists on this machine: here
// that cannot be told, and a stale temporary file is kept.
func processGone(pid int) bool { return false }
