// Package diff writes unified diffs, as gofmt -d prints them.
//
// The diff is anchored: the lines kept are chosen among the lines that
// occur exactly once in each text (a longest increasing run of them, found
// as in T. G. Szymanski, "A Special Case of the Maximal Common Subsequence
// Problem", 1975), extended by the equal lines around them; it does not
// reuse blank lines and closing braces that happen to match elsewhere, and
// it takes O(n log n) time. It is the algorithm of the Go distribution's
// internal/diff, which gofmt uses, with the same choices and the same
// output, so that corofy fmt -d prints what gofmt -d would.
package diff

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// context is the number of unchanged lines shown around a change.
const context = 3

// pos is a pair of line indexes, in the old and the new text.
type pos struct{ old, new int }

// Diff returns the unified diff that turns old into new, headed
// "diff oldName newName", "--- oldName", "+++ newName", or nil if they
// are equal. A last line without a newline is marked "\ No newline at
// end of file", as diff -u marks it.
func Diff(oldName string, old []byte, newName string, new []byte) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	x, y := lines(old), lines(new)
	var out bytes.Buffer
	fmt.Fprintf(&out, "diff %s %s\n--- %s\n+++ %s\n", oldName, newName, oldName, newName)

	var (
		done  pos      // x[:done.old] and y[:done.new] are written or in hunk
		start pos      // first lines of the hunk being gathered
		count pos      // lines of each text in it
		hunk  []string // its lines, with their ' ', '-' or '+'
	)
	for _, a := range anchors(x, y) {
		if a.old < done.old {
			continue // inside a run of equal lines already taken
		}
		// The run of equal lines around the anchor: x[lo.old:hi.old] ==
		// y[lo.new:hi.new]. The first and last anchors are empty runs
		// at the two ends, unless equal lines extend them.
		lo, hi := a, a
		for lo.old > done.old && lo.new > done.new && x[lo.old-1] == y[lo.new-1] {
			lo.old--
			lo.new--
		}
		for hi.old < len(x) && hi.new < len(y) && x[hi.old] == y[hi.new] {
			hi.old++
			hi.new++
		}

		// The changed lines before the run.
		for _, s := range x[done.old:lo.old] {
			hunk = append(hunk, "-"+s)
			count.old++
		}
		for _, s := range y[done.new:lo.new] {
			hunk = append(hunk, "+"+s)
			count.new++
		}

		atEnd := hi.old >= len(x) && hi.new >= len(y)
		equal := hi.old - lo.old
		if !atEnd && (equal < context || len(hunk) > 0 && equal < 2*context) {
			// Too short a run to split the hunk: it goes on through it.
			for _, s := range x[lo.old:hi.old] {
				hunk = append(hunk, " "+s)
			}
			count.old += equal
			count.new += equal
			done = hi
			continue
		}

		// Close the hunk with up to context lines of the run.
		if len(hunk) > 0 {
			n := min(equal, context)
			for _, s := range x[lo.old : lo.old+n] {
				hunk = append(hunk, " "+s)
			}
			count.old += n
			count.new += n
			done = pos{lo.old + n, lo.new + n}
			// Line numbers from 1; an empty side is at line 0.
			if count.old > 0 {
				start.old++
			}
			if count.new > 0 {
				start.new++
			}
			fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", start.old, count.old, start.new, count.new)
			for _, s := range hunk {
				out.WriteString(s)
			}
			count = pos{}
			hunk = hunk[:0]
		}
		if atEnd {
			break
		}

		// Open the next hunk with the last context lines of the run.
		start = pos{hi.old - context, hi.new - context}
		for _, s := range x[start.old:hi.old] {
			hunk = append(hunk, " "+s)
		}
		count = pos{context, context}
		done = hi
	}
	return out.Bytes()
}

// lines splits text into lines, each with its newline. A last line
// without one gets a newline and the line "\ No newline at end of file".
func lines(text []byte) []string {
	l := strings.SplitAfter(string(text), "\n")
	if l[len(l)-1] == "" {
		return l[:len(l)-1]
	}
	l[len(l)-1] += "\n\\ No newline at end of file\n"
	return l
}

// anchors returns the pairs of indexes of a longest common subsequence
// of the lines that occur once in x and once in y, between {0, 0} and
// {len(x), len(y)}.
func anchors(x, y []string) []pos {
	// Occurrences: bits 0-1 count those in x (1, or 2 for more), bits
	// 2-3 those in y.
	seen := map[string]int{}
	for _, s := range x {
		if c := seen[s]; c&3 < 2 {
			seen[s] = c + 1
		}
	}
	for _, s := range y {
		if c := seen[s]; c>>2 < 2 {
			seen[s] = c + 4
		}
	}
	const once = 1 + 4
	// The unique lines: their indexes in y, in order, and for each of
	// them in x order, which of those it is.
	var inY []int
	rank := map[string]int{}
	for j, s := range y {
		if seen[s] == once {
			rank[s] = len(inY)
			inY = append(inY, j)
		}
	}
	var inX, ranks []int
	for i, s := range x {
		if seen[s] == once {
			inX = append(inX, i)
			ranks = append(ranks, rank[s])
		}
	}

	// A longest increasing subsequence of ranks. tops[k] is the smallest
	// rank that ends an increasing subsequence of length k+1 so far;
	// length[i] is the length of the longest one ending at ranks[i].
	n := len(ranks)
	tops := make([]int, 0, n)
	length := make([]int, n)
	for i, r := range ranks {
		k := sort.SearchInts(tops, r)
		if k == len(tops) {
			tops = append(tops, r)
		} else {
			tops[k] = r
		}
		length[i] = k + 1
	}
	// From the end: for each length, the last element of that length
	// before the one taken for the next length.
	k := len(tops)
	seq := make([]pos, k+2)
	seq[0] = pos{0, 0}
	seq[k+1] = pos{len(x), len(y)}
	for i := n - 1; i >= 0 && k > 0; i-- {
		if length[i] == k {
			seq[k] = pos{inX[i], inY[ranks[i]]}
			k--
		}
	}
	return seq
}
