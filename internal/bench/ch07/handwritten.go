package ch07

import "github.com/corofy/corofy/runtime"

// handwritten is asyncMain written by hand, as examples/ch07-coroutine's
// handwritten.go, over the same leaf.
type handwritten struct {
	state int
	get1  *leaf
	get2  *leaf
}

func newHandwritten() runtime.Future[struct{}] { return &handwritten{} }

func (h *handwritten) Poll(w runtime.Waker) (struct{}, bool) {
	for {
		switch h.state {
		case 0:
			use("Program starting")
			h.get1 = get("/600/HelloWorld1")
			h.state = 1
		case 1:
			txt, ready := h.get1.Poll(w)
			if !ready {
				return struct{}{}, false
			}
			h.get1 = nil
			use(txt)
			h.get2 = get("/400/HelloWorld2")
			h.state = 2
		case 2:
			txt2, ready := h.get2.Poll(w)
			if !ready {
				return struct{}{}, false
			}
			h.get2 = nil
			use(txt2)
			h.state = 3
			return struct{}{}, true
		default:
			panic("handwritten: polled after completion")
		}
	}
}
