// Command ch05-fibers is the book's chapter 5 demo ("green threads"): two
// fibers count to 10 and 15, yielding after each print, so their lines
// alternate until fiber 1 finishes and fiber 2 counts on alone.
//
//	go run ./examples/ch05-fibers               # our assembly context switch
//	go run ./examples/ch05-fibers -backend=pull # the same program on iter.Pull
//
// Both backends print exactly the same lines. If the assembly backend cannot
// run here (another platform or Go version), the program says so on stderr
// and falls back to iter.Pull.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/corofy/corofy/fibers"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("ch05-fibers: ")
	backend := fibers.Asm
	flag.Var(&backend, "backend", "context switch: asm (our assembly) or pull (iter.Pull)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: ch05-fibers [-backend=asm|pull]")
		os.Exit(2)
	}
	rt, err := fibers.New(fibers.Config{Backend: backend})
	if errors.Is(err, fibers.ErrUnsupported) {
		log.Printf("%v; using the pull backend", err)
		rt, err = fibers.New(fibers.Config{Backend: fibers.Pull})
	}
	if err != nil {
		log.Fatal(err)
	}
	run(rt, os.Stdout)
}

// run spawns the book's two fibers on rt and runs them, printing to w.
func run(rt *fibers.Runtime, w io.Writer) {
	rt.Spawn(func(f *fibers.Fiber) {
		fmt.Fprintln(w, "THREAD 1 STARTING")
		id := 1
		for i := range 10 {
			fmt.Fprintf(w, "thread: %d counter: %d\n", id, i)
			f.Yield()
		}
		fmt.Fprintln(w, "THREAD 1 FINISHED")
	})
	rt.Spawn(func(f *fibers.Fiber) {
		fmt.Fprintln(w, "THREAD 2 STARTING")
		id := 2
		for i := range 15 {
			fmt.Fprintf(w, "thread: %d counter: %d\n", id, i)
			f.Yield()
		}
		fmt.Fprintln(w, "THREAD 2 FINISHED")
	})
	rt.Run()
}
