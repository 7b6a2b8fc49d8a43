//go:build !race

package fibers

// stackGuard is the runtime's stackGuard (runtime/stack.go): how far above
// g.stack.lo the stack-growth check fires. It depends on -race. Verified at
// start-up; keep in sync with the runtime.
const stackGuard = 928
