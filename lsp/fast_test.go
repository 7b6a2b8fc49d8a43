package lsp

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// TestFastEdit checks, over edits at every line of every .gocoro of the
// repository (with LF and CRLF), that when lowering.edit takes a change
// that leaves the source free of errors, it gives exactly the full
// lowering of the changed source: the same Go text, map, waits, bodies and
// headers. (A source with errors has no right lowering: the server keeps
// the one edit makes, the old structure with the user's text.)
func TestFastEdit(t *testing.T) {
	edits := []struct {
		del  int
		text string
	}{
		{0, "x"}, {0, " "}, {0, "1"}, {0, "\n"}, {0, "é"}, {1, ""}, {1, "y"}, {0, "(a + b)"}, {0, "\""}, {2, ""},
	}
	tried, fast := 0, 0
	for name, src := range repoGocoro(t) {
		for _, src := range [][]byte{src, bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))} {
			l := lower(name, src)
			// Edits in the middle of each line, and at its start.
			for off := 0; off < len(src); off = lineEnd(src, off) + 1 {
				end := lineEnd(src, off)
				for _, at := range []int{off, (off + end) / 2} {
					for _, e := range edits {
						if at+e.del > len(src) {
							continue
						}
						tried++
						got := l.edit(at, at+e.del, e.text)
						if got == nil {
							continue
						}
						changed := splice(src, at, at+e.del, e.text)
						if len(parseErrors(name, changed)) > 0 {
							continue
						}
						fast++
						want := lowerGo(name, changed)
						if err := sameLowering(got.lowering, want); err != nil {
							t.Fatalf("%s: replacing %q at %d by %q: %v", name, src[at:at+e.del], at, e.text, err)
						}
						if err := sameMoved(l, got); err != nil {
							t.Fatalf("%s: replacing %q at %d by %q: %v", name, src[at:at+e.del], at, e.text, err)
						}
					}
				}
			}
		}
	}
	t.Logf("%d of %d edits took the fast path", fast, tried)
	if fast < tried/3 {
		t.Errorf("only %d of %d edits took the fast path", fast, tried)
	}
}

// sameMoved reports how the state that document.newStateEdited makes of
// e, an edit of l, differs from one made from e's whole texts: its line
// tables, and the shadow's text after the change it gives.
func sameMoved(l *lowering, e *editedLowering) error {
	d := &document{}
	prev := d.newStateFrom(l, 1)
	st, change := d.newStateEdited(e, 2)
	if !slices.Equal(st.src.lines, newText(st.low.src).lines) || !slices.Equal(st.goText.lines, newText(st.low.goSrc).lines) {
		return fmt.Errorf("moved line tables differ from those of the texts")
	}
	if change == nil {
		if prev.goText.between(e.gStart) && prev.goText.between(e.gEnd) {
			return fmt.Errorf("newStateEdited gave no change")
		}
		return nil // an edit no editor makes: inside a character or a line ending
	}
	goSrc, err := applyChanges(prev.low.goSrc, []contentChange{*change})
	if err != nil || !bytes.Equal(goSrc, st.low.goSrc) {
		return fmt.Errorf("shadow change %+v gives %q, %v; want %q", change, goSrc, err, st.low.goSrc)
	}
	return nil
}

// sameLowering reports how a and b differ, or nil.
func sameLowering(a, b *lowering) error {
	switch {
	case !bytes.Equal(a.goSrc, b.goSrc):
		return fmt.Errorf("Go text %s, want %s", diffAt(string(a.goSrc), string(b.goSrc)), diffAt(string(b.goSrc), string(a.goSrc)))
	case fmt.Sprint(a.waits) != fmt.Sprint(b.waits):
		return fmt.Errorf("waits %v, want %v", a.waits, b.waits)
	case fmt.Sprint(a.bodies, a.headers, a.pkg) != fmt.Sprint(b.bodies, b.headers, b.pkg):
		return fmt.Errorf("bodies, headers, package %v %v %v, want %v %v %v", a.bodies, a.headers, a.pkg, b.bodies, b.headers, b.pkg)
	}
	if fmt.Sprint(a.m.segs) != fmt.Sprint(b.m.segs) {
		return fmt.Errorf("map %v, want %v", a.m.segs, b.m.segs)
	}
	return nil
}
