package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/corofy/corofy/internal/golist"
	"github.com/corofy/corofy/internal/srcfile"
	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/mod/module"
)

// loadedFile is one .gocoro file after type checking: the lowered AST the
// type checker saw, and what it found.
type loadedFile struct {
	in      Input
	lowered *cparser.File
	fset    *token.FileSet // holds lowered
	types   *types.Package
	info    *types.Info
	// importNames are the names the imports of the package's files
	// declare in their file blocks: a dot import's are the exported names
	// of the package it imports.
	importNames []string
	// base is, for a file of a package's test variant (an in-package
	// _test.gocoro), the package without its tests when this run checked
	// it too: names generated for that package's files are taken.
	base *types.Package
	// early is the work on the file that needs no types, started while
	// the package is loaded (see early.go), until the transform takes it.
	early *early
}

// load type-checks the inputs, which are in the directories dirs of one
// module, each as part of its package, so that a coroutine can use the
// package's other files and any import. It returns the files in the order
// their packages must be transformed: a package after the packages of the
// run it imports.
//
// One go command (internal/golist, the part of go/packages corofy needs,
// without the two go commands go/packages runs besides) lists every
// package of the run and every import, and provides the imports' types
// from compiled export data: that is as fast as go vet. (An overlay
// would be simpler, but the dependencies would then be type-checked from
// source, several times slower.) The go command reads the run's
// packages' Go files as skeletons (see goFileImports); the load lists
// again with the whole files only where a package needs their export
// data. Then each package is type-checked here, with go/types:
// its Go files from disk except the inputs' output files, which the
// lowered .gocoro files replace, so a stale or missing output never
// matters. A package of the run that imports another gets the other's
// types from this check, not from its stale or missing output: two
// packages transform in one run in import order.
func load(config Config, dirs []string, byDir map[string][]Input) (_ []*loadedFile, err error) {
	fset := token.NewFileSet()
	standIns := map[string]bool{}
	for _, dir := range dirs {
		for _, in := range byDir[dir] {
			standIns[standInPath(in)] = true
		}
	}
	patterns := []string{cparser.RuntimePath}
	tests := false
	var files []*loadedFile
	var importErrs scanner.ErrorList
	dirImports := map[string][]string{}
	skeletons := map[string][]byte{}
	for _, dir := range dirs {
		patterns = append(patterns, absPath(dir))
		for _, in := range byDir[dir] {
			src, err := srcfile.Read(in.Path)
			if err != nil {
				return nil, err
			}
			in.src = src
			pf, err := cparser.ParseFile(fset, in.Path, src)
			if err != nil {
				return nil, err
			}
			for _, imp := range pf.AST.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil || path == "C" {
					continue
				}
				if msg, ok := checkImport(path); !ok {
					if msg != "" {
						importErrs.Add(fset.Position(imp.Pos()), msg)
					}
					continue
				}
				dirImports[dir] = append(dirImports[dir], path)
			}
			tests = tests || strings.HasSuffix(in.Path, "_test.gocoro")
			files = append(files, &loadedFile{in: in, lowered: pf, fset: fset})
		}
		// The imports of the package's Go files are loaded too: a type
		// check from source needs every one of them, not only the
		// inputs' imports.
		dirImports[dir] = append(dirImports[dir], goFileImports(dir, standIns, skeletons)...)
		patterns = append(patterns, dirImports[dir]...)
	}
	if len(importErrs) > 0 {
		// As go build, which reports the imports it cannot load and
		// compiles nothing.
		return nil, sortErrors(importErrs)
	}
	// The largest input's early work goes on while the package loads
	// (the others' start when they are transformed: done now, each would
	// hold its decorated trees until its turn).
	var largest *loadedFile
	for _, lf := range files {
		if largest == nil || len(lf.in.src) > len(largest.in.src) {
			largest = lf
		}
	}
	if largest != nil && !noSplicing.Load() {
		largest.early = startEarly(config, largest, true)
	}
	defer func() {
		if err != nil {
			cancelEarly(files)
		}
	}()
	patterns = dedup(patterns)
	if noSkeletons.Load() {
		skeletons = nil
	}
	out, err := list(dirs, files, patterns, tests, fset, standIns, skeletons, dirImports)
	if err == errNeedExports && skeletons != nil {
		// A package needs the export data of a package of the run's
		// directories: list again, with their Go files as they are.
		fullListings.Add(1)
		out, err = list(dirs, files, patterns, tests, fset, standIns, nil, dirImports)
	}
	return out, err
}

// errNeedExports is list's error when the go command compiled skeletons
// (see goFileImports) and a package needs what they left out.
var errNeedExports = errors.New("transform: internal error: the export data of a package of the run is needed")

// fullListings counts the loads that listed the packages again without
// skeletons, and noSkeletons makes every load list without them (for the
// tests).
var (
	fullListings atomic.Int64
	noSkeletons  atomic.Bool
)

// list lists the packages of the run's directories and their imports
// with one go command, and type-checks the run's packages (see load).
// The go command reads the stand-ins as their package clause, and the
// skeletons, if not nil, in place of the Go files they are of.
func list(dirs []string, files []*loadedFile, patterns []string, tests bool, fset *token.FileSet, standIns map[string]bool, skeletons map[string][]byte, dirImports map[string][]string) ([]*loadedFile, error) {
	overlay, cleanup, err := writeOverlay(standIns, skeletons)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	listingPause()
	cfg := &golist.Config{
		Dir:   goCommandDir(dirs[0]),
		Tests: tests,
		Flags: overlay,
		// A package the go command could not compile is checked from
		// source: a stale output as its package clause only.
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			if standIns[filename] {
				return parser.ParseFile(fset, filename, src, parser.PackageClauseOnly)
			}
			return parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
		},
	}
	pkgs, err := golist.Load(cfg, patterns...)
	var failed *golist.CommandError
	switch {
	case errors.As(err, &failed):
		// Outside any module, each directory's first input says so
		// (see groups); otherwise the go command's message says what
		// is wrong (go.mod needs updates, say).
		if _, merr := importPath(dirs[0]); merr != errNoModule {
			return nil, errors.New(failed.Msg)
		}
	case err != nil:
		return nil, fmt.Errorf("loading the packages of %s: %v", strings.Join(dirs, ", "), err)
	}
	if err := goCommandError(pkgs); err != nil {
		return nil, err
	}
	if skeletons != nil && importsRun(pkgs, dirs) {
		return nil, errNeedExports // compiled against a skeleton
	}
	l := &loader{fset: fset, standIns: standIns, skeletons: skeletons != nil, imports: importMap(pkgs), checked: map[string]*types.Package{}, testVariants: map[string]*types.Package{}, listDir: absPath(cfg.Dir)}
	groups, err := l.groups(pkgs, dirs, files)
	if err != nil {
		return nil, err
	}
	if errs := l.internalImports(pkgs, files); len(errs) > 0 {
		return nil, errs // as go build, which compiles nothing then
	}
	groups = orderGroups(groups, dirs, l.dirPaths, dirImports)
	var errs scanner.ErrorList
	var out []*loadedFile
	for _, g := range groups {
		errs = append(errs, l.check(g)...)
		if l.needExports {
			return nil, errNeedExports
		}
		out = append(out, g.inputs...)
	}
	if len(errs) > 0 {
		return nil, sortErrors(errs)
	}
	return out, nil
}

// writeOverlay returns the go command flag (-overlay) that replaces
// every stand-in (an input's previous output) that exists with its
// beginning up to its package clause, and each Go file that has a
// skeleton with it, and a function that removes the overlay's files.
//
// The go command compiles the packages it lists for their export data.
// Without the stand-ins it would compile the previous outputs, as large
// as the coroutines' machines, and stale, for types that are never used
// (the package is checked here from source); without the skeletons, the
// package's Go files, each time one changed (on a package of ten
// coroutines, 35 ms of the 0.36 s corofy took). With both, the package
// keeps its files, names, build constraints and imports for the listing,
// and its compile costs next to nothing: the imports of a skeleton are
// unused, and it fails at once (compileOutput: its error is not
// reported).
func writeOverlay(standIns map[string]bool, skeletons map[string][]byte) (flags []string, cleanup func(), err error) {
	replace := map[string]string{}
	dir := ""
	cleanup = func() {
		if dir != "" {
			overlays.Lock()
			delete(overlays.dirs, dir)
			overlays.Unlock()
			os.RemoveAll(dir)
		}
	}
	heads := maps.Clone(skeletons)
	if heads == nil {
		heads = map[string][]byte{}
	}
	for name := range standIns {
		if head, ok := packageClause(name); ok {
			heads[name] = head
		} // else missing, or the go command reports what is wrong with it
	}
	for _, name := range slices.Sorted(maps.Keys(heads)) {
		head := heads[name]
		if dir == "" {
			if dir, err = makeOverlayDir(); err != nil {
				return nil, cleanup, err
			}
		}
		file := filepath.Join(dir, fmt.Sprintf("%d.go", len(replace)))
		if err := os.WriteFile(file, head, 0o644); err != nil {
			return nil, cleanup, err
		}
		replace[name] = file
	}
	if len(replace) == 0 {
		return nil, cleanup, nil
	}
	js, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return nil, cleanup, err
	}
	file := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		return nil, cleanup, err
	}
	return []string{"-overlay=" + file}, cleanup, nil
}

// overlays holds the directories of the overlays in use, which
// RemoveTemps removes.
var overlays = struct {
	sync.Mutex
	dirs    map[string]bool
	removed bool // by RemoveTemps: no more are made
}{dirs: map[string]bool{}}

// makeOverlayDir makes the temporary directory of an overlay, named
// corofy-overlay-PID-N, PID being this process (a later run removes the
// one a SIGKILL left).
func makeOverlayDir() (string, error) {
	overlays.Lock()
	defer overlays.Unlock()
	if overlays.removed {
		return "", errors.New("the process is ending")
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("corofy-overlay-%d-*", os.Getpid()))
	if err != nil {
		return "", err
	}
	overlays.dirs[dir] = true
	return dir, nil
}

// RemoveTemps removes the temporary files that the transforms under way
// made (the files the go command reads in place of the packages' Go
// files), for a process a signal is ending. A transform that needs one
// after it fails.
func RemoveTemps() {
	overlays.Lock()
	defer overlays.Unlock()
	overlays.removed = true
	for dir := range overlays.dirs {
		os.RemoveAll(dir)
	}
}

// listingPause is the test hook that stops a load once the go command's
// overlay is written, before the go command runs: with
// COROFY_TESTHOOK_LISTING set to a file name, the load creates that file
// and waits a minute, for a test to signal the process.
func listingPause() {
	if ready := os.Getenv("COROFY_TESTHOOK_LISTING"); ready != "" {
		os.WriteFile(ready, nil, 0o644)
		time.Sleep(time.Minute)
	}
}

// packageClause returns the Go file name's text up to the end of its
// package clause (its header comments, build constraints and package
// name), reading no more of the file than that needs, or false when it
// cannot be read or has no package clause.
func packageClause(name string) ([]byte, bool) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var src []byte
	for size := 64 << 10; ; size *= 8 {
		buf := make([]byte, size)
		n, err := io.ReadFull(f, buf[len(src):])
		src = append(src, buf[len(src):len(src)+n]...)
		pf, perr := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly)
		// A name that ends where the text read does may go on.
		if end := int(pf.Name.End()) - 1; perr == nil && (end < len(src) || err != nil) {
			return append(src[:end:end], '\n'), true
		}
		if err != nil { // the whole file was read
			return nil, false
		}
	}
}

// goCommandDir returns the directory the go command lists the packages
// of the directory dir (and the others of its module) in: the current
// one when the go command finds the same module and workspace from both
// (it then names files relative to it, as the user does), else dir.
func goCommandDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	dir = absPath(dir)
	if root := moduleRoot(dir); root != "" && moduleRoot(wd) == root && findUp(wd, "go.work") == findUp(dir, "go.work") {
		return wd
	}
	return dir
}

// findUp returns the file name found in dir or the nearest directory
// above it, or "".
func findUp(dir, name string) string {
	for {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return filepath.Join(dir, name)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// goCommandError returns the go command's own failure, which no package
// explains (go.mod needs updates, say), or nil.
func goCommandError(pkgs []*golist.Package) error {
	var msgs []string
	golist.Visit(pkgs, nil, func(p *golist.Package) {
		for _, e := range p.Errors {
			if e.Kind == golist.ListError && e.Pos == "" && strings.HasPrefix(e.Msg, "go: ") && !slices.Contains(msgs, e.Msg) {
				msgs = append(msgs, e.Msg)
			}
		}
	})
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// goFileImports returns the import paths of the Go files in dir, other
// than the stand-ins (stale outputs of the inputs). Files any build
// constraint excludes count too: loading one package more is harmless.
//
// It also adds to skeletons, by absolute path, the skeleton of each Go
// file that uses neither cgo nor embed: its text up to the end of its
// imports. The go command, which lists the package, compiles it only for its
// export data, which the type check here does not use; a skeleton has
// all the listing reads of the file (its build constraints, package
// clause and imports, at the same positions). Where another package's
// export data needs the package's, the load lists again without them
// (errNeedExports).
func goFileImports(dir string, standIns map[string]bool, skeletons map[string][]byte) []string {
	names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var paths []string
	fset := token.NewFileSet()
	for _, name := range names {
		name = absPath(name)
		if standIns[name] {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			continue // the go command reports it
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			continue // the type check reports it
		}
		if end := skeletonEnd(fset, f); end >= 0 {
			skeletons[name] = append(src[:end:end], '\n')
		}
		for _, imp := range f.Imports {
			if path, err := strconv.Unquote(imp.Path.Value); err == nil && path != "C" {
				if _, ok := checkImport(path); ok { // else the go command reports it, listing the package
					paths = append(paths, path)
				}
			}
		}
	}
	return paths
}

// skeletonEnd returns the offset where the skeleton of f, parsed with
// parser.ImportsOnly, ends: after its last import declaration, or its
// package clause; -1 if f imports "C" (cgo reads the rest of the file) or
// "embed" (the go command reads its //go:embed directives, and reports a
// pattern that matches no file).
func skeletonEnd(fset *token.FileSet, f *ast.File) int {
	for _, spec := range f.Imports {
		if spec.Path.Value == `"C"` || spec.Path.Value == `"embed"` {
			return -1
		}
	}
	end := f.Name.End()
	if len(f.Decls) > 0 {
		end = f.Decls[len(f.Decls)-1].End()
	}
	return fset.Position(end).Offset
}

// importsRun reports whether a listed package outside the run's
// directories dirs imports one of their packages: its export data was
// compiled against a skeleton.
func importsRun(pkgs []*golist.Package, dirs []string) bool {
	run := map[string]bool{}
	for _, dir := range dirs {
		run[absPath(dir)] = true
	}
	inRun := func(p *golist.Package) bool {
		return (p.Dir != "" || len(p.GoFiles) > 0 || len(p.CompiledGoFiles) > 0) && run[packageDir(p)]
	}
	found := false
	golist.Visit(pkgs, func(p *golist.Package) bool {
		if !found && !inRun(p) {
			for _, q := range p.Imports {
				found = found || inRun(q)
			}
		}
		return !found
	}, nil)
	return found
}

// checkImport reports whether path, imported by a file of the run, is an
// import path that may be handed to the go command. A path that is not
// one would be read there as a pattern ("..." matches every package there
// is, "std" the standard library, "./x" a directory) or as a flag, and
// go build refuses it (as it refuses path@version and mod/...): msg is then go build's message, or "" when go/types
// reports the path itself (it is empty or has a character no import path
// has: "invalid import path").
func checkImport(path string) (msg string, ok bool) {
	switch {
	case !validImportChars(path):
		return "", false
	case strings.HasPrefix(path, "mod/"):
		return fmt.Sprintf("disallowed import path %q", path), false
	case strings.Contains(path, "@"):
		return "can only use path@version syntax with 'go get' and 'go install' in module-aware mode", false
	case build.IsLocalImport(path):
		return fmt.Sprintf("%q is relative, but relative import paths are not supported in module mode", path), false
	case filepath.IsAbs(path) || strings.HasPrefix(path, "/"):
		return fmt.Sprintf("%q is not a package path; see 'go help packages'", path), false
	case path == "std" || path == "cmd" || path == "all" || path == "tool" || path == "work":
		return fmt.Sprintf("%q is not an importable package; see 'go help packages'", path), false
	}
	if err := module.CheckImportPath(path); err != nil {
		return err.Error(), false // malformed import path "x": why
	}
	return "", true
}

// validImportChars reports whether go/types accepts path as an import
// path, as it checks it: not empty, and only graphic characters that are
// not spaces nor any of !"#$%&'()*,:;<=>?[\]^{|}` or U+FFFD.
func validImportChars(path string) bool {
	const illegal = `!"#$%&'()*,:;<=>?[\]^{|}` + "`\uFFFD"
	for _, r := range path {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) || strings.ContainsRune(illegal, r) {
			return false
		}
	}
	return path != ""
}

// loader is what the checks of one load share.
type loader struct {
	fset     *token.FileSet
	standIns map[string]bool
	imports  map[string]importEntry // the load's packages, by path
	// checked holds the packages of the run checked so far, by path, and
	// testVariants their test variants, which an external test imports.
	checked, testVariants map[string]*types.Package
	dirPaths              map[string]string // import path of each directory
	listDir               string            // where the go command ran, which positions are relative to
	// skeletons: the go command compiled skeletons of the run's
	// packages, whose types are not theirs; needExports is set when one
	// was needed (the load lists again without them).
	skeletons, needExports bool
}

// ofRun reports whether path is the import path of a directory of the run.
func (l *loader) ofRun(path string) bool {
	for _, p := range l.dirPaths {
		if p == path {
			return true
		}
	}
	return false
}

// internalImports returns the errors of the inputs' imports of internal
// packages they may not import. The go command checks the imports of the
// package's Go files; the inputs' imports were listed as packages of their
// own, which it does not check.
func (l *loader) internalImports(pkgs []*golist.Package, files []*loadedFile) scanner.ErrorList {
	listed := map[string]*golist.Package{}
	golist.Visit(pkgs, nil, func(p *golist.Package) {
		if q := listed[p.PkgPath]; q == nil || p.ID == p.PkgPath {
			listed[p.PkgPath] = p
		}
	})
	var errs scanner.ErrorList
	for _, lf := range files {
		dir := filepath.Dir(lf.in.Path)
		for _, imp := range lf.lowered.AST.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			if p := listed[path]; p != nil && !internalAllowed(l.dirPaths[dir], absPath(dir), p) {
				errs.Add(lf.fset.Position(imp.Pos()), fmt.Sprintf("use of internal package %s not allowed", path))
			}
		}
	}
	return sortErrors(errs)
}

// internalAllowed reports whether the package of import path importer, in
// the directory dir, may import p, by the go command's rule for internal
// packages (cmd/go's disallowInternal): an import of a path with an
// element "internal" is allowed only from the tree rooted at the parent
// of its last "internal" directory. For a package in a module the trees
// are import paths; for one in no module (the standard library) they are
// directories.
func internalAllowed(importer, dir string, p *golist.Package) bool {
	i, ok := findInternal(p.PkgPath)
	if !ok {
		return true
	}
	if i > 0 {
		i-- // the slash before "internal"
	}
	if p.Module != nil {
		return hasPathPrefix(importer, p.PkgPath[:i])
	}
	pdir := p.Dir
	if pdir == "" && (len(p.GoFiles) > 0 || len(p.CompiledGoFiles) > 0) {
		pdir = packageDir(p)
	}
	if len(pdir) < len(p.PkgPath) {
		return true // cannot tell
	}
	parent := filepath.Clean(pdir[:i+len(pdir)-len(p.PkgPath)])
	return hasFilePathPrefix(filepath.Clean(dir), parent)
}

// findInternal returns the index of the last "internal" element of path,
// as cmd/go finds it.
func findInternal(path string) (int, bool) {
	switch {
	case strings.HasSuffix(path, "/internal"):
		return len(path) - len("internal"), true
	case strings.Contains(path, "/internal/"):
		return strings.LastIndex(path, "/internal/") + 1, true
	case path == "internal", strings.HasPrefix(path, "internal/"):
		return 0, true
	}
	return 0, false
}

// hasPathPrefix reports whether the import path s is prefix or below it.
func hasPathPrefix(s, prefix string) bool {
	switch {
	case len(s) == len(prefix):
		return s == prefix
	case prefix == "":
		return true
	case len(s) > len(prefix):
		if prefix[len(prefix)-1] == '/' {
			return strings.HasPrefix(s, prefix)
		}
		return s[len(prefix)] == '/' && s[:len(prefix)] == prefix
	}
	return false
}

// hasFilePathPrefix reports whether the directory s is prefix or below it.
func hasFilePathPrefix(s, prefix string) bool {
	rel, err := filepath.Rel(prefix, s)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// The kinds of package a directory may hold, in the order they are checked.
const (
	plainPackage = iota
	testVariant  // the package with its _test files
	externalTest // package p_test
)

// group is one package to check: its inputs, the listed package (nil when
// the directory has no Go files for it yet), and the inputs of the
// package it tests, which a test variant includes.
type group struct {
	dir    string
	kind   int
	pkg    *golist.Package
	inputs []*loadedFile
	extra  []*loadedFile
}

// groups sorts the inputs into the packages they belong to.
func (l *loader) groups(pkgs []*golist.Package, dirs []string, files []*loadedFile) ([]*group, error) {
	l.dirPaths = map[string]string{}
	byKey := map[[2]string]*group{}
	var groups []*group
	get := func(dir string, kind int, name string) *group {
		key := [2]string{dir, strconv.Itoa(kind)}
		if g := byKey[key]; g != nil {
			return g
		}
		g := &group{dir: dir, kind: kind, pkg: listedPackage(pkgs, dir, kind, name)}
		byKey[key] = g
		groups = append(groups, g)
		return g
	}
	for _, lf := range files {
		dir := filepath.Dir(lf.in.Path)
		name := lf.lowered.AST.Name.Name
		kind := plainPackage
		switch {
		case strings.HasSuffix(name, "_test") && strings.HasSuffix(lf.in.Path, "_test.gocoro"):
			kind = externalTest
		case strings.HasSuffix(lf.in.Path, "_test.gocoro"):
			kind = testVariant
		}
		g := get(dir, kind, name)
		g.inputs = append(g.inputs, lf)
	}
	var errs scanner.ErrorList
	for _, dir := range dirs {
		path, err := dirPath(pkgs, dir)
		if err != nil {
			errs.Add(token.Position{Filename: byDirFirst(files, dir)}, err.Error())
			continue
		}
		l.dirPaths[dir] = path
		base := byKey[[2]string{dir, strconv.Itoa(plainPackage)}]
		ext := byKey[[2]string{dir, strconv.Itoa(externalTest)}]
		variant := byKey[[2]string{dir, strconv.Itoa(testVariant)}]
		listed := listedPackage(pkgs, dir, testVariant, "")
		switch {
		case variant == nil && ext != nil && base != nil && listed != nil:
			// The external test imports the test variant, which has the
			// package's inputs: check it too.
			variant = get(dir, testVariant, base.inputs[0].lowered.AST.Name.Name)
		case variant == nil && ext != nil && listed != nil && l.skeletons:
			return nil, errNeedExports
		case variant == nil && ext != nil && listed != nil && listed.Types != nil:
			l.testVariants[path] = listed.Types // as the go command compiled it
		}
		if variant != nil && base != nil {
			variant.extra = base.inputs
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return groups, nil
}

// byDirFirst returns the path of the first input in dir, for a message.
func byDirFirst(files []*loadedFile, dir string) string {
	for _, lf := range files {
		if filepath.Dir(lf.in.Path) == dir {
			return lf.in.Path
		}
	}
	return dir
}

// listedPackage returns the listed package of the given kind in dir, or
// nil when the directory has no Go files for it yet. An in-package test
// file belongs to the test variant, or to the package itself when the
// directory has no _test.go file (there is no variant then). name, when
// not empty, is the package name the package must have.
func listedPackage(pkgs []*golist.Package, dir string, kind int, name string) *golist.Package {
	var plain, variant, external *golist.Package
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 && len(p.CompiledGoFiles) == 0 || strings.HasSuffix(p.ID, ".test") || packageDir(p) != absPath(dir) {
			continue
		}
		if name != "" && p.Name != name && p.Name+"_test" != name {
			continue
		}
		switch {
		case strings.HasSuffix(p.Name, "_test"):
			external = p
		case strings.Contains(p.ID, "["):
			variant = p
		default:
			plain = p
		}
	}
	switch kind {
	case testVariant:
		if variant != nil || name == "" {
			return variant
		}
		return plain
	case externalTest:
		if external != nil && (name == "" || external.Name == name) {
			return external
		}
		return nil
	}
	return plain
}

func packageDir(p *golist.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	if len(p.GoFiles) > 0 {
		return filepath.Dir(p.GoFiles[0])
	}
	return filepath.Dir(p.CompiledGoFiles[0])
}

// dirPath returns the import path of the package in dir: the go
// command's, or, for a directory with no Go files yet, its place in its
// module.
func dirPath(pkgs []*golist.Package, dir string) (string, error) {
	if p := listedPackage(pkgs, dir, plainPackage, ""); p != nil && p.PkgPath != "" && p.PkgPath != "command-line-arguments" {
		return p.PkgPath, nil
	}
	return importPath(dir)
}

// orderGroups returns the groups in the order to check them: the
// directories so that a package comes after the packages of the run it
// imports (in the order given otherwise), and in a directory the package,
// its test variant, then its external test.
func orderGroups(groups []*group, dirs []string, dirPaths map[string]string, dirImports map[string][]string) []*group {
	byPath := map[string]string{}
	for _, dir := range dirs {
		byPath[dirPaths[dir]] = dir
	}
	var sorted []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(dir string)
	visit = func(dir string) {
		if state[dir] != 0 {
			return // done, or a cycle, which the type check reports
		}
		state[dir] = 1
		for _, path := range dirImports[dir] {
			if dep, ok := byPath[path]; ok {
				visit(dep)
			}
		}
		state[dir] = 2
		sorted = append(sorted, dir)
	}
	for _, dir := range dirs {
		visit(dir)
	}
	rank := map[string]int{}
	for i, dir := range sorted {
		rank[dir] = i
	}
	out := slices.Clone(groups)
	slices.SortStableFunc(out, func(a, b *group) int {
		if a.dir != b.dir {
			return rank[a.dir] - rank[b.dir]
		}
		return a.kind - b.kind
	})
	return out
}

// check type-checks the Go files of g's package, without the stand-ins,
// together with the lowered inputs, and records the results in the inputs.
func (l *loader) check(g *group) scanner.ErrorList {
	var errs scanner.ErrorList
	var syntax []*ast.File
	path := l.dirPaths[g.dir]
	pkgPath := path
	if g.kind == externalTest {
		pkgPath += "_test"
	}
	var sizes types.Sizes
	goVersion := ""
	cgo := false
	if p := g.pkg; p != nil {
		pkgPath, sizes = p.PkgPath, p.TypesSizes
		if p.Module != nil && p.Module.GoVersion != "" {
			goVersion = "go" + p.Module.GoVersion
		}
		for _, e := range p.Errors {
			if e.Kind == golist.TypeError || mentionsStandIn(e, l.standIns) || compileOutput(e, p) {
				continue // ours is the type check that counts
			}
			errs.Add(parsePos(e.Pos), e.Msg)
		}
		// A package that uses cgo: the go command compiles the files cgo
		// wrote from its Go files, which import what only cgo's own build
		// provides (runtime/cgo). Its Go files are type-checked instead,
		// with a package C that accepts every name (FakeImportC): the
		// coroutines of the package do not depend on what C declares.
		files := p.CompiledGoFiles
		for _, name := range p.CompiledGoFiles {
			if !slices.Contains(p.GoFiles, name) {
				cgo, files = true, p.GoFiles
				break
			}
		}
		for _, name := range files {
			if l.standIns[name] {
				continue
			}
			f, err := parser.ParseFile(l.fset, name, nil, parser.SkipObjectResolution)
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
		// An import of the package's Go files that the go command could
		// not load ("malformed import path", say): reported at the
		// import, as go build reports it. (One at a stale output's import
		// is left out: its position names another file.)
		for _, q := range p.Imports {
			if q.Name != "" {
				continue
			}
			for _, e := range q.Errors {
				pos := parsePos(e.Pos)
				if pos.Filename != "" && !filepath.IsAbs(pos.Filename) {
					pos.Filename = filepath.Join(l.listDir, pos.Filename) // as the go command shortened it
				}
				if slices.Contains(p.CompiledGoFiles, pos.Filename) && !l.standIns[pos.Filename] {
					errs.Add(pos, e.Msg)
				}
			}
		}
	}
	for _, lf := range g.extra {
		syntax = append(syntax, lf.lowered.AST)
	}
	for _, lf := range g.inputs {
		syntax = append(syntax, lf.lowered.AST)
	}
	for _, lf := range g.inputs {
		for _, spec := range lf.lowered.AST.Imports {
			if spec.Path.Value == `"C"` {
				cgo = true // no other error at the import
				errs.Add(l.fset.Position(spec.Pos()), `import "C" in a .gocoro file is not supported: cgo needs its comment right above the import in the file the go command builds; put the cgo code in a .go file of the package and call it from the coroutines`)
			}
		}
	}
	size := 0
	for _, f := range syntax {
		if tf := l.fset.File(f.Pos()); tf != nil {
			size += tf.Size()
		}
	}
	info := newInfo()
	info.Types = make(map[ast.Expr]types.TypeAndValue, size/typesBytes)
	info.Uses = make(map[*ast.Ident]types.Object, size/usesBytes)
	conf := types.Config{
		FakeImportC: cgo,
		GoVersion:   goVersion,
		Sizes:       sizes,
		Importer: importerFunc(func(imp string) (*types.Package, error) {
			if imp == path && g.kind == externalTest && l.testVariants[imp] != nil {
				return l.testVariants[imp], nil
			}
			if pkg := l.checked[imp]; pkg != nil {
				return pkg, nil
			}
			if l.skeletons && l.ofRun(imp) {
				l.needExports = true // the go command compiled its skeleton
				return nil, errNeedExports
			}
			if g.pkg != nil { // the package's own view: a test imports test variants
				if q := g.pkg.Imports[imp]; q != nil && q.Types != nil && q.Name != "" {
					return q.Types, nil
				} else if q != nil && q.Name == "" && len(q.Errors) > 0 {
					return nil, errors.New(q.Errors[0].Msg) // no package there
				}
			}
			e, ok := l.imports[imp]
			switch {
			case ok && e.err != "":
				return nil, errors.New(e.err)
			case ok:
				return e.types, nil
			}
			return nil, fmt.Errorf("package %s is not loaded (is it in the module's requirements?)", imp)
		}),
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok {
				errs.Add(token.Position{}, err.Error())
				return
			}
			msg := te.Msg
			for _, lf := range g.inputs {
				msg = waitMessage(lf, info, te.Pos, msg)
			}
			for _, lf := range g.extra {
				msg = waitMessage(lf, info, te.Pos, msg)
			}
			msg = carrierTypes(msg)
			// A function of export data has no position to name
			// ("cannot infer T (declared at -)").
			msg = strings.ReplaceAll(msg, " (declared at -)", "")
			if strings.Contains(msg, "\n\thave ((") && (strings.Contains(te.Msg, "Tuple2[") || strings.Contains(te.Msg, "Tuple3[")) {
				// A wait for several values passed as the arguments of
				// a call: Go's f(g()) does not apply to it.
				msg += "\n\t(a wait for several values gives them as one: unpack them first, a, b := f().wait)"
			}
			errs.Add(te.Fset.Position(te.Pos), msg)
		},
	}
	pkg, _ := conf.Check(pkgPath, l.fset, syntax, info)
	// The names the files' imports declare in their file blocks, which a
	// name the transform adds at package level must not be: a dot
	// import's are the package's exported names.
	var importNames []string
	addImport := func(obj types.Object) {
		pn, ok := obj.(*types.PkgName)
		switch {
		case !ok:
		case pn.Name() == ".":
			for _, name := range pn.Imported().Scope().Names() {
				if token.IsExported(name) {
					importNames = append(importNames, name)
				}
			}
		default:
			importNames = append(importNames, pn.Name())
		}
	}
	for _, obj := range info.Defs {
		addImport(obj)
	}
	for _, obj := range info.Implicits {
		addImport(obj)
	}
	for _, lf := range g.inputs {
		lf.types, lf.info, lf.importNames = pkg, info, importNames
	}
	switch g.kind {
	case plainPackage:
		l.checked[path] = pkg
	case testVariant:
		l.testVariants[path] = pkg
		for _, lf := range g.inputs {
			lf.base = l.checked[path]
		}
	}
	return errs
}

// typesBytes and usesBytes are about the number of bytes of Go source per
// expression and per use of a name that the type checker records: its
// maps are made about that large at once, not grown entry after entry.
// Coroutines are denser than that (1,000 coroutines of five waits: 6 and
// 8 bytes, 49,000 expressions and 37,000 uses in 297,000 bytes), plain Go
// sparser (the 20 MB file of BenchmarkCost: 13 and 21 bytes); a map
// made too small grows, one made too large holds memory it never uses.
const (
	typesBytes = 10
	usesBytes  = 14
)

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

// importEntry is what the load found of one import: its types from
// export data, or the go command's reason why there are none.
type importEntry struct {
	types *types.Package
	err   string
}

// importMap maps the path of every package the load reached to its types,
// or to the go command's error about it.
func importMap(pkgs []*golist.Package) map[string]importEntry {
	m := map[string]importEntry{}
	var visit func(t *types.Package)
	visit = func(t *types.Package) {
		if t == nil {
			return
		}
		if _, ok := m[t.Path()]; ok {
			return
		}
		m[t.Path()] = importEntry{types: t}
		for _, q := range t.Imports() {
			visit(q)
		}
	}
	for _, p := range pkgs {
		if p.Name == "" && len(p.Errors) > 0 { // no package there
			if _, ok := m[p.PkgPath]; !ok && p.PkgPath != "" {
				m[p.PkgPath] = importEntry{err: p.Errors[0].Msg}
			}
			continue
		}
		visit(p.Types)
		for path, q := range p.Imports {
			if _, ok := m[path]; ok {
				continue
			}
			if q.Name == "" && len(q.Errors) > 0 { // no package there
				m[path] = importEntry{err: q.Errors[0].Msg}
				continue
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
func compileOutput(e golist.Error, p *golist.Package) bool {
	return e.Kind == golist.ListError && strings.HasPrefix(e.Msg, "# "+p.PkgPath)
}

// mentionsStandIn reports whether a go command error is about a stand-in
// (an output file the lowered input replaces).
func mentionsStandIn(e golist.Error, standIns map[string]bool) bool {
	for name := range standIns {
		if strings.Contains(e.Pos, filepath.Base(name)) || strings.Contains(e.Msg, filepath.Base(name)) {
			return true
		}
	}
	return false
}

// errNoModule is the error for a .gocoro file outside any module; the
// message is positioned at the file.
var errNoModule = errors.New("not in a Go module: corofy type-checks a .gocoro file as part of its module's package (run go mod init, and go get github.com/corofy/corofy)")

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
	// Outside a module, go list -m names the pseudo-module of command-line
	// files, with no directory (and TrimSpace drops the tab before it).
	fields := strings.SplitN(strings.TrimSpace(string(out)), "\t", 2)
	if fields[0] == "command-line-arguments" {
		return "", errNoModule
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
