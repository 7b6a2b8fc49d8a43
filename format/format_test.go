package format

import (
	"bytes"
	"errors"
	"flag"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/parser"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the out.gocoro and errors files of testdata/format")

// golden is one case of testdata/format: in.gocoro and the formatted
// out.gocoro, or the errors, one a line.
type golden struct {
	path string
	mode Mode
	ar   *txtar.Archive
	in   []byte
}

func goldens(t testing.TB) []golden {
	files, _ := filepath.Glob(filepath.Join(testmod.Root(), "testdata", "format", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no testdata/format/*.txtar")
	}
	var cases []golden
	for _, path := range files {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		g := golden{path: path, ar: ar}
		if strings.HasPrefix(string(ar.Comment), "mode: fragment\n") {
			g.mode = Fragment
		}
		for _, f := range ar.Files {
			if f.Name == "in.gocoro" {
				g.in = f.Data
			}
		}
		if g.in == nil {
			t.Fatalf("%s: no in.gocoro", path)
		}
		cases = append(cases, g)
	}
	return cases
}

// TestGolden formats the in.gocoro of each testdata/format/*.txtar and
// compares the result with its out.gocoro, or the errors with its errors
// file; with -update, it rewrites them.
func TestGolden(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(strings.TrimSuffix(filepath.Base(g.path), ".txtar"), func(t *testing.T) {
			out, err := Format("in.gocoro", g.in, g.mode)
			name, got := "out.gocoro", out
			if err != nil {
				var list scanner.ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("error %v is not a scanner.ErrorList", err)
				}
				var buf bytes.Buffer
				scanner.PrintError(&buf, err)
				name, got = "errors", buf.Bytes()
			}
			var want *txtar.File
			for i, f := range g.ar.Files {
				if f.Name == name {
					want = &g.ar.Files[i]
				}
			}
			if *update {
				if want == nil {
					t.Fatalf("no %s section to update (the test gives %s)", name, name)
				}
				want.Data = got
				if err := os.WriteFile(g.path, txtar.Format(g.ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want == nil {
				t.Fatalf("got %s, which the archive does not have:\n%s", name, got)
			}
			if !bytes.Equal(got, want.Data) {
				t.Errorf("%s differs:\n%s\nwant:\n%s", name, got, want.Data)
			}
		})
	}
}

// repoSources returns the .gocoro files of the repository and the
// .gocoro files of the txtar archives under testdata, by name.
func repoSources(t testing.TB) map[string][]byte {
	root := testmod.Root()
	srcs := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasSuffix(path, ".gocoro"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			srcs[rel] = src
		case strings.HasSuffix(path, ".txtar") && strings.Contains(rel, "testdata"):
			ar, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".gocoro") {
					srcs[rel+":"+f.Name] = f.Data
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// TestIdempotent formats every .gocoro source of the repository (files,
// and files of the txtar archives of testdata; fragments as fragments)
// twice: the second time changes nothing.
func TestIdempotent(t *testing.T) {
	formatted := 0
	for name, src := range repoSources(t) {
		mode := Mode(0)
		out, err := Format(name, src, mode)
		if err != nil && strings.Contains(err.Error(), "expected 'package'") {
			mode = Fragment
			out, err = Format(name, src, mode)
		}
		if err != nil {
			if isInternal(err) {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		formatted++
		again, err := Format(name, out, mode)
		if err != nil {
			t.Errorf("%s: the formatted source does not parse: %v\n%s", name, err, out)
			continue
		}
		if !bytes.Equal(again, out) {
			t.Errorf("%s: formatting twice changes the source:\n%s\nthen:\n%s", name, out, again)
		}
	}
	if formatted < 90 {
		t.Errorf("only %d sources formatted; want the repository's", formatted)
	}
}

// TestRepositoryFormatted checks that the repository's own .gocoro files,
// but those under testdata (test inputs, kept as they are), are formatted.
func TestRepositoryFormatted(t *testing.T) {
	for name, src := range repoSources(t) {
		if strings.Contains(name, "testdata") {
			continue
		}
		out, err := Format(name, src, 0)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if !bytes.Equal(out, src) {
			t.Errorf("%s is not formatted: run corofy fmt -w %s", name, name)
		}
	}
}

// isInternal reports whether err is not a list of syntax errors.
func isInternal(err error) bool {
	var list scanner.ErrorList
	return !errors.As(err, &list)
}

// TestCRLF: a file with CRLF line endings formats as with LF, as gofmt
// formats it (go/scanner drops the carriage returns, also in comments and
// raw strings).
func TestCRLF(t *testing.T) {
	src := "package p\n\n// c\ncoroutine func f() string {\n\treturn `a\nb` + g().wait /* x\ny */\n}\n"
	crlf := strings.ReplaceAll(src, "\n", "\r\n")
	want, err := Format("x.gocoro", []byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Format("x.gocoro", []byte(crlf), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("CRLF:\n%q\nwant:\n%q", got, want)
	}
}

// TestBOM: a leading byte order mark is dropped, as gofmt drops it; one
// elsewhere is an error.
func TestBOM(t *testing.T) {
	src := "package p\n\ncoroutine func f() {}\n"
	got, err := Format("x.gocoro", []byte("\ufeff"+src), 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != src {
		t.Errorf("BOM: got %q, want %q", got, src)
	}
	_, err = Format("x.gocoro", []byte(src+"\ufeff"), 0)
	if err == nil || !strings.Contains(err.Error(), "x.gocoro:4:1: illegal byte order mark") {
		t.Errorf("BOM at the end: error %v, want x.gocoro:4:1: illegal byte order mark", err)
	}
}

// TestErrorPositions: errors are at their .gocoro line and column, also
// after a coroutine keyword on the same line.
func TestErrorPositions(t *testing.T) {
	src := "package p\n\ncoroutine func f() { return 1 2 }\n"
	_, err := Format("x.gocoro", []byte(src), 0)
	if err == nil || err.Error() != "x.gocoro:3:31: expected ';', found 2" {
		t.Errorf("error %v, want x.gocoro:3:31: expected ';', found 2", err)
	}
}

// TestSource: Source formats whole files and fragments, without a file
// name in errors.
func TestSource(t *testing.T) {
	out, err := Source([]byte("coroutine  func f() {}"))
	if err != nil || string(out) != "coroutine func f() {}" {
		t.Errorf("Source = %q, %v", out, err)
	}
	_, err = Source([]byte("package p\nvar = 1\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "2:5: ") {
		t.Errorf("error %v, want one at 2:5", err)
	}
}

// FuzzFormat: Format never panics nor fails but with syntax errors, and
// what it returns parses again, keeps the coroutines and the comments, and
// formats to itself.
func FuzzFormat(f *testing.F) {
	for _, g := range goldens(f) {
		f.Add(g.in)
	}
	for _, src := range repoSources(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, mode := range []Mode{0, Fragment} {
			out, err := Format("x.gocoro", src, mode)
			if err != nil {
				if isInternal(err) {
					t.Fatalf("mode %d: %v", mode, err)
				}
				continue
			}
			again, err := Format("x.gocoro", out, mode)
			if err != nil {
				t.Fatalf("mode %d: the output does not parse: %v\n%s", mode, err, out)
			}
			if !bytes.Equal(again, out) {
				t.Fatalf("mode %d: formatting twice changes the source:\n%s\nthen:\n%s", mode, out, again)
			}
			_, kwIn, _ := parser.BlankKeywords("x.gocoro", src)
			_, kwOut, _ := parser.BlankKeywords("x.gocoro", out)
			if len(kwIn) != len(kwOut) {
				t.Fatalf("mode %d: %d coroutines in, %d out:\n%s", mode, len(kwIn), len(kwOut), out)
			}
			in, outWords := commentWords(src), commentWords(out)
			for w, n := range in {
				if outWords[w] < n {
					t.Fatalf("mode %d: the comments have %q %d times, the output's %d times:\n%s", mode, w, n, outWords[w], out)
				}
			}
		}
	})
}

// commentWords counts the words of the comments of src. gofmt may drop
// an empty line of a doc comment, and change the space around words, but
// never a word.
func commentWords(src []byte) map[string]int {
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", -1, len(src)), src, func(token.Position, string) {}, scanner.ScanComments)
	words := map[string]int{}
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return words
		}
		if tok == token.COMMENT {
			for _, w := range strings.FieldsFunc(lit, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
				words[w]++
			}
		}
	}
}

// TestStable: where gofmt's output is not formatted (a doc comment is
// reformatted only once its declaration starts its line, and only after
// "\n", not "\r\n"), Format gives what gofmt gives on its own output: the
// file that formatting no longer changes.
func TestStable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"package A\n//0\n func A()", "package A\n\n// 0\nfunc A()\n"},
		{"package A\n//0\n coroutine func A()", "package A\n\n// 0\ncoroutine func A()\n"},
		{"package A\r\n\r\n// A is:\r\n//  - a\r\ncoroutine func A()\r\n", "package A\n\n// A is:\n//   - a\ncoroutine func A()\n"},
	}
	for _, tt := range tests {
		got, err := Format("x.gocoro", []byte(tt.in), 0)
		if err != nil || string(got) != tt.want {
			t.Errorf("Format(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
