package transform

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
	"testing"
)

// TestFormatPieces formats files cut at every declaration (the tests'
// formatPieceMin is 1), with and without pieces formatted ahead, and
// compares the result with format.Source of the whole: comments between,
// before and after declarations, aligned across declarations without a
// blank line between them, raw strings holding what looks like a blank
// line before a declaration, code gofmt changes, CRLF line ends.
func TestFormatPieces(t *testing.T) {
	for _, src := range formatPieceSeeds {
		checkFormatPieces(t, src)
	}
}

var formatPieceSeeds = []string{
	"package p\n\nfunc a() {}\n\nfunc b() {}\n",
	"package p\n\nvar a = 1 // one\nvar bb = 2 // two\n\nvar ccc = 3 // three\n",
	"package p\n\n// a is a.\nfunc a() {}\n\n// floating\n\n// b is b.\nfunc b() {}\n\n/* c */ func c() {}\n// after\n",
	"package p\n\nvar s = `x\n\nfunc f() {}\n\n`\n\nfunc g()    {   return   }\n\n\n\ntype  T  struct{a int; bb string}\n",
	"package p\r\n\r\nfunc a() {}\r\n\r\nfunc b() {}\r\n",
	"package p\n\nimport \"fmt\"\n\nfunc a() { fmt.Println(\n1,\n2) }\n\nconst (\n\tx = 1\n\tyy = 2 // yy\n)\n\nfunc b() {\n\tswitch {\n\tcase true:\n\t\t// c\n\t}\n}\n",
	"package p\n\nfunc a() {}\nfunc bbbb() {}\n\nfunc c() int { return 1 }\nfunc dd() int { return 2 }\n\ntype T struct {\n\ta int // a\n\tbbbb string // b\n}\n",
	"package p\n\n//line x.go:10\nfunc a() {}\n\n/*line y.go:3:1*/ func b() {}\n\n// the end\n\n// really\n",
}

// checkFormatPieces checks the formatting of src cut at each of its
// declarations, with and without pieces formatted ahead.
func checkFormatPieces(t *testing.T, src string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		return
	}
	want, err := format.Source([]byte(src))
	if err != nil {
		return
	}
	var starts []int
	for _, d := range f.Decls {
		starts = append(starts, fset.Position(declStart(d)).Offset)
	}
	got, err := formatPieces([]byte(src), formatCutsAround([]byte(src), starts, nil), nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("formatPieces(%q) = %q, %v; want %q", src, got, err, want)
	}
	// The same file as one copied run: its pieces formatted ahead.
	s := &splice{text: []byte(src), starts: starts}
	preformat([]*splice{s})()
	got, err = formatPieces([]byte(src), formatCutsAround([]byte(src), starts, s.pieces), s.pieces)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("with pieces formatted ahead, formatPieces(%q) = %q, %v; want %q", src, got, err, want)
	}
}

// FuzzFormatPieces checks the formatting in pieces on any Go file.
func FuzzFormatPieces(f *testing.F) {
	for _, src := range formatPieceSeeds {
		f.Add(src)
	}
	f.Fuzz(checkFormatPieces)
}
