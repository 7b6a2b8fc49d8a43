package transform_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

var goPrograms = flag.String("goprograms", "sample", `programs of Go's own test suite ($GOROOT/test) TestGoPrograms runs as coroutines: "sample" (a few), "all", or a path.Match pattern of their names ("fixedbugs/issue4*")`)

// goProgramsSample is the default: programs whose shapes found bugs.
var goProgramsSample = []string{
	"const8.go", "defer.go", "fixedbugs/issue24547.go",
	"fixedbugs/issue40629.go", "fixedbugs/issue43619.go", "fixedbugs/issue50190.go",
	"append.go", "range.go", "switch.go", "map.go",
	"fixedbugs/bug058.go", "fixedbugs/issue13684.go",
	"fixedbugs/bug225.go", "fixedbugs/issue72063.go", "method5.go",
	"range4.go",
}

// goProgramsDiffer are the programs, among those run so far, whose output
// depends on what corofy changes on purpose, each with why: allocation
// counts, the names of closures in stack traces, when the garbage
// collector frees what a machine keeps, line directives of their own. A
// program not listed that differs is a failure to look into.
var goProgramsDiffer = map[string]string{
	"closure.go":                     "counts allocations",
	"devirtualization_nil_panics.go": "looks closures up by name (main.main.func1)",
	"linkmain_run.go":                "runs the linker itself",
	"rename.go":                      "declares int, nil and len at package level, which corofy refuses, saying why",
	"fixedbugs/issue22662.go":        "checks the positions its own line directives set",
	"fixedbugs/issue27518b.go":       "expects a finalizer to run while main's variables are dead in its frame",
	"fixedbugs/issue46725.go":        "expects a collection of what the machine keeps",
	"fixedbugs/issue38093.go":        "builds for js/wasm only",
	"fixedbugs/bug203.go":            "its main is not a plain func main",
	"fixedbugs/issue18149.go":        "checks the positions its own line directives set",
	"fixedbugs/issue32477.go":        "expects a finalizer to run while a variable is dead in a frame",
	"fixedbugs/issue5856.go":         "checks its own file name (the test renames it)",
	"heapsampling.go":                "looks its allocations up by function name in the heap profile",
	"finprofiled.go":                 "counts the bytes of 16-byte tiny blocks in the heap profile, which the futures the coroutines wait on share (under load, one block short)",
	"stackobj.go":                    "expects a collection of what the machine keeps",
	"stackobj3.go":                   "expects finalizers to run while a value is dead in a frame",
	"fixedbugs/issue24491a.go":       "sets finalizers on its locals, which the machine keeps as fields, not allocations of their own",
	"fixedbugs/issue24491b.go":       "sets finalizers on its locals, which the machine keeps as fields, not allocations of their own",
	"fixedbugs/issue26094.go":        "checks the runtime's message for local types of one name, which corofy declares at package level under other names (it warns)",
	"fixedbugs/issue45045.go":        "expects a finalizer to run while the machine keeps the value",
	"fixedbugs/issue57823.go":        "expects a collection of what the machine keeps",
}

// goProgramsRefused are the programs corofy refuses, each with what its
// message says: shapes that the machine cannot write, reported at their
// position. A program listed that corofy no longer refuses is a failure
// too (take it out of the list).
var goProgramsRefused = map[string]string{
	// A local T2 embedded in a local T1, both moved to package level,
	// where T2 names the package's own T2.
	"sizeof.go": "cannot declare the local type T2 at package level under another name",
}

// TestGoPrograms runs programs of Go's own test suite as coroutines: the
// programs of $GOROOT/test marked "// run" check themselves or print, and
// are ordinary Go written by others, with the shapes the Go team found
// worth a test. Each one's main, and each function and method it calls by
// name, directly or not, becomes a coroutine whose calls wait, with a wait
// before each of its statements (so that its variables live in the
// machine; see asCoroutines), run by a main of its own; it must print what
// the program prints and exit as it exits. With -goprograms=all it runs
// them all (about 30 minutes on 2 cores):
//
//	go test ./transform -run TestGoPrograms -goprograms=all
func TestGoPrograms(t *testing.T) {
	root := filepath.Join(transform.GoRoot(t), "test")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no Go test suite at %s (a toolchain from the module proxy has none): %v", root, err)
	}
	var names []string
	if *goPrograms == "sample" {
		names = goProgramsSample
	} else {
		for _, dir := range []string{"", "fixedbugs"} {
			files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
			for _, f := range files {
				name, _ := filepath.Rel(root, f)
				if ok, _ := filepath.Match(*goPrograms, name); ok || *goPrograms == "all" {
					names = append(names, filepath.ToSlash(name))
				}
			}
		}
	}
	testmod.Setenv(t)
	mod := testmod.New(t)
	ran := 0
	for i, name := range names {
		if why, ok := goProgramsDiffer[name]; ok {
			t.Logf("%s: left out: %s", name, why)
			continue
		}
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(src, []byte("// run\n")) {
			continue
		}
		coro, ok := asCoroutines(src)
		if !ok {
			continue
		}
		// A program that does not run plain needs what go test's runner
		// gives it (flags, files).
		if runAsCoroutines(t, mod, filepath.Join(mod, fmt.Sprintf("p%03d", i)), name, goProgramsRefused[name], src, coro) {
			ran++
		}
	}
	t.Logf("%d programs of %s ran as coroutines", ran, root)
	if *goPrograms == "sample" && ran != len(names) {
		// Each program of the sample runs: one skipped (it no longer
		// type-checks here, it has no plain main) is coverage lost.
		t.Errorf("%d of the %d programs of the sample ran", ran, len(names))
	}
}

// asCoroutine returns the Go program src with its main a coroutine that
// waits after each of its statements and at the start of each of its
// loops' bodies, and a new main that runs it; false if src has no plain
// main.
func asCoroutine(src []byte) ([]byte, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	var main *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" && fd.Body != nil {
			main = fd
		}
	}
	if main == nil || main.Type.Params.NumFields() > 0 || main.Type.Results != nil {
		return nil, false
	}
	type edit struct {
		off  int
		text string
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	edits := []edit{
		// On the package clause's line: no line of the program moves.
		{off(f.Name.End()), "; import corofyrt \"github.com/corofy/corofy/runtime\""},
		{off(main.Type.Func), "coroutine "},
		{off(main.Name.Pos()), "coro"},
	}
	for _, s := range main.Body.List {
		switch s := s.(type) {
		case *ast.ReturnStmt, *ast.BranchStmt, *ast.LabeledStmt:
			continue
		case *ast.ForStmt:
			edits = append(edits, edit{off(s.Body.Lbrace) + 1, "corofyrt.Ready(1).wait;"})
		case *ast.RangeStmt:
			edits = append(edits, edit{off(s.Body.Lbrace) + 1, "corofyrt.Ready(1).wait;"})
		}
		edits = append(edits, edit{off(s.End()), "; corofyrt.Ready(0).wait"})
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return b.off - a.off })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Insert(out, e.off, []byte(e.text)...)
	}
	return append(out, "\nfunc main() { corofyrt.BlockOn(coromain()) }\n"...), true
}

// runAsCoroutines writes the program name, plain (src) and as coroutines
// (coro, a .gocoro), in dir of the module mod, and runs the plain program;
// false if it does not build. It then transforms the .gocoro, checks its
// state graphs, builds and runs it, and checks that it prints what the
// plain program printed and exits as it exited; or, where refused is not
// "", that corofy refuses it with a message that says refused.
func runAsCoroutines(t *testing.T, mod, dir, name, refused string, src, coro []byte) bool {
	t.Helper()
	writeFile(t, filepath.Join(dir, "orig", "main.go"), src)
	writeFile(t, filepath.Join(dir, "main.gocoro"), coro)
	origOut, origCode, err := buildAndRun(t, mod, "./"+filepath.Base(dir)+"/orig")
	if err != nil {
		return false
	}
	res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}, []transform.Input{{Path: filepath.Join(dir, "main.gocoro")}})
	if err != nil {
		var list scanner.ErrorList
		switch {
		case !errors.As(err, &list):
			t.Errorf("%s: %v", name, err)
		case refused == "" || !strings.Contains(err.Error(), refused):
			t.Errorf("%s: corofy refuses it:\n%v", name, err)
		}
		return true
	}
	if refused != "" {
		t.Errorf("%s: corofy no longer refuses it (%q): take it out of the list of refused programs", name, refused)
	}
	if err := transform.CheckGraphs(res[0].Src, res[0].Graphs, false); err != nil {
		t.Errorf("%s: state graph: %v", name, err)
	}
	writeFile(t, filepath.Join(dir, "main_corofied.go"), res[0].Src)
	out, code, err := buildAndRun(t, mod, "./"+filepath.Base(dir))
	switch {
	case err != nil:
		t.Errorf("%s: the generated program: %v\n%s", name, err, out)
	case code != origCode || out != origOut:
		t.Errorf("%s: the generated program printed (exit %d):\n%s\nthe program printed (exit %d):\n%s\n(in %s)", name, code, out, origCode, origOut, dir)
	}
	return true
}

// buildAndRun builds the package pkg of the module mod and runs it, with
// a time limit, returning its standard output and exit code; an error if
// it does not build or does not end.
func buildAndRun(t *testing.T, mod, pkg string) (string, int, error) {
	bin := filepath.Join(t.TempDir(), "prog")
	if out, err := testmod.Go(t, mod, "build", "-o", bin, pkg); err != nil {
		return out, 0, fmt.Errorf("go build: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run()
	if ctx.Err() != nil {
		return stdout.String(), 0, fmt.Errorf("still running after a minute")
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return stdout.String(), exit.ExitCode(), nil
	}
	return stdout.String(), 0, err
}
