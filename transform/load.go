package transform

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/tools/go/packages"
)

// loadedFile is one .gocoro file after type checking: the lowered AST the
// type checker saw, and what it found.
type loadedFile struct {
	in      Input
	lowered *cparser.File
	fset    *token.FileSet // holds lowered
	types   *types.Package
	info    *types.Info
	// importNames are the names under which the package's files import
	// other packages.
	importNames []string
}

// load type-checks the inputs, all of one directory, as part of their
// package, so that a coroutine can use the package's other files and any
// import.
//
// The go command (through go/packages) lists the package and every
// import, and provides their types from compiled export data: that is as
// fast as go vet. (An overlay would be simpler, but go/packages then
// type-checks every dependency from source, several times slower.) Then
// the package itself is type-checked here, with go/types: its Go files
// from disk except the inputs' output files, which the lowered .gocoro
// files replace, so a stale or missing output never matters.
func load(dir string, inputs []Input) ([]*loadedFile, error) {
	fset := token.NewFileSet()
	var files []*loadedFile
	standIns := map[string]bool{}
	patterns := []string{".", cparser.RuntimePath}
	tests := false
	for _, in := range inputs {
		src, err := os.ReadFile(in.Path)
		if err != nil {
			return nil, err
		}
		in.src = src
		pf, err := cparser.ParseFile(fset, in.Path, src)
		if err != nil {
			return nil, err
		}
		for _, imp := range pf.AST.Imports {
			if path, err := strconv.Unquote(imp.Path.Value); err == nil && path != "C" {
				patterns = append(patterns, path)
			}
		}
		standIns[standInPath(in)] = true
		tests = tests || strings.HasSuffix(in.Path, "_test.gocoro")
		files = append(files, &loadedFile{in: in, lowered: pf, fset: fset})
	}
	// The imports of the package's Go files are loaded too: a type check
	// from source needs every one of them, not only the inputs' imports.
	patterns = append(patterns, goFileImports(dir, standIns)...)
	cfg := &packages.Config{
		Mode:  packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedModule,
		Dir:   dir,
		Tests: tests,
		// Type-check nothing from source that we do not need: our own
		// check below is the one that counts.
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			if standIns[filename] { // a stale output: only its package clause
				return parser.ParseFile(fset, filename, src, parser.PackageClauseOnly)
			}
			return parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
		},
	}
	pkgs, err := packages.Load(cfg, dedup(patterns)...)
	if err != nil {
		return nil, fmt.Errorf("loading the package in %s: %v", dir, err)
	}
	imports := importMap(pkgs)
	// Group the inputs by the package they belong to (a _test.gocoro file
	// may be in the package's test variant or its external test package).
	byPkg := map[*packages.Package][]*loadedFile{}
	var order []*packages.Package
	for _, lf := range files {
		p := rootFor(pkgs, lf, standIns)
		if byPkg[p] == nil {
			order = append(order, p)
		}
		byPkg[p] = append(byPkg[p], lf)
	}
	var errs scanner.ErrorList
	for _, p := range order {
		errs = append(errs, check(dir, fset, p, byPkg[p], standIns, imports)...)
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return files, nil
}

// goFileImports returns the import paths of the Go files in dir, other
// than the stand-ins (stale outputs of the inputs). Files any build
// constraint excludes count too: loading one package more is harmless.
func goFileImports(dir string, standIns map[string]bool) []string {
	names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var paths []string
	fset := token.NewFileSet()
	for _, name := range names {
		if standIns[absPath(name)] {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			continue // the type check reports it
		}
		for _, imp := range f.Imports {
			if path, err := strconv.Unquote(imp.Path.Value); err == nil && path != "C" {
				paths = append(paths, path)
			}
		}
	}
	return paths
}

// rootFor returns the listed package lf belongs to: the one in its
// directory whose package name is lf's (a test variant for _test files),
// or nil when the directory has no Go package yet.
func rootFor(pkgs []*packages.Package, lf *loadedFile, standIns map[string]bool) *packages.Package {
	name := lf.lowered.AST.Name.Name
	isTest := strings.HasSuffix(lf.in.Path, "_test.gocoro")
	var best *packages.Package
	for _, p := range pkgs {
		if p.Name != name || len(p.GoFiles) == 0 && len(p.CompiledGoFiles) == 0 || strings.HasSuffix(p.ID, ".test") {
			continue
		}
		if filepath.Dir(firstFile(p)) != absPath(filepath.Dir(lf.in.Path)) {
			continue
		}
		variant := strings.Contains(p.ID, "[")
		if variant == isTest {
			return p
		}
		best = p
	}
	return best
}

func firstFile(p *packages.Package) string {
	if len(p.GoFiles) > 0 {
		return p.GoFiles[0]
	}
	return p.CompiledGoFiles[0]
}

// check type-checks the Go files of p, without the stand-ins, together
// with the lowered inputs, and records the results in the inputs.
func check(dir string, fset *token.FileSet, p *packages.Package, inputs []*loadedFile, standIns map[string]bool, imports map[string]*types.Package) scanner.ErrorList {
	var errs scanner.ErrorList
	var syntax []*ast.File
	pkgPath := ""
	var sizes types.Sizes
	goVersion := ""
	if p != nil {
		pkgPath, sizes = p.PkgPath, p.TypesSizes
		if p.Module != nil && p.Module.GoVersion != "" {
			goVersion = "go" + p.Module.GoVersion
		}
		for _, e := range p.Errors {
			if e.Kind == packages.TypeError || mentionsStandIn(e, standIns) || compileOutput(e, p) {
				continue // ours is the type check that counts
			}
			errs.Add(parsePos(e.Pos), e.Msg)
		}
		for _, name := range p.CompiledGoFiles {
			if standIns[name] {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				var list scanner.ErrorList
				if errors.As(err, &list) {
					errs = append(errs, list...)
					continue
				}
				errs.Add(token.Position{Filename: name}, err.Error())
				continue
			}
			syntax = append(syntax, f)
		}
	} else {
		var err error
		if pkgPath, err = importPath(dir); err != nil {
			errs.Add(token.Position{Filename: inputs[0].in.Path}, err.Error())
			return errs
		}
	}
	for _, lf := range inputs {
		syntax = append(syntax, lf.lowered.AST)
	}
	info := newInfo()
	conf := types.Config{
		GoVersion: goVersion,
		Sizes:     sizes,
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if pkg := imports[path]; pkg != nil {
				return pkg, nil
			}
			return nil, fmt.Errorf("package %s is not loaded (is it in the module's requirements?)", path)
		}),
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok {
				errs.Add(token.Position{}, err.Error())
				return
			}
			msg := te.Msg
			for _, lf := range inputs {
				msg = waitMessage(lf, info, te.Pos, msg)
			}
			msg = carrierTypes(msg)
			errs.Add(te.Fset.Position(te.Pos), msg)
		},
	}
	pkg, _ := conf.Check(pkgPath, fset, syntax, info)
	var importNames []string
	for _, obj := range info.Defs {
		if pn, ok := obj.(*types.PkgName); ok {
			importNames = append(importNames, pn.Name())
		}
	}
	for _, obj := range info.Implicits {
		if pn, ok := obj.(*types.PkgName); ok {
			importNames = append(importNames, pn.Name())
		}
	}
	for _, lf := range inputs {
		lf.types, lf.info, lf.importNames = pkg, info, importNames
	}
	return errs
}

// newInfo returns a types.Info that records what the transform reads.
func newInfo() *types.Info {
	return &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Implicits:  map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Scopes:     map[ast.Node]*types.Scope{},
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importMap maps the path of every package the load reached to its types.
func importMap(pkgs []*packages.Package) map[string]*types.Package {
	m := map[string]*types.Package{}
	var visit func(t *types.Package)
	visit = func(t *types.Package) {
		if t == nil || m[t.Path()] != nil {
			return
		}
		m[t.Path()] = t
		for _, q := range t.Imports() {
			visit(q)
		}
	}
	for _, p := range pkgs {
		visit(p.Types)
		for path, q := range p.Imports {
			if q.Types != nil && m[path] == nil {
				m[path] = q.Types
			}
			visit(q.Types)
		}
	}
	return m
}

// compileOutput reports whether e is the go command's failure to compile
// p itself for its export data ("# path" and the compiler's messages).
// Only the imports' export data is used; the package is type-checked here,
// from source, without the stale outputs the compiler tripped on (whose
// line directives make its messages name the .gocoro file, so
// mentionsStandIn cannot tell).
func compileOutput(e packages.Error, p *packages.Package) bool {
	return e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# "+p.PkgPath)
}

// mentionsStandIn reports whether a go command error is about a stand-in
// (an output file the lowered input replaces).
func mentionsStandIn(e packages.Error, standIns map[string]bool) bool {
	for name := range standIns {
		if strings.Contains(e.Pos, filepath.Base(name)) || strings.Contains(e.Msg, filepath.Base(name)) {
			return true
		}
	}
	return false
}

// importPath returns the import path of dir, a directory without Go files
// yet, from its module.
func importPath(dir string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finding the module of %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	fields := strings.SplitN(strings.TrimSpace(string(out)), "\t", 2)
	if len(fields) == 2 && fields[0] == "command-line-arguments" {
		return "", fmt.Errorf("%s is not in a Go module: corofy type-checks a .gocoro file as part of its module's package (run go mod init, and go get github.com/corofy/corofy)", dir)
	}
	if len(fields) != 2 {
		return "", fmt.Errorf("finding the module of %s: unexpected go list output %q", dir, out)
	}
	rel, err := filepath.Rel(fields[1], absPath(dir))
	if err != nil {
		return "", err
	}
	if rel == "." {
		return fields[0], nil
	}
	return fields[0] + "/" + filepath.ToSlash(rel), nil
}

// standInPath is the absolute path of the file the input replaces in its
// package: its output, or the default output when the output goes to
// another directory (a stale output must not be type-checked beside its own
// source).
func standInPath(in Input) string {
	out := in.Output
	if out == "" || filepath.Dir(absPath(out)) != filepath.Dir(absPath(in.Path)) {
		out = DefaultOutput(in.Path)
	}
	return absPath(out)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func dedup(list []string) []string {
	sort.Strings(list)
	out := list[:0]
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// parsePos turns "file:line:col" into a token.Position.
func parsePos(s string) token.Position {
	var p token.Position
	rest := s
	var nums []int
	for i := 0; i < 2; i++ {
		j := strings.LastIndexByte(rest, ':')
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(rest[j+1:])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		rest = rest[:j]
	}
	p.Filename = rest
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}
