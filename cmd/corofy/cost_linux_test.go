package main

import (
	"os"
	"syscall"
)

// peakKiB returns the peak resident memory of the largest process of a
// finished run: the process or one of the descendants it waited for (Linux
// reports the largest in ru_maxrss, in KiB).
func peakKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
