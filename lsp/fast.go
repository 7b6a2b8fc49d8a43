package lsp

import (
	"bytes"
	"slices"
)

// A keystroke changes a few bytes of the .gocoro; lowering the whole file
// again takes milliseconds on a large one, on the path from the keystroke
// to gopls's diagnostics. Most changes cannot change the lowering: they
// are inside a run of unchanged text, away from waits, coroutine headers
// and the package clause, and add or remove no "wait" or "coroutine". For
// those, edit applies the change to both texts at once and shifts the map;
// the server sends that to gopls, then lowers the file in full and sends a
// correction if the two differ (TestFastEdit: they do not, for such edits
// of every .gocoro of the repository).

// An editedLowering is a lowering that lowering.edit made, with the
// change that made it: what depends on the texts (their line tables, the
// shadow's change sent to gopls) is moved along with them rather than
// found again in the whole file, at every keystroke.
type editedLowering struct {
	*lowering
	base         *lowering // the lowering it was made from
	start, end   int       // base.src[start:end] was replaced by text
	gStart, gEnd int       // base.goSrc[gStart:gEnd] was replaced by text
	text         string
}

// edit returns the lowering of the source in which src[start:end] is
// replaced by text, made by applying the change to both texts, or nil if
// the change might change the lowering.
func (l *lowering) edit(start, end int, text string) *editedLowering {
	if start < 0 || end < start || end > len(l.src) || !l.mayEdit(start, end, text) {
		return nil
	}
	i := l.m.find(start, false, func(s segment) int { return s.src })
	if i < 0 {
		return nil
	}
	seg := l.m.segs[i]
	if end > seg.src+seg.n || start == seg.src+seg.n && i != len(l.m.segs)-1 {
		return nil // not inside one run of unchanged text
	}
	delta := len(text) - (end - start)
	gStart, gEnd := seg.dst+start-seg.src, seg.dst+end-seg.src
	n := &lowering{
		src:    splice(l.src, start, end, text),
		goSrc:  splice(l.goSrc, gStart, gEnd, text),
		rtName: l.rtName,
		pkg:    shift(l.pkg, end, delta),
	}
	n.m.segs = slices.Clone(l.m.segs)
	n.m.segs[i].n += delta
	for j := i + 1; j < len(n.m.segs); j++ {
		n.m.segs[j].src += delta
		n.m.segs[j].dst += delta
	}
	n.waits = make([]wait, 0, len(l.waits))
	for _, w := range l.waits {
		n.waits = append(n.waits, wait{x: shift(w.x, end, delta), word: [2]int{shift(w.word[0], end, delta), shift(w.word[1], end, delta)}, await: w.await})
	}
	n.bodies = shiftSpans(l.bodies, end, delta)
	n.headers = shiftSpans(l.headers, end, delta)
	return &editedLowering{lowering: n, base: l, start: start, end: end, gStart: gStart, gEnd: gEnd, text: text}
}

// mayEdit reports whether replacing src[start:end] by text leaves the
// lowering as it is, as far as a quick look can tell: no line it touches
// holds a wait, a coroutine header or body end, or the package clause;
// neither the words it touches nor the text hold "wait" or "coroutine";
// and it opens or closes no comment or raw string.
func (l *lowering) mayEdit(start, end int, text string) bool {
	if bytes.Contains([]byte(text), []byte("`")) || bytes.Contains([]byte(text), []byte("/*")) || bytes.Contains([]byte(text), []byte("*/")) {
		return false
	}
	removed := l.src[start:end]
	if bytes.ContainsAny(removed, "`") || bytes.Contains(removed, []byte("/*")) || bytes.Contains(removed, []byte("*/")) {
		return false
	}
	// The words around the change, before and after it.
	ws, we := start, end
	for ws > 0 && isWordByte(l.src[ws-1]) {
		ws--
	}
	for we < len(l.src) && isWordByte(l.src[we]) {
		we++
	}
	before := l.src[ws:we]
	after := string(l.src[ws:start]) + text + string(l.src[end:we])
	for _, w := range []string{"wait", "coroutine"} {
		if bytes.Contains(before, []byte(w)) || bytes.Contains([]byte(after), []byte(w)) {
			return false
		}
	}
	// Whether the lines from lo to hi meet the lines of the span [a, b]:
	// since lo starts a line and hi ends one, whether a <= hi and b >= lo.
	lo, hi := lineStart(l.src, start), lineEnd(l.src, end)
	touches := func(a, b int) bool { return a <= hi && b >= lo }
	if l.pkg >= 0 && touches(l.pkg, l.pkg) {
		return false
	}
	for _, w := range l.waits {
		if touches(w.x, w.word[1]) {
			return false
		}
	}
	for _, h := range l.headers {
		if touches(h[0], h[1]) {
			return false
		}
	}
	for _, b := range l.bodies {
		if touches(b[1]-1, b[1]) {
			return false
		}
	}
	return true
}

// lineStart returns the offset of the start of the line holding off.
func lineStart(src []byte, off int) int {
	return bytes.LastIndexByte(src[:min(off, len(src))], '\n') + 1
}

// lineEnd returns the offset of the end of the line holding off.
func lineEnd(src []byte, off int) int {
	off = min(off, len(src))
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(src)
}

// splice returns b with b[start:end] replaced by text, in a new slice.
func splice(b []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(b)-(end-start)+len(text))
	return append(append(append(out, b[:start]...), text...), b[end:]...)
}

// shift returns the offset off after a change ending at end that moved
// what follows it by delta.
func shift(off, end, delta int) int {
	if off >= end {
		return off + delta
	}
	return off
}

func shiftSpans(spans [][2]int, end, delta int) [][2]int {
	out := make([][2]int, 0, len(spans))
	for _, s := range spans {
		out = append(out, [2]int{shift(s[0], end, delta), shift(s[1], end, delta)})
	}
	return out
}
