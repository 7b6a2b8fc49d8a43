package transform

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/tools/txtar"
)

// TestRuntimeABI checks the runtime's documented ABI (the section "ABI with
// generated code" of runtime/doc.go) against what really uses the runtime:
//
//   - its list of the names generated code uses must be exactly the names
//     this package emits (the arguments of machine.rt, read from this
//     package's source) together with the runtime names the golden outputs
//     of testdata/transform use that their inputs do not;
//   - its list of the parser's markers must be exactly the runtime names in
//     the parser's lowering of coroutines of every arity;
//   - every name in either list must be declared by package runtime.
//
// The runtime imports nothing of corofy, so the check lives here and reads
// the runtime's source.
func TestRuntimeABI(t *testing.T) {
	generated, lowered := docABI(t)
	declared := runtimeDecls(t)
	for _, name := range append(slices.Clone(generated), lowered...) {
		if !declared[name] {
			t.Errorf("runtime/doc.go lists %s in its ABI; package runtime declares no such name", name)
		}
	}

	emitted := map[string]bool{}
	for _, name := range emittedNames(t) {
		emitted[name] = true
		// Poll of a coroutine with n results returns the TupleN that
		// TupleNOf builds, so the generated code names that type too.
		if base, ok := strings.CutSuffix(name, "Of"); ok && strings.HasPrefix(base, "Tuple") {
			emitted[base] = true
		}
	}
	for _, name := range goldenNames(t) {
		emitted[name] = true
	}
	compareSets(t, "the names generated code uses", generated, emitted)
	compareSets(t, "the parser's markers", lowered, loweredNames(t))
}

// compareSets reports the differences between the names the doc lists and
// those found in the code.
func compareSets(t *testing.T, what string, doc []string, code map[string]bool) {
	t.Helper()
	for _, name := range doc {
		if !code[name] {
			t.Errorf("runtime/doc.go lists %s among %s; the code does not use it", name, what)
		}
	}
	for name := range code {
		if !slices.Contains(doc, name) {
			t.Errorf("the code uses runtime.%s; runtime/doc.go does not list it among %s", name, what)
		}
	}
}

var docLink = regexp.MustCompile(`\[(\w+)\]`)

// docABI returns the names runtime/doc.go lists in the paragraph on
// generated code and in the one on the parser's markers.
func docABI(t *testing.T) (generated, lowered []string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "runtime", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(src), "// # ABI with generated code\n")
	if !ok {
		t.Fatal(`runtime/doc.go has no section "# ABI with generated code"`)
	}
	paragraph := func(start string) []string {
		_, p, ok := strings.Cut(section, "// "+start)
		if !ok {
			t.Fatalf("runtime/doc.go: no paragraph starting %q in the ABI section", start)
		}
		p, _, _ = strings.Cut(p, "//\n")
		var names []string
		for _, m := range docLink.FindAllStringSubmatch(p, -1) {
			names = append(names, m[1])
		}
		if len(names) == 0 {
			t.Fatalf("runtime/doc.go: the paragraph starting %q links no names", start)
		}
		return names
	}
	return paragraph("Generated code refers to"), paragraph("The parser lowers")
}

// parseDir parses the non-test Go files of dir.
func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// runtimeDecls returns the exported package-level names of package runtime.
func runtimeDecls(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, f := range parseDir(t, filepath.Join("..", "runtime")) {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names
}

// emittedNames returns the runtime names this package emits: the argument
// of every call of the method rt (see machine.rt), resolved through the
// package's string constants. fmt.Sprintf("Tuple%dOf", n) stands for each
// arity the parser accepts with several results, 2 and 3.
func emittedNames(t *testing.T) []string {
	t.Helper()
	files := parseDir(t, ".")
	consts := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.ValueSpec); ok {
				for i, name := range s.Names {
					if i < len(s.Values) {
						if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
			return true
		})
	}
	var names []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "rt" {
				return true
			}
			switch arg := call.Args[0].(type) {
			case *ast.Ident:
				if v, ok := consts[arg.Name]; ok {
					names = append(names, v)
					return true
				}
			case *ast.BasicLit:
				v, _ := strconv.Unquote(arg.Value)
				names = append(names, v)
				return true
			case *ast.CallExpr:
				if lit, ok := sprintfFormat(arg); ok && lit == "Tuple%dOf" {
					names = append(names, "Tuple2Of", "Tuple3Of")
					return true
				}
			}
			t.Errorf("%s: rt called with %T, which TestRuntimeABI cannot resolve to a name: teach it", f.Name.Name, call.Args[0])
			return true
		})
	}
	if len(names) == 0 {
		t.Fatal("found no call of rt in package transform")
	}
	return names
}

// sprintfFormat returns the format of a call fmt.Sprintf("...", ...).
func sprintfFormat(call *ast.CallExpr) (string, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Sprintf" || len(call.Args) == 0 {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

var runtimeRef = regexp.MustCompile(`\bruntime\.([A-Z]\w*)`)

// goldenNames returns the runtime names that the golden outputs of
// testdata/transform use and their inputs do not: those the transform wrote.
func goldenNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "transform", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	var names []string
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		var out []byte
		for _, f := range ar.Files {
			if f.Name == "out.go" {
				out = f.Data
				continue
			}
			for _, m := range runtimeRef.FindAllSubmatch(f.Data, -1) {
				in[string(m[1])] = true
			}
		}
		for _, m := range runtimeRef.FindAllSubmatch(out, -1) {
			if !in[string(m[1])] {
				names = append(names, string(m[1]))
			}
		}
	}
	return names
}

// loweredNames returns the runtime names in the parser's lowering of
// coroutines with zero to three results, each waiting on futures of one to
// three results.
func loweredNames(t *testing.T) map[string]bool {
	t.Helper()
	const src = `package p

import "github.com/corofy/corofy/runtime"

coroutine func r0() {}
coroutine func r1() int { return 1 }
coroutine func r2() (int, int) { return 1, 2 }
coroutine func r3() (int, int, int) { return 1, 2, 3 }

coroutine func waits() {
	r0().wait
	_ = r1().wait
	_, _ = r2().wait
	_, _, _ = r3().wait
	_ = runtime.Ready(1)
}
`
	f, err := cparser.ParseFile(token.NewFileSet(), "abi.gocoro", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	ast.Inspect(f.AST, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == f.RuntimeName {
				names[sel.Sel.Name] = true
			}
		}
		return true
	})
	delete(names, "Ready") // the source's own
	return names
}
