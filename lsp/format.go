package lsp

import (
	"unicode/utf8"

	"github.com/corofy/corofy/format"
)

// formatEdits returns the edits that make st's text what corofy fmt makes
// of it: one edit, from the first byte that changes to the last, or none.
// A text with syntax errors is left as it is (nil), as gofmt leaves it.
func formatEdits(st *docState) []TextEdit {
	src := st.low.src
	out, err := format.Format(st.doc.path, src, 0)
	if err != nil {
		return nil
	}
	pre := 0
	for pre < len(src) && pre < len(out) && src[pre] == out[pre] {
		pre++
	}
	if pre == len(src) && pre == len(out) {
		return []TextEdit{}
	}
	suf := 0
	for suf < len(src)-pre && suf < len(out)-pre && src[len(src)-1-suf] == out[len(out)-1-suf] {
		suf++
	}
	// Edges on whole characters, never between "\r" and "\n".
	for pre > 0 && pre < len(src) && (!utf8.RuneStart(src[pre]) || src[pre] == '\n' && src[pre-1] == '\r') {
		pre--
	}
	for suf > 0 && (!utf8.RuneStart(src[len(src)-suf]) || src[len(src)-suf] == '\n' && len(src)-suf > 0 && src[len(src)-suf-1] == '\r') {
		suf--
	}
	return []TextEdit{{
		Range:   Range{st.src.position(pre), st.src.position(len(src) - suf)},
		NewText: string(out[pre : len(out)-suf]),
	}}
}
