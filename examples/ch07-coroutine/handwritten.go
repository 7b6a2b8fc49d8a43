package main

import (
	"fmt"

	"github.com/corofy/corofy/examples/internal/bookhttp"
	"github.com/corofy/corofy/runtime"
)

// handwritten is asyncMain's state machine written by hand, as the book's
// chapter 7 does before corofy exists: one state per .wait, the future
// being waited on stored in the machine. Compare it with asyncMainCoroutine
// in main_corofied.go, which corofy generated; the benchmark in
// bench_test.go compares their speed.
type handwritten struct {
	state int
	get1  *bookhttp.GetFuture
	get2  *bookhttp.GetFuture
}

// The states of handwritten.
const (
	start    = iota // nothing has run yet
	wait1           // waiting for the first response
	wait2           // waiting for the second response
	resolved        // done
)

func newHandwritten() runtime.Future[struct{}] { return &handwritten{} }

func (h *handwritten) Poll(w runtime.Waker) (struct{}, bool) {
	for {
		switch h.state {
		case start:
			fmt.Println("Program starting")
			h.get1 = bookhttp.Get("/600/HelloWorld1")
			h.state = wait1
		case wait1:
			txt, ready := h.get1.Poll(w)
			if !ready {
				return struct{}{}, false
			}
			h.get1 = nil
			fmt.Println(txt)
			h.get2 = bookhttp.Get("/400/HelloWorld2")
			h.state = wait2
		case wait2:
			txt2, ready := h.get2.Poll(w)
			if !ready {
				return struct{}{}, false
			}
			h.get2 = nil
			fmt.Println(txt2)
			h.state = resolved
			return struct{}{}, true
		default:
			panic("handwritten: polled after completion")
		}
	}
}
