//go:build !linux

package main

import "os"

// peakKiB returns 0: only Linux's rusage is known to hold the peak memory
// of a process and its descendants in KiB.
func peakKiB(ps *os.ProcessState) int64 { return 0 }
