//go:build amd64 || arm64

package runtime

// goroutineID returns an identity of the running goroutine: the address of
// its descriptor (the Go runtime's g), read by a three-instruction assembly
// function (goroutine_amd64.s, goroutine_arm64.s). The address is only
// compared, never dereferenced, so nothing depends on the descriptor's
// layout. It is unique among live goroutines (a descriptor is reused only
// after its goroutine has exited) and never 0.
//
// The executor uses it to tell a wake from its own goroutine, during a poll,
// from a wake from anywhere else: the first needs no atomic operation.
func goroutineID() uintptr
