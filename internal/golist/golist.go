// Package golist lists Go packages with one go list command and gives
// them their types from the export data the go command compiled.
//
// It is the part of golang.org/x/tools/go/packages that corofy's load
// uses (its Package fields keep their names and meanings), without the go
// commands that go/packages runs besides the listing: one that asks the
// go command's version before the listing starts, and one, beside it,
// that asks for the target's architecture. On a package of ten
// coroutines, the first alone was about a tenth of corofy's time.
//
// What Load does, in order:
//
//   - It runs go list -e -json -compiled -test -export -deps once, in
//     Config.Dir, with Config.Flags (an -overlay, say) before the patterns.
//   - It turns each listed package into a Package: file names made
//     absolute, the errors of the listing as ListErrors, an import of a
//     package the importer may not import (a main package, another
//     module's internal package) reported on the importer, as go build
//     reports it.
//   - It links the packages through their imports, as the importing
//     package sees them (a test variant imports test variants).
//   - It gives types to the packages named by the patterns (the roots),
//     from their export data, or, for a package the go command could not
//     compile, by a type check from source, with the declarations only
//     (the bodies do not change a package's types). Every other package
//     has an empty types.Package that the export data of the roots fills
//     with the objects they use.
//   - It finds the target's architecture, for the sizes of its types,
//     where the go command resolved it: the file internal/goarch has for
//     it (zgoarch_$GOARCH.go), listed as a dependency of every package.
//     Only when that file is not there does it ask go env.
//
// Where it differs from go/packages on purpose:
//
//   - A go command that fails without listing anything is Load's error, a
//     *CommandError with the go command's message (go/packages turns some
//     of those messages into a package's error, and drops the others, "go:
//     updates to go.mod needed" among them).
//   - A directory named by its absolute path that holds no package keeps
//     that path as its ID (go/packages asks the go command for the
//     modules of the build list to find its import path).
//   - A package checked from source has no TypeErrors from its function
//     bodies, and no error about the go command's version.
//   - It always runs the go command: GOPACKAGESDRIVER, which names another
//     build system's driver to go/packages, is not read (corofy's output
//     is for the go command's builds).
package golist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
)

// Config says where and how to list.
type Config struct {
	// Dir is the directory the go command runs in; "" is the current one.
	Dir string
	// Tests lists the packages' tests too: the test variants ("p [p.test]"),
	// external tests ("p_test [p.test]") and test mains ("p.test").
	Tests bool
	// Flags are build flags given to go list before the patterns.
	Flags []string
	// ParseFile parses a Go file of a package checked from source; nil
	// means parser.ParseFile with parser.SkipObjectResolution.
	ParseFile func(fset *token.FileSet, filename string, src []byte) (*ast.File, error)
}

// Package is one listed package.
type Package struct {
	// ID identifies the package in this load: its import path, or for a
	// test's package the path and the test ("p [p.test]", "p_test
	// [p.test]"), or the test main's ("p.test").
	ID string
	// Name is the package's name, "" when the go command found none.
	Name string
	// PkgPath is the import path (ID up to its first space).
	PkgPath string
	// Dir is the package's directory, when it has one.
	Dir string
	// GoFiles are the absolute names of the package's Go files (cgo
	// files included) and CompiledGoFiles those the compiler compiles
	// (for a cgo package, the files cgo wrote).
	GoFiles, CompiledGoFiles []string
	// ExportFile is the file of the package's export data, "" when the go
	// command could not compile it.
	ExportFile string
	// Imports maps each import path of the package's files to the package
	// it names for this package.
	Imports map[string]*Package
	// Errors are the listing's errors, then those of a check from source.
	Errors []Error
	// Module is the package's module, nil for the standard library.
	Module *Module
	// Types are the package's types: complete for a root; for another
	// package, what the roots' export data uses of it.
	Types *types.Package
	// TypesSizes are the sizes of the types for the target.
	TypesSizes types.Sizes
	// DepOnly: no pattern named the package; it is listed as a dependency.
	DepOnly bool

	exportFailed error            // why reading the export data failed
	importErrs   map[string]error // imports that name no listed package, or a cycle
	state        int              // for the depth-first walks
}

// Module is a module, as go list describes it.
type Module struct {
	Path      string
	Version   string
	Main      bool
	Dir       string
	GoMod     string
	GoVersion string
}

// ErrorKind is where an error comes from.
type ErrorKind int

const (
	UnknownError ErrorKind = iota
	ListError              // the go command's
	ParseError             // parsing a file of a package checked from source
	TypeError              // checking a package from source
)

// Error is an error of a package: Pos is "file:line:col", "file:line",
// "-" or "".
type Error struct {
	Pos  string
	Msg  string
	Kind ErrorKind
}

func (e Error) Error() string {
	if e.Pos == "" {
		return e.Msg
	}
	return e.Pos + ": " + e.Msg
}

// String returns the package's ID.
func (p *Package) String() string { return p.ID }

// Visit visits every package reachable from pkgs through their imports,
// once, depth first, the imports of a package in the order of their
// paths: pre, if not nil, before a package's imports (which are not
// visited when it returns false), and post, if not nil, after them.
func Visit(pkgs []*Package, pre func(*Package) bool, post func(*Package)) {
	seen := map[*Package]bool{}
	var visit func(p *Package)
	visit = func(p *Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		if pre == nil || pre(p) {
			for _, path := range slices.Sorted(maps.Keys(p.Imports)) {
				visit(p.Imports[path])
			}
		}
		if post != nil {
			post(p)
		}
	}
	for _, p := range pkgs {
		visit(p)
	}
}

// listed is a package as go list prints it, with the fields Load asks for.
type listed struct {
	ImportPath      string
	Name            string
	Dir             string
	GoFiles         []string
	CgoFiles        []string
	CompiledGoFiles []string
	Export          string
	DepOnly         bool
	Imports         []string
	ImportMap       map[string]string
	Module          *Module
	Error           *listError
}

type listError struct {
	ImportStack []string
	Pos         string
	Err         string
}

// fields are the fields of listed, for go list -json.
const fields = "ImportPath,Name,Dir,GoFiles,CgoFiles,CompiledGoFiles,Export,DepOnly,Imports,ImportMap,Module,Error"

// Load lists the packages the patterns name and their dependencies, and
// returns the packages the patterns name, in the go command's order. Its
// error is a *CommandError when the go command failed without listing
// anything; other errors are the packages' (a failed compile is one).
func Load(cfg *Config, patterns ...string) ([]*Package, error) {
	args := []string{"list"}
	args = append(args, cfg.Flags...)
	args = append(args, "-e", "-json="+fields, "-compiled=true", fmt.Sprintf("-test=%t", cfg.Tests),
		"-export=true", "-deps=true", "-find=false", "-buildvcs=false", "-pgo=off", "--")
	args = append(args, patterns...)
	out, err := goCommand(cfg.Dir, args...)
	if err != nil {
		return nil, err
	}
	byID, roots, err := decode(out, cfg.Dir)
	if err != nil {
		return nil, err
	}
	link(byID, roots)
	sizes, err := targetSizes(cfg.Dir, byID)
	if err != nil {
		return nil, err
	}
	ld := &typer{cfg: cfg, fset: token.NewFileSet(), sizes: sizes}
	// Every package gets its (empty) types first: the export data of one
	// package fills those of the packages it uses, never makes new ones.
	for _, p := range byID {
		p.TypesSizes = sizes
		if p.PkgPath == "unsafe" {
			p.Types = types.Unsafe
		} else {
			p.Types = types.NewPackage(p.PkgPath, p.Name)
		}
	}
	for _, p := range roots {
		ld.typeCheck(p)
	}
	return roots, nil
}

// CommandError is a go command's failure, when it printed nothing else.
type CommandError struct {
	Msg string // what the go command printed on its standard error
}

func (e *CommandError) Error() string { return e.Msg }

// goCommand runs the go command in dir and returns what it printed.
func goCommand(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if dir != "" {
		// The go command reports the paths under dir as it was named,
		// not as the kernel resolves it (a symbolic link on the way).
		cmd.Env = append(cmd.Env, "PWD="+dir)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case !errors.As(err, &exit):
		return nil, fmt.Errorf("running the go command: %v", err)
	case len(bytes.TrimSpace(stdout.Bytes())) > 0:
		// go list -e prints the packages it could list, and exits with an
		// error after a failed compile (their Error fields say it all).
		return stdout.Bytes(), nil
	}
	msg := strings.TrimSpace(stderr.String())
	if msg == "" {
		msg = "go " + args[0] + ": " + err.Error()
	}
	return nil, &CommandError{Msg: msg}
}

// decode reads go list's output: the packages by ID, and the roots (the
// packages a pattern named) in its order.
func decode(out []byte, dir string) (map[string]*Package, []*Package, error) {
	byID := map[string]*Package{}
	seen := map[string]*listed{}
	var roots []*Package
	rootIndex := map[string]int{}
	// errs are the errors reported on the importer of a package, by ID.
	errs := map[string][]Error{}
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		l := new(listed)
		if err := dec.Decode(l); err != nil {
			return nil, nil, fmt.Errorf("reading the output of go list: %v", err)
		}
		if l.ImportPath == "" {
			if l.Error != nil {
				return nil, nil, Error{Pos: l.Error.Pos, Msg: l.Error.Err, Kind: ListError}
			}
			return nil, nil, fmt.Errorf("go list printed a package without an import path (in %s)", l.Dir)
		}
		if old := seen[l.ImportPath]; old != nil {
			// The same package twice: one as it was listed, one as a bad
			// import made it, with the error (golang.org/issue/36188).
			// The listed one is the package; the error is its importer's.
			if old.Error != nil && importersError(old.Error.Err) {
				if from := importer(old); from != "" {
					errs[from] = append(errs[from], Error{Pos: old.Error.Pos, Msg: old.Error.Err, Kind: ListError})
				}
			}
			if old.Error == nil {
				continue // keep the one without an error
			}
		}
		seen[l.ImportPath] = l
		p := newPackage(l, dir)
		byID[p.ID] = p
		if i, ok := rootIndex[p.ID]; ok {
			roots[i] = p
		} else if !p.DepOnly {
			rootIndex[p.ID] = len(roots)
			roots = append(roots, p)
		}
	}
	for id, list := range errs {
		if p := byID[id]; p != nil {
			p.Errors = append(p.Errors, list...)
		}
	}
	return byID, roots, nil
}

// importersError reports whether msg, the error of a package listed a
// second time, is about the import of it (the importer's error).
func importersError(msg string) bool {
	return strings.Contains(msg, "not an importable package") ||
		strings.Contains(msg, "use of internal package") && strings.Contains(msg, "not allowed")
}

// importer returns the ID of the package whose import l's error is
// about: the last of its import stack, or the one before when the stack
// ends with l (as older go commands wrote it).
func importer(l *listed) string {
	stack := l.Error.ImportStack
	if n := len(stack); n > 0 && stack[n-1] == l.ImportPath {
		stack = stack[:n-1]
	}
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

// newPackage turns a listed package into a Package, its imports not yet
// linked (each is a Package with only its ID).
func newPackage(l *listed, dir string) *Package {
	p := &Package{
		ID:              l.ImportPath,
		Name:            l.Name,
		Dir:             l.Dir,
		GoFiles:         absJoin(l.Dir, l.GoFiles, l.CgoFiles),
		CompiledGoFiles: absJoin(l.Dir, l.CompiledGoFiles),
		Module:          l.Module,
		DepOnly:         l.DepOnly,
		ExportFile:      l.Export,
	}
	p.PkgPath, _, _ = strings.Cut(p.ID, " ")
	if p.ExportFile != "" && !filepath.IsAbs(p.ExportFile) {
		p.ExportFile = filepath.Join(l.Dir, p.ExportFile)
	}
	// The go command lists the assembly, C and C++ files of a package
	// among its compiled files too (golang.org/issue/28749). A file with
	// no extension is one cgo wrote, in the cache.
	p.CompiledGoFiles = slices.DeleteFunc(p.CompiledGoFiles, func(name string) bool {
		ext := filepath.Ext(name)
		return ext != ".go" && ext != ""
	})
	switch {
	case p.PkgPath == "unsafe":
		p.CompiledGoFiles = nil // the go command's unsafe.go is not the package
	case len(p.CompiledGoFiles) == 0:
		p.CompiledGoFiles = p.GoFiles
	}
	p.Imports = map[string]*Package{}
	mapped := map[string]bool{}
	for path, id := range l.ImportMap {
		p.Imports[path] = &Package{ID: id}
		mapped[id] = true
	}
	for _, id := range l.Imports {
		if !mapped[id] && id != "C" {
			p.Imports[id] = &Package{ID: id}
		}
	}
	if e := l.Error; e != nil {
		// A package with no Go file the go command could use, because
		// of the error in one (the package clause, say): the file is the
		// package's, so that a check of it reports the error.
		if len(p.GoFiles) == 0 && len(p.CompiledGoFiles) == 0 &&
			(len(e.ImportStack) == 0 || e.ImportStack[len(e.ImportStack)-1] == l.ImportPath) {
			if !addFileOf(p, e.Pos, dir) {
				addFileOf(p, e.Err, dir)
			}
		}
		msg := strings.TrimSpace(e.Err)
		if (msg == "import cycle not allowed" || msg == "import cycle not allowed in test") && len(e.ImportStack) > 0 {
			stack := make([]string, len(e.ImportStack))
			for i, s := range e.ImportStack {
				stack[i] = strings.TrimSuffix(s, " (test)")
			}
			msg += fmt.Sprintf(": import stack: %v", stack)
		}
		p.Errors = append(p.Errors, Error{Pos: e.Pos, Msg: msg, Kind: ListError})
	}
	return p
}

// addFileOf adds to p's files the file that pos ("file:line:col", or a
// message that begins with one) names, if it exists.
func addFileOf(p *Package, pos, dir string) bool {
	name, _, _ := strings.Cut(pos, ":")
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	if _, err := os.Stat(name); err != nil {
		return false
	}
	p.CompiledGoFiles = append(p.CompiledGoFiles, name)
	p.GoFiles = append(p.GoFiles, name)
	return true
}

// absJoin returns the names, each joined to dir unless absolute, of all
// the lists.
func absJoin(dir string, lists ...[]string) []string {
	var out []string
	for _, list := range lists {
		for _, name := range list {
			if !filepath.IsAbs(name) {
				name = filepath.Join(dir, name)
			}
			out = append(out, name)
		}
	}
	return out
}

// link replaces the stand-ins of each package's imports with the listed
// packages, from the roots, depth first. An import of a package that was
// not listed, or one that would close a cycle, is left out of Imports and
// kept as the reason the import fails in a check from source.
func link(byID map[string]*Package, roots []*Package) {
	const (
		unvisited = iota
		visiting
		visited
	)
	var stack []*Package
	var visit func(p *Package)
	visit = func(p *Package) {
		if p.state != unvisited {
			return
		}
		p.state = visiting
		stack = append(stack, p)
		stubs := p.Imports
		p.Imports = make(map[string]*Package, len(stubs))
		for path, stub := range stubs {
			q := byID[stub.ID]
			var err error
			switch {
			case q == nil:
				err = fmt.Errorf("missing package: %q", stub.ID)
			case q.state == visiting:
				err = fmt.Errorf("import cycle: %s", stack)
			}
			if err != nil {
				if p.importErrs == nil {
					p.importErrs = map[string]error{}
				}
				p.importErrs[path] = err
				continue
			}
			visit(q)
			p.Imports[path] = q
		}
		stack = stack[:len(stack)-1]
		p.state = visited
	}
	for _, p := range roots {
		visit(p)
	}
}

// targetSizes returns the sizes of types for the target architecture, as
// the go command resolved it (see the package comment).
func targetSizes(dir string, byID map[string]*Package) (types.Sizes, error) {
	arch := ""
	if p := byID["internal/goarch"]; p != nil {
		for _, name := range p.GoFiles {
			base := filepath.Base(name)
			if a, ok := strings.CutPrefix(base, "zgoarch_"); ok && strings.HasSuffix(a, ".go") {
				arch = strings.TrimSuffix(a, ".go")
			}
		}
	}
	if arch == "" {
		cmd := exec.Command("go", "env", "GOARCH")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go env GOARCH: %v", err)
		}
		arch = strings.TrimSpace(string(out))
	}
	// types.SizesFor knows every architecture the gc toolchain has; nil
	// for another leaves the type checker's defaults.
	return types.SizesFor("gc", arch), nil
}

// typer gives packages their types.
type typer struct {
	cfg   *Config
	fset  *token.FileSet
	sizes types.Sizes
}

// typeCheck gives p its types, once: from its export data, or when the go
// command could not compile it, by a check of its declarations from
// source, its imports' types first.
func (ld *typer) typeCheck(p *Package) {
	if p.Types.Complete() || p.exportFailed != nil || p.state == typing {
		return
	}
	if p.ExportFile != "" {
		if err := ld.readExport(p); err != nil {
			p.exportFailed = err
			p.Errors = append(p.Errors, Error{Pos: "-", Msg: err.Error(), Kind: UnknownError})
		}
		return
	}
	p.state = typing
	for _, q := range p.Imports {
		ld.typeCheck(q)
	}
	ld.checkSource(p)
	p.state = typed
}

// The states of a package in typeCheck, after link's.
const (
	typing = iota + 3
	typed
)

// readExport reads p's types from its export data, into the types of
// the packages it imports (directly or not).
func (ld *typer) readExport(p *Package) error {
	f, err := os.Open(p.ExportFile)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return fmt.Errorf("reading %s: %v", p.ExportFile, err)
	}
	view := map[string]*types.Package{}
	Visit([]*Package{p}, func(q *Package) bool {
		if q != p {
			view[q.PkgPath] = q.Types
		}
		return true
	}, nil)
	view[p.PkgPath] = p.Types
	tp, err := gcexportdata.Read(r, ld.fset, view, p.PkgPath)
	if err != nil {
		return fmt.Errorf("reading %s: %v", p.ExportFile, err)
	}
	p.Types = tp
	return nil
}

// checkSource checks p's declarations from its compiled Go files.
func (ld *typer) checkSource(p *Package) {
	var files []*ast.File
	for _, name := range p.CompiledGoFiles {
		src, err := os.ReadFile(name)
		if err != nil {
			p.Errors = append(p.Errors, Error{Pos: name + ":1", Msg: unwrapPath(err), Kind: ParseError})
			continue
		}
		var f *ast.File
		if ld.cfg.ParseFile != nil {
			f, err = ld.cfg.ParseFile(ld.fset, name, src)
		} else {
			f, err = parser.ParseFile(ld.fset, name, src, parser.SkipObjectResolution)
		}
		var list scanner.ErrorList
		switch {
		case errors.As(err, &list):
			for _, e := range list {
				p.Errors = append(p.Errors, Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: ParseError})
			}
		case err != nil:
			p.Errors = append(p.Errors, Error{Pos: "-", Msg: err.Error(), Kind: UnknownError})
		}
		if f != nil {
			files = append(files, f)
		}
	}
	conf := types.Config{
		IgnoreFuncBodies: true,
		Sizes:            ld.sizes,
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			q := p.Imports[path]
			switch {
			case q == nil && p.importErrs[path] != nil:
				return nil, p.importErrs[path]
			case q == nil:
				return nil, fmt.Errorf("no metadata for %s", path)
			case q.exportFailed != nil:
				return nil, q.exportFailed
			case !q.Types.Complete() && q.state != typed:
				return nil, fmt.Errorf("no types for %s", path) // a cycle through export data
			}
			return q.Types, nil
		}),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				p.Errors = append(p.Errors, Error{Pos: te.Fset.Position(te.Pos).String(), Msg: te.Msg, Kind: TypeError})
			}
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	info := &types.Info{}
	_ = types.NewChecker(&conf, ld.fset, p.Types, info).Files(files)
}

// unwrapPath returns the reason of a file error, without the file's name
// (the error's position names it).
func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
