package transform

import (
	"bytes"
	"go/token"
	"slices"
)

// The clean parse, which dst decorates, is not of the whole lowered file
// but of its compact text: the lowered source with each run of copied
// declarations (see splice) blanked out, its newlines kept and its first
// and last lines' bytes turned into spaces. Everything that stays (the
// imports, the coroutines, the declarations not copied) keeps its lines
// and columns, so the clean parse's positions name the lines and columns
// of the .gocoro file; only their offsets differ from the source's, where
// a run before them was shorter. On a file of plain Go with one coroutine,
// parsing again the whole file, decorating it (the decorator looks up the
// line of every byte of its file) and indexing the type checker's record
// of all of it cost as much as the type check itself.
//
// The offsets of the clean parse are the transform's: the index of the
// type checker's record is keyed by them (the loader's positions are
// moved there by clean), and what needs the source's offsets again (the
// text of an expression) moves them back (source).

// A compaction is the compact text of a source, and where its kept
// segments start in each.
type compaction struct {
	text []byte
	runs [][2]int // blanked out, in the source
	orig []int    // the offset in the source where each kept segment starts, ascending
	at   []int    // the offset in text where it starts
}

// keptBytes returns the number of bytes of the source that the text
// keeps: its length without the runs' blanks.
func (c *compaction) keptBytes() int {
	n := len(c.text)
	for _, r := range c.runs {
		n -= c.clean(r[1]) - c.clean(r[0])
	}
	return max(n, 0)
}

// compact returns the compaction of src without the runs, sorted and
// disjoint offset ranges [start, end) of src.
func compact(src []byte, runs [][2]int) *compaction {
	if len(runs) == 0 {
		return &compaction{text: src, orig: []int{0}, at: []int{0}}
	}
	c := &compaction{runs: runs, orig: []int{0}, at: []int{0}}
	var out bytes.Buffer
	out.Grow(len(src) / 2)
	last := 0
	for _, r := range runs {
		out.Write(src[last:r[0]])
		// The run's newlines, and its last line's bytes as spaces: what
		// follows on that line keeps its column. Its first line is
		// spaces too (the placeholder's tokens are there, see
		// placeSplices; an empty line would be a blank line to the
		// decorator).
		body := src[r[0]:r[1]]
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			out.Write(bytes.Repeat([]byte(" "), bytes.IndexByte(body, '\n')))
			out.Write(bytes.Repeat([]byte("\n"), bytes.Count(body, []byte("\n"))))
			out.Write(bytes.Repeat([]byte(" "), len(body)-i-1))
		} else {
			out.Write(bytes.Repeat([]byte(" "), len(body)))
		}
		last = r[1]
		c.orig = append(c.orig, last)
		c.at = append(c.at, out.Len())
	}
	out.Write(src[last:])
	c.text = out.Bytes()
	return c
}

// clean returns the offset in the compact text of the source's offset o,
// which is in a kept segment or at a run's start.
func (c *compaction) clean(o int) int {
	k, found := slices.BinarySearch(c.orig, o)
	if !found {
		k--
	}
	return c.at[k] + o - c.orig[k]
}

// source returns the offset in the source of the compact text's offset o,
// which is in a kept segment or at a run's start.
func (c *compaction) source(o int) int {
	k, found := slices.BinarySearch(c.at, o)
	if !found {
		k--
	}
	return c.orig[k] + o - c.at[k]
}

// keeps reports whether the source's offset o is in a kept segment.
func (c *compaction) keeps(o int) bool {
	k, _ := slices.BinarySearchFunc(c.runs, o, func(r [2]int, o int) int { return r[1] - o - 1 }) // the first run ending after o
	return k == len(c.runs) || o < c.runs[k][0]
}

// cleanOffset returns the offset in the clean parse of p, a position of
// the input in the loader's file set.
func (ft *fileTransform) cleanOffset(p token.Pos) int {
	return ft.compact.clean(ft.loadFile.Offset(p))
}
