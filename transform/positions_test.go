package transform_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	cparser "github.com/corofy/corofy/parser"
	"github.com/corofy/corofy/transform"
)

// TestPositions checks that the generated code runs at the .gocoro lines
// it comes from: testdata/positions/main.gocoro calls where(tag), which
// prints the line of the call as the Go runtime sees it (the lines of
// panics, stack traces and debuggers), at statements after waits, blank
// lines, comments, rewritten break, continue and return statements, in
// loops, switches, kept blocks and deferred calls. Each must report the
// line it stands on. go vet's diagnostic of a misused format must point at
// the verb's .gocoro line and column.
func TestPositions(t *testing.T) {
	src, err := os.ReadFile("../testdata/positions/main.gocoro")
	if err != nil {
		t.Fatal(err)
	}
	testmod.Setenv(t)
	mod := testmod.New(t)
	dir := filepath.Join(mod, "positions")
	in := filepath.Join(dir, "main.gocoro")
	writeFile(t, in, src)
	res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}, []transform.Input{{Path: in}})
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	writeFile(t, filepath.Join(dir, "main_corofied.go"), res[0].Src)

	want := map[string]int{} // tag -> line
	var vetLine, vetCol int
	for i, line := range strings.Split(string(src), "\n") {
		if m := regexp.MustCompile(`where(?:Value)?\("([a-z-]+)"\)`).FindStringSubmatch(line); m != nil {
			want[m[1]] = i + 1
		}
		if strings.Contains(line, "// VET") {
			vetLine, vetCol = i+1, strings.Index(line, "%d")+1 // vet points at the verb
		}
	}

	// The sparse copy (corofy -lines=sparse) must run at the same lines.
	sparse, err := transform.SparseLines(res[0].Src)
	if err != nil {
		t.Fatalf("SparseLines: %v", err)
	}
	writeFile(t, filepath.Join(mod, "positions_sparse", "main.gocoro"), src)
	writeFile(t, filepath.Join(mod, "positions_sparse", "main_corofied.go"), sparse)
	// And so must the reference program (corofy -reference), which
	// gofmt must leave as it is.
	refIn := filepath.Join(mod, "positions_ref", "main.gocoro")
	writeFile(t, refIn, src)
	ref, err := transform.Reference(transform.Config{LineDirectives: true, Command: "corofy -reference main.gocoro"}, transform.Input{Path: refIn}, src)
	if err != nil {
		t.Fatalf("Reference: %v", err)
	}
	if formatted, err := format.Source(ref); err != nil || !bytes.Equal(formatted, ref) {
		t.Errorf("the reference program is not gofmt's: %v\n%s", err, ref)
	}
	writeFile(t, filepath.Join(mod, "positions_ref", "main_corofied.go"), ref)
	for _, pkg := range []string{"./positions", "./positions_sparse", "./positions_ref"} {
		checkWhereLines(t, mod, pkg, want)
	}

	checkStatementPositions(t, src, res[0].Src)

	vet, err := testmod.Go(t, mod, "vet", "./positions")
	if err == nil {
		t.Fatalf("go vet found nothing; want the format error at main.gocoro:%d:%d", vetLine, vetCol)
	}
	wantVet := fmt.Sprintf("main.gocoro:%d:%d: fmt.Sprintf format %%d has arg", vetLine, vetCol)
	if !bytes.Contains([]byte(vet), []byte(wantVet)) {
		t.Errorf("go vet said:\n%s\nwant a line containing %q", vet, wantVet)
	}
}

// checkWhereLines runs the positions program pkg and checks that each
// where(tag) ran at its line.
func checkWhereLines(t *testing.T, mod, pkg string, want map[string]int) {
	t.Helper()
	out, err := testmod.Go(t, mod, "run", pkg)
	if err != nil {
		t.Fatalf("go run %s: %v\n%s", pkg, err, out)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var tag, at string
		if _, err := fmt.Sscan(sc.Text(), &tag, &at); err != nil || tag == "result" {
			continue
		}
		seen[tag] = true
		if wantAt := fmt.Sprintf("main.gocoro:%d", want[tag]); at != wantAt {
			t.Errorf("%s: where(%q) ran at %s, want %s", pkg, tag, at, wantAt)
		}
	}
	for tag := range want {
		if !seen[tag] && tag != "case" && tag != "case-after-wait" {
			t.Errorf("%s: where(%q) did not run", pkg, tag)
		}
	}
}

// checkStatementPositions checks that every statement of the generated
// code that the line directives place in main.gocoro starts where a node
// of main.gocoro starts: corofy's own statements (the poll of a wait and
// its not-ready return, jumps, declarations) carry the position of the
// source they stand for, never the next lines of the source by counting
// on from a directive. (A statement right after a comment line, of the
// source or moved by the passes, is only held to its line: gofmt puts no
// directive between a comment and its statement.)
func checkStatementPositions(t *testing.T, src, out []byte) {
	t.Helper()
	starts := map[[2]int]bool{}
	lines := strings.Split(string(src), "\n")
	fset := token.NewFileSet()
	pf, err := cparser.ParseFile(fset, "main.gocoro", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, co := range pf.Coroutines {
		for _, w := range co.Waits {
			p := fset.Position(w.Pos) // the word wait
			starts[[2]int{p.Line, p.Column}] = true
		}
	}
	ast.Inspect(pf.AST, func(n ast.Node) bool {
		if n != nil && n.Pos().IsValid() {
			p := fset.Position(n.Pos())
			starts[[2]int{p.Line, p.Column}] = true
		}
		return true
	})
	gen := token.NewFileSet()
	f, err := parser.ParseFile(gen, "main_corofied.go", out, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	outLines := strings.Split(string(out), "\n")
	checked := 0
	ast.Inspect(f, func(n ast.Node) bool {
		s, ok := n.(ast.Stmt)
		if !ok || !s.Pos().IsValid() {
			return true
		}
		switch s.(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			return true // a block starts at its brace, a clause at its keyword
		}
		p := gen.Position(s.Pos())
		if filepath.Base(p.Filename) != "main.gocoro" {
			return true
		}
		checked++
		if starts[[2]int{p.Line, p.Column}] {
			return true
		}
		if p.Line >= 2 && p.Line <= len(lines) && strings.HasPrefix(strings.TrimSpace(lines[p.Line-2]), "//") {
			return true
		}
		raw := gen.PositionFor(s.Pos(), false)
		before := raw.Line - 2
		for before > 0 && onlyBlockComments(outLines[before]) {
			before-- // the printer's line of /* */ comments after a // comment
		}
		if before >= 0 && strings.Contains(outLines[before], "//") {
			// After a comment the passes moved onto it (its directive
			// first, on the comment's line): held to its line, which
			// the where calls check.
			return true
		}
		t.Errorf("main_corofied.go:%d: statement placed at main.gocoro:%d:%d, where no source node starts", raw.Line, p.Line, p.Column)
		return true
	})
	if checked < 50 {
		t.Errorf("only %d statements of the generated code are placed in main.gocoro", checked)
	}
}

// onlyBlockComments reports whether line holds /* */ comments and nothing
// else.
func onlyBlockComments(line string) bool {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/*") {
		return false
	}
	for line != "" {
		rest, ok := strings.CutPrefix(line, "/*")
		if !ok {
			return false
		}
		_, after, ok := strings.Cut(rest, "*/")
		if !ok {
			return false
		}
		line = strings.TrimSpace(after)
	}
	return true
}
