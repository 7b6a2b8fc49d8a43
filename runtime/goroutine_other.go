//go:build !amd64 && !arm64

package runtime

// goroutineID returns 0, "unknown", where no assembly reads the running
// goroutine's identity: every wake then takes the path that is safe from
// any goroutine (see goroutine.go).
func goroutineID() uintptr { return 0 }
