package fibers

// queue is the FIFO of ready fibers: a ring buffer whose length is a power of
// two (indices wrap with a mask, not a division), growing by doubling.
// Popping the front and pushing the yielding fiber at the back is the book's
// round-robin scan without the scan.
type queue struct {
	buf        []*Fiber
	head, size int
}

func (q *queue) len() int { return q.size }

func (q *queue) push(f *Fiber) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = f
	q.size++
}

// pop removes and returns the front fiber, or nil if q is empty.
func (q *queue) pop() *Fiber {
	if q.size == 0 {
		return nil
	}
	f := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return f
}

func (q *queue) grow() {
	n := 2 * len(q.buf)
	if n == 0 {
		n = 8
	}
	buf := make([]*Fiber, n)
	for i := range q.size {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
