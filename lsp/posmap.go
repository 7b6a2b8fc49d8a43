package lsp

import "sort"

// A posMap relates byte offsets of a .gocoro text and of its lowered Go
// text. The lowering keeps every byte the user wrote, in order, and
// inserts or replaces short runs between them: the map is the list of the
// runs of unchanged text, each at its offset in both texts.
//
// An offset in an unchanged run maps exactly: the point before a byte of
// the run, or with end, the point after one. One in
// text the lowering inserted or replaced has no counterpart: it maps to
// the nearest edge, and the caller is told it is not exact.
type posMap struct {
	segs []segment // in increasing order of src and of dst
}

// A segment is a run of n bytes at src in the source and dst in the Go text.
type segment struct{ src, dst, n int }

// toGo returns the offset in the Go text of the source offset off, and
// whether it is exact. Where two runs meet at off (text was inserted
// there), end chooses the run that ends there over the one that starts
// there: the end of a range goes before inserted text, its start after.
func (m *posMap) toGo(off int, end bool) (int, bool) {
	i := m.find(off, end, func(s segment) int { return s.src })
	if i < 0 {
		return 0, false
	}
	s := m.segs[i]
	if off >= s.src && off <= s.src+s.n {
		return s.dst + off - s.src, m.exact(i, off-s.src, end)
	}
	// In replaced text: after the end of run i, before run i+1.
	if i+1 < len(m.segs) {
		return m.segs[i+1].dst, false
	}
	return s.dst + s.n, false
}

// toSource returns the source offset of the offset off of the Go text,
// and whether it is exact; end chooses as in toGo.
func (m *posMap) toSource(off int, end bool) (int, bool) {
	i := m.find(off, end, func(s segment) int { return s.dst })
	if i < 0 {
		return 0, false
	}
	s := m.segs[i]
	if off >= s.dst && off <= s.dst+s.n {
		return s.src + off - s.dst, m.exact(i, off-s.dst, end)
	}
	// In inserted text: it stands where the next run starts.
	if i+1 < len(m.segs) {
		return m.segs[i+1].src, false
	}
	return s.src + s.n, false
}

// exact reports whether the offset k bytes into segment i maps exactly:
// the byte there (or with end, the byte before it) is in the segment.
// The edges of the file map exactly, there being no byte to compare.
func (m *posMap) exact(i, k int, end bool) bool {
	n := m.segs[i].n
	if end {
		return k > 0 || i == 0 && k == 0
	}
	return k < n || i == len(m.segs)-1 && k == n
}

// find returns the index of the last segment starting at or before off
// (by key), or, with end set and off at the start of a segment, the one
// before it if it ends at off; -1 if off is before every segment.
func (m *posMap) find(off int, end bool, key func(segment) int) int {
	i := sort.Search(len(m.segs), func(i int) bool { return key(m.segs[i]) > off }) - 1
	if i < 0 {
		return -1
	}
	if end && i > 0 && key(m.segs[i]) == off {
		prev := m.segs[i-1]
		if key(prev)+prev.n == off {
			return i - 1
		}
	}
	// Several empty runs may start at off; the last one is the one
	// before the text that follows.
	return i
}
