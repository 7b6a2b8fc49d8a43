package fibers_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/corofy/corofy/fibers"
)

// Two fibers take turns: each Yield switches to the next ready fiber, round
// robin, until both have finished.
func ExampleRuntime() {
	rt, err := fibers.New(fibers.Config{Backend: fibers.Pull})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"ping", "pong"} {
		rt.Spawn(func(f *fibers.Fiber) {
			for i := range 3 {
				fmt.Println(name, i)
				f.Yield()
			}
		})
	}
	rt.Run()
	// Output:
	// ping 0
	// pong 0
	// ping 1
	// pong 1
	// ping 2
	// pong 2
}

// New returns an error wrapping ErrUnsupported where the assembly backend
// was not verified (another Go version or platform); the Pull backend runs
// everywhere, with the same API and the same order.
func ExampleNew() {
	rt, err := fibers.New(fibers.Config{Backend: fibers.Asm})
	if errors.Is(err, fibers.ErrUnsupported) {
		rt, err = fibers.New(fibers.Config{Backend: fibers.Pull})
	}
	if err != nil {
		panic(err)
	}
	rt.Spawn(func(f *fibers.Fiber) {
		fmt.Println("fiber", f.ID(), "before Yield")
		f.Yield()
		fmt.Println("fiber", f.ID(), "after Yield")
	})
	rt.Run()
	// Output:
	// fiber 1 before Yield
	// fiber 1 after Yield
}

// On the Asm backend the garbage collector does not see a suspended fiber's
// stack: a heap value used after a Yield must be kept (see "The contract").
func ExampleKeep() {
	rt, err := fibers.New(fibers.Config{Backend: fibers.Asm})
	if errors.Is(err, fibers.ErrUnsupported) {
		rt, err = fibers.New(fibers.Config{Backend: fibers.Pull})
	}
	if err != nil {
		panic(err)
	}
	rt.Spawn(func(f *fibers.Fiber) {
		greeting := fibers.Keep(f, strings.Repeat("ab", 3))
		f.Yield()
		fmt.Println(greeting) // still alive: kept until the fiber finishes
	})
	rt.Run()
	// Output: ababab
}
