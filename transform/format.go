package transform

import (
	"bytes"
	"fmt"
	"go/format"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
// A piece after the first has no package clause: it is formatted after
// one and a blank line, as it stood in the file.
//
// The cuts are made only where a filled declaration starts (a machine
// printed on its own, or declarations copied as text, see splice): that
// is where the printer put the placeholder, a top-level declaration,
// never inside a literal or a comment.

// A long run of copied declarations (see splice) is cut the same way as
// soon as it is copied, and its pieces formatted while the machines are
// built (on a file of plain Go, formatting is most of what corofy does
// after the type check); so is each machine's text, whole, as soon as it
// is written (see printMachine). The formatting of the output takes them
// as they are, where it cuts at the same places: a machine's text is a
// piece of the output where a blank line stands before and after it.

// formatPieceMin is the fewest bytes of output in a piece. The tests
// make it 1 (every cut is made) and check each output against
// format.Source of the whole (formatCheck).
var formatPieceMin = 256 << 10

// formatCheck makes formatSource compare its result with format.Source's
// and panic if they differ: the tests set it.
var formatCheck bool

// A piece is a part of the output, formatted once, by whichever asks
// first.
type piece struct {
	from, to int  // in the text it was cut from
	whole    bool // it starts the file
	src      []byte
	once     sync.Once
	out      []byte
	err      error
}

func (p *piece) format() ([]byte, error) {
	p.once.Do(func() {
		src := bytes.TrimRight(p.src, "\n")
		if p.whole {
			p.out, p.err = format.Source(src)
			return
		}
		// A list of declarations, formatted in a file of its own, after a
		// blank line as in the whole file. (format.Source formats such a
		// list after "package p;" on its first line, which can change
		// its alignment: "func f() {}" got two spaces.)
		out, err := format.Source(append([]byte(pieceFile), src...))
		if err == nil && !bytes.HasPrefix(out, []byte(pieceFile)) {
			err = fmt.Errorf("the formatted piece does not start with %q", pieceFile)
		}
		if err != nil {
			p.err = err
			return
		}
		p.out = out[len(pieceFile):]
	})
	return p.out, p.err
}

// pieceFile makes a piece a file.
const pieceFile = "package p\n\n"

// preformat cuts each splice's text as the output's formatting will, and
// formats the pieces between two cuts on a goroutine, until stop is
// called. (The text's first and last pieces take in what is printed
// around it, and are formatted with the output.)
func preformat(splices []*splice) (stop func()) {
	var all []*piece
	for _, s := range splices {
		cuts := formatCuts(s.text, s.starts, formatPieceMin)
		for i := 0; i+1 < len(cuts); i++ {
			p := &piece{from: cuts[i], to: cuts[i+1], src: s.text[cuts[i]:cuts[i+1]]}
			s.pieces = append(s.pieces, p)
			all = append(all, p)
		}
	}
	var stopped atomic.Bool
	if len(all) > 0 {
		go func() {
			for _, p := range all {
				if stopped.Load() {
					return
				}
				p.format()
			}
		}()
	}
	return func() { stopped.Store(true) }
}

// formatSource formats code as format.Source does; starts are offsets in
// code where declarations start (of which those after a blank line are
// where it may cut), and pre the pieces formatted ahead, with their
// offsets in code.
func formatSource(code []byte, starts []int, pre []*piece) ([]byte, error) {
	out, err := formatPieces(code, formatCutsAround(code, starts, pre), pre)
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

// formatCutsAround is formatCuts, cutting at both ends of every piece of
// pre and never inside one.
func formatCutsAround(code []byte, starts []int, pre []*piece) []int {
	var cuts []int
	k := 0
	for _, c := range formatCuts(code, starts, formatPieceMin) {
		for k < len(pre) && pre[k].to <= c {
			cuts = append(cuts, pre[k].from, pre[k].to)
			k++
		}
		if k < len(pre) && pre[k].from <= c {
			continue // inside, or at the start of, the next piece
		}
		cuts = append(cuts, c)
	}
	for ; k < len(pre); k++ {
		cuts = append(cuts, pre[k].from, pre[k].to)
	}
	slices.Sort(cuts)
	return slices.Compact(cuts)
}

// formatPieces formats code cut at cuts, each piece on a goroutine of a
// few (a piece of pre, at the same offsets, is formatted already or by
// whoever formats it first), and joins the pieces with the blank line
// that separated them. On an error it returns format.Source's of the
// whole file, whose positions are the file's.
func formatPieces(code []byte, cuts []int, pre []*piece) ([]byte, error) {
	if len(cuts) == 0 {
		return format.Source(code)
	}
	bounds := append(append([]int{0}, cuts...), len(code))
	pieces := make([]*piece, len(bounds)-1)
	k := 0
	for i := range pieces {
		for k < len(pre) && pre[k].from < bounds[i] {
			k++
		}
		if k < len(pre) && pre[k].from == bounds[i] && pre[k].to == bounds[i+1] {
			pieces[i] = pre[k]
			continue
		}
		pieces[i] = &piece{from: bounds[i], to: bounds[i+1], whole: i == 0, src: code[bounds[i]:bounds[i+1]]}
	}
	var wg sync.WaitGroup
	next := make(chan *piece, len(pieces))
	for _, p := range pieces {
		next <- p
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(pieces)) {
		wg.Go(func() {
			for p := range next {
				p.format()
			}
		})
	}
	wg.Wait()
	var out bytes.Buffer
	out.Grow(len(code) + len(code)/8)
	for i, p := range pieces {
		text, err := p.format()
		if err != nil {
			whole, werr := format.Source(code)
			if formatCheck && werr == nil {
				panic(fmt.Sprintf("the piece at offset %d does not format (%v), the whole file does", p.from, err))
			}
			return whole, werr
		}
		if i > 0 {
			out.WriteByte('\n') // the blank line the cut was at
		}
		out.Write(bytes.TrimRight(text, "\n"))
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
