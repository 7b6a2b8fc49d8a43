package transform

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	cparser "github.com/corofy/corofy/parser"
	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// An early is the work on one file that needs no types: finding the runs
// of declarations copied as text (splice.go), formatting them (format.go),
// the compact text and its clean parse (compact.go), and decorating that
// parse. It runs on a goroutine of its own, started as soon as the file is
// lowered, so that on a large file most of it is done while the go
// command lists the package and the type checker checks it (the process
// would otherwise wait for the one and use one CPU for the other).
//
// Decorating needs one thing from the type checker: the package each
// qualified identifier names (fmt.Println becomes an identifier of path
// "fmt"). The decorator asks an indexResolver, which guesses the answer
// from the file's imports (fmt.Println: the package fmt, if the file
// imports one, the last element of its path) and keeps each question and
// its answer; once the type checker's record is indexed (index.go), every
// answer is checked, and if one was wrong (a local named as an imported
// package, an import whose package name is not its path's), the file is
// decorated again, the resolver answering from the index. With a dot
// import, whose names a guess cannot know, the resolver waits for the
// index instead; everything the decorator does before its first question
// (finding the fragments of every token, comment and line break of the
// file) is done by then.
//
// The transform of the file takes the early work (transformFileSplicing)
// and gives the resolver its index; if it never does (the file does not
// type-check, or another file's error ends the run), cancel stops the
// goroutine. A panic of the goroutine is passed on to the transform, as
// if its own.
type early struct {
	splicing bool // the runs are copied as text
	resolver *indexResolver

	// Set when first is closed.
	first      chan struct{}
	splices    []*splice
	runs       [][2]int
	prefix     string // splice.go's markerPrefix
	compact    *compaction
	stop       func() // stops the formatting of the runs
	firstPanic any    // a panic of the goroutine, before first

	// Set when done is closed.
	done     chan struct{}
	fset     *token.FileSet
	clean    *ast.File
	dec      *decorator.Decorator
	df       *dst.File
	err      error // the parser's, the decorator's, or errCancelled
	panicked any   // a panic of the goroutine, after first
}

// errCancelled is the decorator's error when its early work was cancelled.
var errCancelled = errors.New("cancelled")

// startEarly starts the early work on lf, with the runs of declarations
// copied as text if splicing, under cfg.
func startEarly(cfg Config, lf *loadedFile, splicing bool) *early {
	e := &early{splicing: splicing, resolver: newIndexResolver(), first: make(chan struct{}), done: make(chan struct{}), stop: func() {}}
	// What spliceRuns needs of a fileTransform (see transformFileSplicing).
	ft := &fileTransform{cfg: cfg, lineFile: relFile(lf.in.Path, lf.in.Output)}
	if !commentSafe(ft.lineFile) {
		ft.cfg.LineDirectives = false
	}
	lowered := lf.lowered
	go func() {
		firstDone := false
		defer func() {
			// A panic is the transform's, which recovers it (the
			// goroutine's own recover could not say which file).
			p := recover()
			if !firstDone {
				e.firstPanic = p
				close(e.first)
			} else {
				e.panicked = p
			}
			if p != nil {
				e.err = errCancelled
			}
			close(e.done)
		}()
		if splicing {
			isCoroutine := coroutineDecls(lowered)
			e.splices, e.runs = ft.spliceRuns(lf.fset, lowered.AST, lowered.Go, func(fd *ast.FuncDecl) bool { return isCoroutine[fd] })
			e.prefix = ft.markerPrefix
			e.stop = preformat(e.splices)
		}
		e.compact = compact(lowered.Go, e.runs)
		firstDone = true
		close(e.first)
		e.fset = token.NewFileSet()
		var err error
		e.clean, err = parser.ParseFile(e.fset, lf.in.Path, e.compact.text, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			e.err = fmt.Errorf("parsing again: %v", err)
			return
		}
		placeSplices(e.fset, e.clean, e.compact, e.splices)
		e.resolver.base = e.fset.File(e.clean.Pos()).Base()
		e.resolver.guessFrom(e.clean.Imports)
		// The decorator's Path is the package's, which the go command
		// has perhaps not listed yet: the resolver leaves the package's
		// own identifiers unqualified instead (see ResolveIdent).
		e.dec = decorator.NewDecoratorWithImports(e.fset, resolverOwnPath, e.resolver)
		// The maps of every node, made about as large as they get (on
		// 1,000 coroutines, 66,000 nodes in 297,000 bytes).
		nodes := e.compact.keptBytes() / nodeBytes
		e.dec.Ast.Nodes = make(map[dst.Node]ast.Node, nodes)
		e.dec.Dst.Nodes = make(map[ast.Node]dst.Node, nodes)
		if e.df, err = e.dec.DecorateFile(e.clean); err != nil {
			e.err = fmt.Errorf("decorating: %w", err)
		}
	}()
	return e
}

// earlyFor returns ft's early work on lf: the one started when lf was
// lowered, if it copies runs as splicing says, or else one started now.
func earlyFor(ft *fileTransform, lf *loadedFile, splicing bool) *early {
	if e := lf.early; e != nil && e.splicing == splicing {
		lf.early = nil
		return e
	}
	return startEarly(ft.cfg, lf, splicing)
}

// cancel stops the goroutine, if the resolver has not had its index, and
// the formatting of the runs.
func (e *early) cancel() {
	e.resolver.give(nil, "")
	<-e.first
	e.stop()
}

// cancelEarly cancels the early work of files that was not taken.
func cancelEarly(files []*loadedFile) {
	for _, lf := range files {
		if lf.early != nil {
			lf.early.cancel()
			lf.early = nil
		}
	}
}

// firstPart returns when the runs and the compact text are known.
func (e *early) firstPart() {
	<-e.first
	if e.firstPanic != nil {
		panic(e.firstPanic)
	}
}

// decorated gives the resolver ix, the index of the type checker's
// record, and own, the package's path, and returns the clean parse, in
// its file set, and its decoration as the index says: decorated again if
// a guess was wrong. The early work keeps none of them (it lives as long
// as the transform, which drops them before printing).
func (e *early) decorated(ix *index, own string) (*token.FileSet, *ast.File, *decorator.Decorator, *dst.File, error) {
	e.resolver.give(ix, own)
	<-e.done
	if e.panicked != nil {
		panic(e.panicked)
	}
	fset, clean, dec, df, err := e.fset, e.clean, e.dec, e.df, e.err
	e.fset, e.clean, e.dec, e.df = nil, nil, nil, nil
	if err != nil || e.resolver.guessedRight() {
		return fset, clean, dec, df, err
	}
	redecorations.Add(1)
	r := &indexResolver{ready: e.resolver.ready, ix: ix, own: own, base: e.resolver.base, again: e.resolver.again}
	dec = decorator.NewDecoratorWithImports(fset, resolverOwnPath, r)
	if df, err = dec.DecorateFile(clean); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("decorating again: %w", err)
	}
	return fset, clean, dec, df, nil
}

// redecorations counts the files decorated again because a guess of the
// resolver was wrong (for the tests).
var redecorations atomic.Int64

// nodeBytes is about the number of bytes of compact text per node of its
// parse.
const nodeBytes = 5

// resolverOwnPath is the decorator's Path with an indexResolver: no
// package has it, so the decorator qualifies every identifier the
// resolver gives a path.
const resolverOwnPath = "corofy: the package being transformed"

// An indexResolver is the decorator's resolver (dst's
// resolver.DecoratorResolver) of the clean parse: it says which package an
// identifier names from the index of the type checker's record, once it
// has it. It answers as dst's gotypes resolver would with a map of every
// identifier's object, without the map.
type indexResolver struct {
	once  sync.Once
	ready chan struct{} // closed when ix and own are set
	ix    *index        // nil when cancelled
	own   string        // the path of the package being transformed
	base  int           // of the clean file, in the decorator's file set
	again reimports     // of the clean file: the code names them through other imports too

	cancelled atomic.Bool // give(nil): the decorator's questions get an error

	// Guessing (before ready is closed, by the decorator's goroutine).
	guessing bool
	imports  map[string]string // the package each import name is guessed to be
	asked    []question        // the questions, with the answers guessed
}

// A question of the decorator, and the answer guessed.
type question struct {
	parent      ast.Node
	parentField string
	id          *ast.Ident
	answer      string
}

// guessFrom makes the resolver guess its answers from a file's imports,
// unless one is a dot import.
func (r *indexResolver) guessFrom(imports []*ast.ImportSpec) {
	r.again = findReimports(imports)
	r.imports = map[string]string{}
	for _, spec := range imports {
		if !r.again.ownSpec(spec) {
			continue // a name the tree keeps (see reimports)
		}
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return
		}
		name := guessPackageName(path)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name == "." {
			return
		}
		r.imports[name] = path
	}
	r.guessing = true
}

// guessPackageName returns the name a package of the import path is
// likely to declare: the path's last element, without a major version
// ("v2", ".v3") or a "go-" prefix.
func guessPackageName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(name) {
		name = elems[len(elems)-2]
	}
	if i := strings.LastIndex(name, ".v"); i > 0 && isMajorVersion(name[i+1:]) {
		name = name[:i]
	}
	return strings.TrimPrefix(name, "go-")
}

// isMajorVersion reports whether s is "v" and digits.
func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func newIndexResolver() *indexResolver {
	return &indexResolver{ready: make(chan struct{})}
}

// give sets the index and the package's path (ix nil: cancelled) and
// wakes the decorator's goroutine. Only the first call counts.
func (r *indexResolver) give(ix *index, own string) {
	r.once.Do(func() {
		r.ix, r.own = ix, own
		r.cancelled.Store(ix == nil)
		close(r.ready)
	})
}

// ResolveIdent returns the path of the package id names, or "" for an
// identifier of the package itself, a local, a field or a predeclared
// name. In a selector's Sel, id is qualified if the selector's X names an
// imported package.
func (r *indexResolver) ResolveIdent(_ *ast.File, parent ast.Node, parentField string, id *ast.Ident) (string, error) {
	if r.guessing {
		if r.cancelled.Load() {
			return "", errCancelled
		}
		answer := ""
		if se, ok := parent.(*ast.SelectorExpr); ok && parentField == "Sel" {
			if x, ok := se.X.(*ast.Ident); ok {
				answer = r.imports[x.Name]
			}
		}
		r.asked = append(r.asked, question{parent, parentField, id, answer})
		return answer, nil
	}
	<-r.ready
	if r.ix == nil {
		return "", errCancelled
	}
	return r.answer(parent, parentField, id), nil
}

// guessedRight reports whether every answer guessed is the index's (true
// if the resolver did not guess).
func (r *indexResolver) guessedRight() bool {
	// The decorator holds the resolver: it lets go of what it needs no
	// more.
	defer func() { r.asked, r.ix = nil, nil }()
	for _, q := range r.asked {
		if r.answer(q.parent, q.parentField, q.id) != q.answer {
			return false
		}
	}
	return true
}

// answer returns ResolveIdent's answer from the index.
func (r *indexResolver) answer(parent ast.Node, parentField string, id *ast.Ident) string {
	if se, ok := parent.(*ast.SelectorExpr); ok && parentField == "Sel" {
		x, ok := se.X.(*ast.Ident)
		if !ok {
			return ""
		}
		pn, ok := r.object(x).(*types.PkgName)
		if !ok || !r.again.own(pn) {
			return ""
		}
		return r.qualified(pn.Imported().Path())
	}
	obj := r.object(id)
	if obj == nil {
		return ""
	}
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return ""
	}
	if obj.Pkg() == nil || !r.again.ownDot(obj.Pkg().Path()) {
		return ""
	}
	return r.qualified(obj.Pkg().Path())
}

// object returns the object id (of the clean parse) denotes or declares.
func (r *indexResolver) object(id *ast.Ident) types.Object {
	return r.ix.objects[int(id.Pos())-r.base]
}

// qualified returns path, or "" for the package's own path: as the
// decorator compares them, without a vendor directory.
func (r *indexResolver) qualified(path string) string {
	if withoutVendor(path) == withoutVendor(r.own) {
		return ""
	}
	return path
}

// withoutVendor returns path from its last vendor element on.
func withoutVendor(path string) string {
	if i := strings.LastIndex(path, "/vendor/"); i >= 0 {
		return path[i+len("/vendor/"):]
	}
	return strings.TrimPrefix(path, "vendor/")
}

// The coroutines of the lowering, by declaration.
func coroutineDecls(lowered *cparser.File) map[*ast.FuncDecl]bool {
	m := map[*ast.FuncDecl]bool{}
	for _, co := range lowered.Coroutines {
		m[co.Decl] = true
	}
	return m
}
