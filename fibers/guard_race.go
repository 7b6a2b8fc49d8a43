//go:build race

package fibers

// stackGuard is the runtime's stackGuard (runtime/stack.go) in a -race build,
// where the nosplit area is doubled. Verified at start-up.
const stackGuard = 1728
