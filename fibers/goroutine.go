//go:build amd64 || arm64

package fibers

// goroutineID returns an identity of the running goroutine: the address of
// its descriptor (the Go runtime's g), read by goroutine_amd64.s and
// goroutine_arm64.s on every system. It is only compared, never
// dereferenced, and never 0. Spawn uses it to tell the running fiber from
// another goroutine.
func goroutineID() uintptr
