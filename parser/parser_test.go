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

// TestCoroutineAsIdentifier checks that "coroutine" used as an ordinary
// identifier, before a closing bracket, leaves the coroutines declared
// after it intact.
func TestCoroutineAsIdentifier(t *testing.T) {
	src := `package p

type cfg struct{ coroutine int }

func use(coroutine int) int { return coroutine }

func g(a []int, coroutine int) int {
	x := cfg{coroutine: use(coroutine)}
	_ = func() int { return coroutine }
	return a[coroutine] + x.coroutine
}

coroutine func f() int { return 1 }

var coroutine = 3

coroutine func h() {}
`
	f, err := ParseFile(token.NewFileSet(), "x.gocoro", []byte(src))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	var names []string
	for _, co := range f.Coroutines {
		names = append(names, co.Name())
	}
	if got := strings.Join(names, " "); got != "f h" {
		t.Errorf("coroutines = %q, want %q", got, "f h")
	}
}

// TestRuntimeName checks the name under which the lowering refers to the
// runtime package, and that a file without coroutines gets no import.
func TestRuntimeName(t *testing.T) {
	const rt = `"github.com/corofy/corofy/runtime"`
	tests := []struct {
		name, src  string
		want       string
		wantImport bool
	}{
		{"no coroutine", "package p\n", "corofyruntime", false},
		{"only comments", "// c\n\npackage p\n\n// d\n", "corofyruntime", false},
		{"plain Go", "package p\n\nimport " + rt + "\n\nvar x = runtime.Ready(1)\n", "runtime", false},
		{"imported", "package p\n\nimport " + rt + "\n\ncoroutine func f() {}\n", "runtime", false},
		{"renamed", "package p\n\nimport rt " + rt + "\n\ncoroutine func f() {}\n", "rt", false},
		{"not imported", "package p\n\ncoroutine func f() {}\n", "corofyruntime", true},
		{"shadowed", "package p\n\nimport " + rt + "\n\nvar _ = runtime.Ready(1)\n\ncoroutine func f() { runtime := 1; _ = runtime }\n", "corofyruntime", true},
		{"taken", "package p\n\nvar corofyruntime = 1\n\ncoroutine func f() {}\n", "corofyruntime2", true},
	}
	for _, tt := range tests {
		f, err := ParseFile(token.NewFileSet(), "x.gocoro", []byte(tt.src))
		if err != nil {
			t.Errorf("%s: ParseFile: %v", tt.name, err)
			continue
		}
		if len(f.Coroutines) > 0 && f.RuntimeName != tt.want {
			t.Errorf("%s: RuntimeName = %q, want %q", tt.name, f.RuntimeName, tt.want)
		}
		if got := f.AddedImport != nil; got != tt.wantImport {
			t.Errorf("%s: added an import: %v, want %v", tt.name, got, tt.wantImport)
		}
	}
}

// TestCommentAfterKeyword checks that a comment between "coroutine" and
// "func" leaves the declaration a coroutine.
func TestCommentAfterKeyword(t *testing.T) {
	src := "package p\n\ncoroutine /* c */ func f() int { return g().wait }\n\ncoroutine\t/* a */ /* b */\tfunc (T) m() {}\n"
	f, err := ParseFile(token.NewFileSet(), "x.gocoro", []byte(src))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	var names []string
	for _, co := range f.Coroutines {
		names = append(names, co.Name())
	}
	if got := strings.Join(names, " "); got != "f T.m" {
		t.Errorf("coroutines = %q, want %q", got, "f T.m")
	}
}
