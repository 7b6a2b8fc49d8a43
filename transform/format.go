package transform

import (
	"bytes"
	"fmt"
	"go/format"
	"runtime"
	"sync"
)

// The output is formatted in pieces, several at once (one per CPU): on a
// file of thousands of coroutines, format.Source, which parses and prints
// the whole output again, was a large part of corofy's time, on one CPU.
//
// gofmt formats each top-level declaration by itself: what it prints of
// one depends on its own tokens and comments, and on the space before it.
// Cut where a blank line stands before a declaration (or before comments
// that a blank line separates from what comes before them), the pieces
// format to what the whole file formats to: the one blank line stays one
// blank line (gofmt keeps at most one, and always one that is there), and
// the printer's alignment of comments and fields ends at a blank line.
// A piece after the first has no package clause: format.Source formats
// such a list of declarations as it would in a file.
//
// The cuts are made only where a filled declaration starts (a machine
// printed on its own, or declarations copied as text, see splice): that
// is where the printer put the placeholder, a top-level declaration,
// never inside a literal or a comment.

// formatPieceMin is the fewest bytes of output in a piece. The tests
// make it 1 (every cut is made) and check each output against
// format.Source of the whole (formatCheck).
var formatPieceMin = 256 << 10

// formatCheck makes formatSource compare its result with format.Source's
// and panic if they differ: the tests set it.
var formatCheck bool

// formatSource formats code as format.Source does; starts are offsets in
// code where declarations start (of which those after a blank line are
// where it may cut).
func formatSource(code []byte, starts []int) ([]byte, error) {
	out, err := formatPieces(code, formatCuts(code, starts, formatPieceMin))
	if formatCheck && err == nil {
		whole, werr := format.Source(code)
		if werr != nil || !bytes.Equal(whole, out) {
			panic(fmt.Sprintf("formatting in pieces differs from format.Source (error %v) at offset %d", werr, firstDiff(whole, out)))
		}
	}
	return out, err
}

// formatCuts returns the offsets among starts at which code is cut into
// pieces of at least min bytes: those with a blank line before them.
func formatCuts(code []byte, starts []int, min int) []int {
	var cuts []int
	last := 0
	for _, s := range starts {
		if s-last < min || len(code)-s < min || s < 2 || code[s-1] != '\n' || code[s-2] != '\n' {
			continue
		}
		cuts = append(cuts, s)
		last = s
	}
	return cuts
}

// formatPieces formats code cut at cuts, each piece on a goroutine of a
// few, and joins the pieces with the blank line that separated them. On
// an error it returns format.Source's of the whole file, whose positions
// are the file's.
func formatPieces(code []byte, cuts []int) ([]byte, error) {
	if len(cuts) == 0 {
		return format.Source(code)
	}
	bounds := append(append([]int{0}, cuts...), len(code))
	pieces := make([][]byte, len(bounds)-1)
	errs := make([]error, len(pieces))
	var wg sync.WaitGroup
	next := make(chan int, len(pieces))
	for i := range pieces {
		next <- i
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(pieces)) {
		wg.Go(func() {
			for i := range next {
				src := bytes.TrimRight(code[bounds[i]:bounds[i+1]], "\n")
				pieces[i], errs[i] = format.Source(src)
			}
		})
	}
	wg.Wait()
	var out bytes.Buffer
	out.Grow(len(code) + len(code)/8)
	for i, p := range pieces {
		if errs[i] != nil {
			return format.Source(code)
		}
		if i > 0 {
			out.WriteByte('\n') // the blank line the cut was at
		}
		out.Write(bytes.TrimRight(p, "\n"))
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// firstDiff returns the offset of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
