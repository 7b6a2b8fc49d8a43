package parser

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestErrors checks the diagnostics of testdata/parser/*.gocoro against
// /* ERROR "regexp" */ markers, in go/parser's style: the marker follows the
// token the error must be reported at.
func TestErrors(t *testing.T) {
	files, _ := filepath.Glob("../testdata/parser/*.gocoro")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedErrors(t, name, src)
			_, err = ParseFile(token.NewFileSet(), name, src)
			list, _ := err.(scanner.ErrorList)
			if err != nil && list == nil {
				t.Fatalf("ParseFile: %v (not an ErrorList)", err)
			}
			// go/parser goes on after a syntax error and may report
			// follow-on errors; like its own tests, ignore those after the
			// first unexpected error that follows a marked one.
			cascade, matched := false, 0
			for _, e := range list {
				if cascade {
					break
				}
				if !strings.HasPrefix(e.Error(), name+":") {
					t.Errorf("error %q does not start with %q", e.Error(), name+":")
				}
				key := posKey(e.Pos)
				rx, ok := want[key]
				if !ok {
					if matched > 0 && (strings.Contains(e.Msg, "expected") || strings.Contains(e.Msg, "missing")) {
						cascade = true
						continue
					}
					t.Errorf("unexpected error: %v", e)
					continue
				}
				if !rx.MatchString(e.Msg) {
					t.Errorf("%s: error %q does not match %q", key, e.Msg, rx)
				}
				delete(want, key)
				matched++
			}
			for key, rx := range want {
				t.Errorf("%s: missing error matching %q", key, rx)
			}
		})
	}
}

var errorMarker = regexp.MustCompile(`^/\* ERROR "(.*)" \*/$`)

// expectedErrors maps "line:col" of the token before each ERROR marker to
// the marker's regexp.
func expectedErrors(t *testing.T, name string, src []byte) map[string]*regexp.Regexp {
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	want := map[string]*regexp.Regexp{}
	var prev token.Pos
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return want
		}
		if tok == token.COMMENT {
			if m := errorMarker.FindStringSubmatch(lit); m != nil {
				want[posKey(fset.Position(prev))] = regexp.MustCompile(m[1])
			}
			continue
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		prev = pos
	}
}

func posKey(p token.Position) string {
	return strings.Join([]string{itoa(p.Line), itoa(p.Column)}, ":")
}

func itoa(i int) string { return strconv.Itoa(i) }
