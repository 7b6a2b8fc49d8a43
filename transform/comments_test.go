package transform_test

import (
	"go/scanner"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestCommentsKept: every comment of a golden case's input is in its
// output (TestGolden checks that the output is what corofy writes). The
// user's comments are part of the program people read.
func TestCommentsKept(t *testing.T) {
	files, err := filepath.Glob("../testdata/transform/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var in, out []byte
		for _, f := range ar.Files {
			switch f.Name {
			case "in.gocoro":
				in = f.Data
			case "out.go":
				out = f.Data
			}
		}
		if in == nil || out == nil {
			continue // an error case
		}
		for _, c := range comments(in) {
			if !strings.Contains(string(out), c) {
				t.Errorf("%s: the comment %q of in.gocoro is not in out.go", filepath.Base(file), c)
			}
		}
	}
}

// comments returns the text of every comment of src.
func comments(src []byte) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("in.gocoro", -1, len(src)), src, nil, scanner.ScanComments)
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.COMMENT {
			out = append(out, lit)
		}
	}
}
