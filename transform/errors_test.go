package transform

import (
	"go/scanner"
	"go/token"
	"testing"
)

// TestRemoveMultiplesKeepsUnpositioned: an error without a position (the
// go command's, say) survives the removal of repeated lines; the
// standard library's RemoveMultiples drops it, and corofy then failed
// without a word.
func TestRemoveMultiplesKeepsUnpositioned(t *testing.T) {
	var errs scanner.ErrorList
	errs.Add(token.Position{Filename: "a.gocoro", Line: 3, Column: 1}, "first")
	errs.Add(token.Position{}, "no position")
	errs.Add(token.Position{Filename: "a.gocoro", Line: 3, Column: 9}, "same line")
	errs.Add(token.Position{Filename: "a.gocoro", Line: 4, Column: 1}, "next line")
	got := removeMultiples(errs)
	want := []string{"no position", "a.gocoro:3:1: first", "a.gocoro:4:1: next line"}
	if len(got) != len(want) {
		t.Fatalf("removeMultiples kept %d errors, want %d: %v", len(got), len(want), got)
	}
	for i, e := range got {
		if e.Error() != want[i] {
			t.Errorf("error %d = %q, want %q", i, e.Error(), want[i])
		}
	}
}
