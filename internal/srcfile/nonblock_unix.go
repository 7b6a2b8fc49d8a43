//go:build unix

package srcfile

import "syscall"

// openNonblock makes opening a named pipe return at once rather than wait
// for a writer (it changes nothing for a regular file).
const openNonblock = syscall.O_NONBLOCK
