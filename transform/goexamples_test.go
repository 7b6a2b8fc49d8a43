package transform_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

var goExamples = flag.String("goexamples", "sample", `example files of Go's standard library ($GOROOT/src) whose examples TestGoExamples runs as coroutines: "sample" (a few), "all", or a path.Match pattern of their paths ("strings/*")`)

// goExamplesSample is the default: files whose examples use much of the
// language, and one corofy refuses (see goExamplesRefused).
var goExamplesSample = []string{
	"strings/example_test.go", "container/heap/example_pq_test.go",
	"sort/example_keys_test.go", "slices/example_test.go", "errors/example_test.go",
	"encoding/xml/example_test.go",
}

// goExamplesDiffer are the files, among those run so far, whose examples'
// output depends on what corofy changes on purpose, each with why. A file
// not listed whose program differs is a failure to look into.
var goExamplesDiffer = map[string]string{
	"log/example_test.go":           "logs the file and line of its calls, which run in the coroutine twins at the end of main.gocoro",
	"log/slog/example_wrap_test.go": "logs the file and line of its calls, which run in the coroutine twins at the end of main.gocoro",
	"runtime/example_test.go":       "adds a cleanup to a local whose function uses another local (the machine keeps both, so runtime.AddCleanup panics: the cleanup would never run), and prints the functions of its stack",
}

// goExamplesRefused are the files corofy refuses, each with what its
// message says. A file listed that corofy no longer refuses is a failure
// too (take it out of the list).
var goExamplesRefused = map[string]string{
	// Two examples declare a local Address, which a local Person embeds;
	// a Person kept across waits needs its type at package level, where
	// the second Address takes another name and so would the field.
	"encoding/xml/example_test.go": "cannot declare the local type Address at package level under another name",
}

// TestGoExamples runs the examples of Go's standard library as
// coroutines: the Example functions of $GOROOT/src's external test files
// (package x_test) that have an output comment, which go test checks, so
// they print the same at every run. They are ordinary Go written by
// others, using the library as its authors mean it. Each file becomes a
// program whose main calls its examples in turn; asCoroutines makes main,
// and each function and method it calls by name, directly or not, a
// coroutine whose calls wait, with a wait before each statement; the
// program must print what the plain program prints and exit as it exits.
// Files that do not build alone (helpers in other files of the package)
// are skipped. With -goexamples=all it runs every file (about 3 minutes on
// 2 cores: 105 files, 723 examples with Go 1.26):
//
//	go test ./transform -run TestGoExamples -goexamples=all
func TestGoExamples(t *testing.T) {
	root := filepath.Join(transform.GoRoot(t), "src")
	if _, err := os.Stat(filepath.Join(root, goExamplesSample[0])); err != nil {
		// Some installations of Go leave the library's source out.
		t.Skipf("this Go has no standard library source, whose example files the test runs: %v", err)
	}
	var names []string
	if *goExamples == "sample" {
		names = goExamplesSample
	} else {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			name, _ := filepath.Rel(root, path)
			name = filepath.ToSlash(name)
			if d.IsDir() {
				if d.Name() == "testdata" || name == "cmd" || strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasPrefix(d.Name(), "example") || !strings.HasSuffix(d.Name(), "_test.go") {
				return nil
			}
			if ok, _ := filepath.Match(*goExamples, name); ok || *goExamples == "all" {
				names = append(names, name)
			}
			return nil
		})
	}
	testmod.Setenv(t)
	mod := testmod.New(t)
	ran, examples := 0, 0
	for i, name := range names {
		if why, ok := goExamplesDiffer[name]; ok {
			t.Logf("%s: left out: %s", name, why)
			continue
		}
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		prog, n := examplesProgram(src)
		if n == 0 {
			continue
		}
		coro, ok := asCoroutines(prog)
		if !ok {
			continue // it needs the other files of its package
		}
		if runAsCoroutines(t, mod, filepath.Join(mod, fmt.Sprintf("x%03d", i)), name, goExamplesRefused[name], prog, coro) {
			ran++
			examples += n
		}
	}
	t.Logf("%d files, %d examples of %s ran as coroutines", ran, examples, root)
	if *goExamples == "sample" && ran != len(names) {
		t.Errorf("%d of the %d files of the sample ran", ran, len(names))
	}
}

// examplesProgram returns the example file src as a program, package
// main, whose main calls each of its examples with an output comment (not
// an unordered one), in order, and how many it calls; 0 for a file that is
// not an external test file or has none.
func examplesProgram(src []byte) ([]byte, int) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || !strings.HasSuffix(f.Name.Name, "_test") {
		return nil, 0
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && (fd.Name.Name == "main" || fd.Name.Name == "init") {
			return nil, 0
		}
	}
	var calls strings.Builder
	n := 0
	for _, ex := range doc.Examples(f) {
		if ex.Unordered || ex.Output == "" && !ex.EmptyOutput {
			continue
		}
		fmt.Fprintf(&calls, "\tExample%s()\n", ex.Name)
		n++
	}
	if n == 0 {
		return nil, 0
	}
	start, end := fset.Position(f.Name.Pos()).Offset, fset.Position(f.Name.End()).Offset
	prog := append([]byte(string(src[:start])+"main"), src[end:]...)
	return append(prog, "\nfunc main() {\n"+calls.String()+"}\n"...), n
}
