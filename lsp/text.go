package lsp

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"
)

// A text is a document's content with the start of each line, to turn
// LSP positions (line, UTF-16 column) into byte offsets and back. Lines
// end at "\n"; a "\r" before it belongs to the line ending, and a column
// past the end of a line means its end, as the protocol says.
type text struct {
	src   []byte
	lines []int // offset of the start of each line
}

func newText(src []byte) *text {
	t := &text{src: src, lines: make([]int, 1, bytes.Count(src, newline)+1)}
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return t
		}
		off += i + 1
		t.lines = append(t.lines, off)
	}
}

var newline = []byte("\n")

// edited returns the text of src, which is t's with t.src[start:end]
// replaced by n bytes: the line starts up to start are t's, those in the
// new bytes are found, and those after end are t's, moved.
func (t *text) edited(src []byte, start, end, n int) *text {
	keep := t.line(start) + 1               // lines[:keep] start at or before start
	gone := sort.SearchInts(t.lines, end+1) // lines starting in (start, end] are gone
	lines := make([]int, keep, len(t.lines)+bytes.Count(src[start:start+n], newline))
	copy(lines, t.lines[:keep])
	for off := start; ; {
		i := bytes.IndexByte(src[off:start+n], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		lines = append(lines, off)
	}
	delta := n - (end - start)
	for _, l := range t.lines[gone:] {
		lines = append(lines, l+delta)
	}
	return &text{src: src, lines: lines}
}

// between reports whether the offset off is a position: not inside a
// character, nor between the "\r" and "\n" of a line ending.
func (t *text) between(off int) bool {
	if off <= 0 || off >= len(t.src) {
		return off == 0 || off == len(t.src)
	}
	return utf8.RuneStart(t.src[off]) && !(t.src[off] == '\n' && t.src[off-1] == '\r')
}

// lineEnd returns the offset of the end of line l's content.
func (t *text) lineEnd(l int) int {
	if l+1 >= len(t.lines) {
		return len(t.src)
	}
	end := t.lines[l+1] - 1 // the "\n"
	if end > t.lines[l] && t.src[end-1] == '\r' {
		end--
	}
	return end
}

// offset returns the byte offset of p. A line past the end is an error; a
// column past the end of its line is the line's end; a column inside a
// character that takes two UTF-16 units is the character's start.
func (t *text) offset(p Position) (int, error) {
	if p.Line < 0 || p.Character < 0 {
		return 0, fmt.Errorf("invalid position %d:%d", p.Line, p.Character)
	}
	if p.Line >= len(t.lines) {
		if p.Line == len(t.lines) && p.Character == 0 {
			return len(t.src), nil
		}
		return 0, fmt.Errorf("position %d:%d is past the last line (%d lines)", p.Line, p.Character, len(t.lines))
	}
	off, end := t.lines[p.Line], t.lineEnd(p.Line)
	for col := 0; off < end; {
		r, size := utf8.DecodeRune(t.src[off:end])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if col+w > p.Character {
			break
		}
		col += w
		off += size
	}
	return off, nil
}

// position returns the position of the byte offset off (clamped to the
// text).
func (t *text) position(off int) Position {
	off = max(0, min(off, len(t.src)))
	l := t.line(off)
	col := 0
	for i := t.lines[l]; i < off; {
		r, size := utf8.DecodeRune(t.src[i:])
		if i+size > off {
			break // inside a character: its start
		}
		if r >= 0x10000 {
			col += 2
		} else {
			col++
		}
		i += size
	}
	return Position{Line: l, Character: col}
}

// line returns the line holding offset off.
func (t *text) line(off int) int {
	lo, hi := 0, len(t.lines)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if t.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// applyChanges returns src with the LSP content changes applied in order.
// A change without a range replaces the whole text.
func applyChanges(src []byte, changes []contentChange) ([]byte, error) {
	t, err := newText(src).apply(changes)
	if err != nil {
		return nil, err
	}
	return t.src, nil
}

// apply returns t with the LSP content changes applied in order, its line
// table moved along (see edited). A change without a range replaces the
// whole text.
func (t *text) apply(changes []contentChange) (*text, error) {
	for _, c := range changes {
		if c.Range == nil {
			t = newText([]byte(c.Text))
			continue
		}
		start, err := t.offset(c.Range.Start)
		if err != nil {
			return nil, err
		}
		end, err := t.offset(c.Range.End)
		if err != nil {
			return nil, err
		}
		if end < start {
			return nil, fmt.Errorf("change range ends (%d:%d) before it starts (%d:%d)", c.Range.End.Line, c.Range.End.Character, c.Range.Start.Line, c.Range.Start.Character)
		}
		t = t.edited(splice(t.src, start, end, c.Text), start, end, len(c.Text))
	}
	return t, nil
}
