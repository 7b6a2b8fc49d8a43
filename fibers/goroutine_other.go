//go:build !amd64 && !arm64

package fibers

// goroutineID returns 0, "unknown", where no assembly reads the running
// goroutine's identity: Spawn then cannot tell a fiber from another
// goroutine, and does not check (see goroutine.go).
func goroutineID() uintptr { return 0 }
