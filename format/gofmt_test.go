package format

import (
	"bytes"
	"go/scanner"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/parser"
)

// gofmtPath returns the gofmt of the Go toolchain running the tests.
func gofmtPath(t *testing.T) string {
	out, err := exec.Command(testmod.GoTool(), "env", "GOROOT").Output()
	if err == nil {
		path := filepath.Join(strings.TrimSpace(string(out)), "bin", "gofmt")
		if _, err := exec.LookPath(path); err == nil {
			return path
		}
	}
	path, err := exec.LookPath("gofmt")
	if err != nil {
		t.Skip("gofmt is neither in GOROOT/bin nor on PATH: this test compares corofy fmt with it")
	}
	return path
}

// refPad stands for "coroutine " in the Go file given to gofmt: ten
// characters, as pad, that no input has.
const refPad = "QQQQQQQQQQ"

// gofmtReference formats src with the gofmt binary: each "coroutine" is
// deleted with the space after it, and its function's name made ten characters longer; in gofmt's
// output, the ten characters go back before the func as "coroutine ". It
// returns gofmt's output, or its errors with "<standard input>" replaced
// by name. gofmt reads its standard input, where it accepts fragments, so
// only inputs that are whole files or meant as fragments are compared.
// gofmt runs again on its output until that no longer changes, as Format
// does: gofmt formats a doc comment only if its declaration starts its
// line, after a newline that is not "\r\n".
func gofmtReference(t *testing.T, gofmt, name string, src []byte) (out []byte, errs string) {
	if bytes.Contains(src, []byte(refPad)) {
		t.Fatalf("%s contains %s", name, refPad)
	}
	blanked, keywords, kwErrs := parser.BlankKeywords(name, src)
	if len(kwErrs) > 0 {
		t.Fatalf("%s: %v", name, kwErrs)
	}
	// The Go file: the word deleted, the name after its func padded.
	var goSrc []byte
	last := 0
	for _, kw := range keywords {
		nameOff := nextIdent(blanked, kw.Func)
		goSrc = append(goSrc, blanked[last:kw.Offset]...)
		after := kw.Offset + len("coroutine")
		for blanked[after] == ' ' || blanked[after] == '\t' {
			after++
		}
		goSrc = append(goSrc, blanked[after:nameOff]...)
		goSrc = append(goSrc, refPad...)
		last = nameOff
	}
	goSrc = append(goSrc, blanked[last:]...)

	// gofmt, until its output no longer changes (see Format).
	var res []byte
	for range 4 {
		cmd := exec.Command(gofmt)
		cmd.Stdin = bytes.NewReader(goSrc)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, strings.ReplaceAll(stderr.String(), "<standard input>", name)
		}
		res = stdout.Bytes()
		if bytes.Equal(res, goSrc) {
			break
		}
		goSrc = res
	}

	// The padded names back to "coroutine func name".
	for {
		i := bytes.Index(res, []byte(refPad))
		if i < 0 {
			break
		}
		f := lastFunc(res[:i])
		var b []byte
		b = append(b, res[:f]...)
		b = append(b, "coroutine "...)
		b = append(b, res[f:i]...)
		res = append(b, res[i+len(refPad):]...)
	}
	return res, ""
}

// nextIdent returns the offset of the first identifier after offset from
// outside brackets: the name of the function whose func is at from.
func nextIdent(src []byte, from int) int {
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", -1, len(src[from:])), src[from:], nil, 0)
	depth := 0
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			panic("no name after func")
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK:
			depth--
		case token.IDENT:
			if depth == 0 {
				return from + int(pos) - 1
			}
		}
	}
}

// lastFunc returns the offset of the last func keyword of src.
func lastFunc(src []byte) int {
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", -1, len(src)), src, nil, 0)
	last := -1
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			return last
		}
		if tok == token.FUNC {
			last = int(pos) - 1
		}
	}
}

// TestGofmt compares Format with the gofmt binary on the golden inputs,
// their CRLF and byte-order-mark versions, and every .gocoro of the
// repository that is a whole file: for a file without coroutines, the
// output is gofmt's; with coroutines, it is gofmt's for the file whose
// "coroutine func f" is "func XXXXXXXXXXf", the ten characters then put
// back before the func as "coroutine ". Syntax errors of a file without
// the word are gofmt's too.
func TestGofmt(t *testing.T) {
	gofmt := gofmtPath(t)
	type input struct {
		name string
		src  []byte
		mode Mode
	}
	var inputs []input
	for _, g := range goldens(t) {
		name := strings.TrimSuffix(filepath.Base(g.path), ".txtar")
		crlf := bytes.ReplaceAll(g.in, []byte("\n"), []byte("\r\n"))
		inputs = append(inputs,
			input{name, g.in, g.mode},
			input{name + " (CRLF)", crlf, g.mode},
			input{name + " (BOM)", append([]byte("\ufeff"), g.in...), g.mode})
	}
	for name, src := range repoSources(t) {
		if _, err := Format(name, src, 0); err == nil {
			inputs = append(inputs, input{name, src, 0})
		}
	}
	compared := 0
	for _, in := range inputs {
		_, keywords, kwErrs := parser.BlankKeywords(in.name, in.src)
		out, err := Format(in.name, in.src, in.mode)
		if len(kwErrs) > 0 || err != nil && len(keywords) > 0 {
			continue // errors about the word, not gofmt's
		}
		want, wantErrs := gofmtReference(t, gofmt, in.name, in.src)
		compared++
		if err != nil {
			var buf bytes.Buffer
			scanner.PrintError(&buf, err)
			if buf.String() != wantErrs {
				t.Errorf("%s: errors\n%s\ngofmt:\n%s", in.name, buf.String(), wantErrs)
			}
			continue
		}
		if wantErrs != "" {
			t.Errorf("%s: gofmt fails:\n%s", in.name, wantErrs)
			continue
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s: output\n%s\ngofmt:\n%s", in.name, out, want)
		}
	}
	if compared < 90 {
		t.Errorf("only %d inputs compared", compared)
	}
}
