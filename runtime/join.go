package runtime

// JoinAll returns a future that polls all of fs concurrently (each poll of
// the join polls every child that is not yet complete, with the same waker)
// and completes with their outputs in the order of fs, once all are complete.
// Like every future it is lazy: no child is polled before the join is.
func JoinAll[T any](fs []Future[T]) Future[[]T] {
	return &joinAll[T]{futures: fs, outputs: make([]T, len(fs)), pending: len(fs)}
}

type joinAll[T any] struct {
	futures []Future[T] // nil once that child is complete
	outputs []T
	pending int
	done    bool
}

func (j *joinAll[T]) Poll(w Waker) ([]T, bool) {
	if j.done {
		panic("runtime: JoinAll future polled after completion")
	}
	for i, f := range j.futures {
		if f == nil {
			continue
		}
		if v, ok := f.Poll(w); ok {
			j.outputs[i] = v
			j.futures[i] = nil // drop the completed child
			j.pending--
		}
	}
	if j.pending > 0 {
		return nil, false
	}
	j.done = true
	return j.outputs, true
}
