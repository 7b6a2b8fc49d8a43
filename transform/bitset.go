package transform

import "math/bits"

// bitset is a set of small non-negative integers: the variables live in a
// state (numbered by their place in machine.order), or the states a
// variable occupies. Liveness and field sharing work on these, so their
// cost grows with the number of words, not with map operations per pair.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) add(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// unionMinus sets b to b | (x &^ minus) and reports whether b changed.
func (b bitset) unionMinus(x, minus bitset) bool {
	changed := false
	for i := range b {
		w := b[i] | x[i]&^minus[i]
		if w != b[i] {
			b[i], changed = w, true
		}
	}
	return changed
}

// union sets b to b | x.
func (b bitset) union(x bitset) {
	for i := range b {
		b[i] |= x[i]
	}
}

// intersects reports whether b and x have an element in common.
func (b bitset) intersects(x bitset) bool {
	for i := range b {
		if b[i]&x[i] != 0 {
			return true
		}
	}
	return false
}

// each calls fn for each element of b, in increasing order.
func (b bitset) each(fn func(int)) {
	for i, w := range b {
		for w != 0 {
			j := bits.TrailingZeros64(w)
			fn(i*64 + j)
			w &^= 1 << j
		}
	}
}
