package transform

import (
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/tools/txtar"
)

// FuzzTransform feeds arbitrary .gocoro sources, seeded with every test
// program of the repository, to the parser and, when they type-check, to
// the transform. Neither may panic or fail with an internal error, and the
// generated code must type-check. The type checking runs in-process
// (go/types and a source importer) so that each input takes milliseconds.
func FuzzTransform(f *testing.F) {
	for _, src := range seedSources(f) {
		f.Add(src)
	}
	// The importer keeps the packages it checked, with their positions in
	// a file set of its own; each input gets a new one, so that a long
	// fuzzing run does not grow one file set by every input it tries.
	imp := importer.ForCompiler(token.NewFileSet(), "source", nil)
	// Check the packages the seeds import now: the first input would
	// otherwise pay for it, seconds of go list and type checking, and a
	// loaded machine makes the fuzzing engine take that for a hang.
	for _, path := range []string{"fmt", "errors", "strings", "strconv", "sync", "time", "math", "os", cparser.RuntimePath} {
		imp.Import(path)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := token.NewFileSet()
		pf, err := cparser.ParseFile(fset, "in.gocoro", src)
		if err != nil {
			var list scanner.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("ParseFile returned %T, not a scanner.ErrorList: %v", err, err)
			}
			return
		}
		info := newInfo()
		conf := types.Config{Importer: imp, Error: func(error) {}}
		pkg, err := conf.Check("example.com/fuzz", fset, []*ast.File{pf.AST}, info)
		if err != nil {
			return // not a well-typed program: the go command reports it
		}
		lf := &loadedFile{
			in:      Input{Path: "in.gocoro", Output: "in_corofied.go", src: src},
			lowered: pf,
			fset:    fset,
			types:   pkg,
			info:    info,
		}
		r, err := transformFile(Config{LineDirectives: true, Command: "corofy in.gocoro"}, lf, newPackageNamer(pkg, nil))
		if err != nil {
			var list scanner.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("transform failed with %v\ninput:\n%s", err, src)
			}
			return
		}
		out := r.Src
		if err := checkGraphs(r.Src, r.Graphs, false); err != nil {
			t.Fatalf("%v\ninput:\n%s", err, src)
		}
		of, err := parser.ParseFile(fset, "in_corofied.go", out, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("generated code does not parse: %v\ninput:\n%s\noutput:\n%s", err, src, out)
		}
		if _, err := SparseLines(out); err != nil {
			t.Fatalf("SparseLines: %v\ninput:\n%s\noutput:\n%s", err, src, out)
		}
		var typeErrs []string
		conf2 := types.Config{Importer: imp, Error: func(e error) { typeErrs = append(typeErrs, e.Error()) }}
		if _, err := conf2.Check("example.com/fuzz", fset, []*ast.File{of}, nil); err != nil {
			t.Fatalf("generated code does not type-check:\n%s\ninput:\n%s\noutput:\n%s", strings.Join(typeErrs, "\n"), src, out)
		}
	})
}

// seedSources returns the .gocoro sources of the repository's tests and
// examples that stand alone (one file per package).
func seedSources(f *testing.F) [][]byte {
	var srcs [][]byte
	archives, _ := filepath.Glob("../testdata/transform/*.txtar")
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name == "in.gocoro" {
				srcs = append(srcs, file.Data)
			}
		}
	}
	files, _ := filepath.Glob("../testdata/parser/*.gocoro")
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	return srcs
}
