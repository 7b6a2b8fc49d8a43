package transform

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	cparser "github.com/corofy/corofy/parser"
)

// The runtime's names that generated code uses: the ABI between this
// package and package runtime. Keep in sync with runtime/doc.go; a test
// checks that each exists.
const (
	runtimePath       = cparser.RuntimePath
	rtFuture          = "Future"
	rtWaker           = "Waker"
	rtStateDone       = "StateDone"
	rtStatePoisoned   = "StatePoisoned"
	rtPollError       = "PollError"
	rtMapKeys         = "MapKeys"
	rtMapEntries      = "MapEntries"
	rtMapLookup       = "MapLookup"
	rtDecodeRune      = "DecodeRune"
	rtCopyVar         = "CopyVar"
	rtDeferred        = "Deferred"
	rtRunDeferred     = "RunDeferred"
	rtUnwind          = "Unwind"
	rtPulls           = "Pulls"
	rtStopPulls       = "StopPulls"
	rtUnwindPulls     = "UnwindPulls"
	rtPull0           = "Pull0"
	rtPull            = "Pull"
	rtPull2           = "Pull2"
	rtIter0           = "Iter0"
	rtIter            = "Iter"
	rtIter2           = "Iter2"
	machineTypeSuffix = "Coroutine"
)

// DefaultOutput returns the output file corofy writes for the input path:
// x.gocoro -> x_corofied.go, x_test.gocoro -> x_corofied_test.go.
func DefaultOutput(path string) string {
	base := strings.TrimSuffix(path, ".gocoro")
	if strings.HasSuffix(base, "_test") {
		return strings.TrimSuffix(base, "_test") + "_corofied_test.go"
	}
	return base + "_corofied.go"
}

// machineTypeName returns the name of the state machine type of the
// coroutine F (fCoroutine) or of the method T.M (tMCoroutine).
func machineTypeName(recvType, name string) string {
	return lowerFirst(recvType+upperFirst(name)) + machineTypeSuffix
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// packageNamer owns the package-level names the transform adds: the
// machine types and the declarations it moves out of coroutine bodies
// (see "Names" in doc.go). It starts with every name the package already
// uses at package level or for an import in any of its files, and every
// predeclared name, so an added name never hides or clashes with one of
// them. One packageNamer serves all the inputs of a package.
type packageNamer struct{ *namer }

// newPackageNamer returns the namer of the package pkg, whose files import
// packages under the names imports.
func newPackageNamer(pkg *types.Package, imports []string) *packageNamer {
	n := newNamer()
	for _, name := range pkg.Scope().Names() {
		n.taken[name] = true
	}
	for _, name := range types.Universe.Names() {
		n.taken[name] = true
	}
	for _, name := range imports {
		n.taken[name] = true
	}
	return &packageNamer{n}
}

// claim returns base, or base followed by the smallest number >= 2, such
// that the name is free in the package and not in avoid, and reserves it.
func (n *packageNamer) claim(base string, avoid map[string]bool) string {
	name := base
	for i := 2; n.taken[name] || avoid[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.taken[name] = true
	return name
}

// namer hands out names that differ from every name in taken.
type namer struct{ taken map[string]bool }

func newNamer() *namer { return &namer{taken: map[string]bool{}} }

// fresh returns base, or base followed by the smallest number >= 2 that is
// free, and reserves it.
func (n *namer) fresh(base string) string {
	name := base
	for i := 2; n.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.taken[name] = true
	return name
}

// first returns the first free name of names, or a fresh one made from
// the first, and reserves it.
func (n *namer) first(names ...string) string {
	for _, name := range names {
		if !n.taken[name] {
			n.taken[name] = true
			return name
		}
	}
	return n.fresh(names[0])
}

// unreserved returns name, or name followed by underscores, such that it
// differs from every name in taken, without reserving it: a name for a
// scope of its own whose names are all in taken or chosen so (a deferred
// call's link, see deferCall).
func (n *namer) unreserved(name string) string {
	for n.taken[name] {
		name += "_"
	}
	return name
}

// numbered returns base followed by the smallest number >= k that is free
// (fut1, fut2, ...), and reserves it.
func (n *namer) numbered(base string, k int) string {
	name := base + strconv.Itoa(k)
	for ; n.taken[name]; k++ {
		name = base + strconv.Itoa(k) + "_"
	}
	n.taken[name] = true
	return name
}

// relFile returns the name of the input as seen from the directory of the
// output, which is how the compiler resolves a relative //line file name.
func relFile(input, output string) string {
	in, err1 := filepath.Abs(input)
	out, err2 := filepath.Abs(output)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(input)
	}
	rel, err := filepath.Rel(filepath.Dir(out), in)
	if err != nil {
		return filepath.ToSlash(input)
	}
	return filepath.ToSlash(rel)
}

// isBlank reports whether v is nil or the blank identifier's object.
func isBlank(v *types.Var) bool { return v == nil || v.Name() == "_" }

// Generated names: the bases of the names the transform gives Poll's
// locals, the machine's fields and the temporaries it makes. A user's name
// equal to one of them (or to one of them followed by a number) is kept
// where it is free and makes the generated name move aside.
var generatedBases = []string{
	"c", "co", "coro", "machine", "w", "state", "ready", "result", "resume", "defers",
	"fut", "out", "tmp", "cond", "seq", "limit", "keys", "index", "r", "size", "key", "value",
	"ok", "tag", "ch", "send", "received", "Ref", "Typed", "Poll", machineTypeSuffix,
	"runtime", "corofyruntime", "fn", "arg", "next",
}

// ReservedNames returns every name a user could write that the generated
// code also uses: the generated names (with the numbers of the first few
// temporaries), the runtime package's names in generated code, and every
// predeclared identifier (true, len, string, ...). No such name may
// change the meaning of the generated code; the random program generator
// takes its tricky names from this list.
func ReservedNames() []string {
	var out []string
	for _, b := range generatedBases {
		out = append(out, b)
		switch b {
		case "fut", "out", "tmp", "cond", "arg":
			out = append(out, b+"1", b+"2", b+"3")
		}
	}
	out = append(out, types.Universe.Names()...)
	slices.Sort(out)
	return slices.Compact(out)
}

// outputPredeclared are the predeclared names the generated code may use
// to mean Go's own: those corofy writes (nil, true, len, new, panic,
// recover, append, bool, int, any) and the basic types it writes for a
// stored variable's type (a string, an error).
var outputPredeclared = []string{
	"nil", "true", "false", "len", "new", "panic", "recover", "append", "any",
	"bool", "byte", "rune", "string", "error", "int", "int8", "int16", "int32", "int64",
	"uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
	"float32", "float64", "complex64", "complex128",
}

// hiddenPredeclared returns an error at each package-level declaration of
// pkg that hides a predeclared name the generated code may use (const int
// = 15, var nil = 3): no name in the package could stand for Go's own
// there, so code that uses it would mean the user's. An alias of the same
// type (type any = interface{}) hides nothing.
//
// An import of the file under such a name (import bool "fmt") hides it in
// the file the same way.
func hiddenPredeclared(pkg *types.Package, fset *token.FileSet, file *ast.File) scanner.ErrorList {
	var errs scanner.ErrorList
	for _, spec := range file.Imports {
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		} else if path, err := strconv.Unquote(spec.Path.Value); err == nil {
			for _, p := range pkg.Imports() {
				if p.Path() == path {
					name = p.Name()
				}
			}
		}
		if slices.Contains(outputPredeclared, name) {
			errs.Add(fset.Position(spec.Pos()), fmt.Sprintf("the package is imported as %s, hiding Go's predeclared %s in this file, which the code corofy generates for a coroutine uses: import it under another name", name, name))
		}
	}
	for _, name := range outputPredeclared {
		obj := pkg.Scope().Lookup(name)
		if obj == nil {
			continue
		}
		if tn, ok := obj.(*types.TypeName); ok && types.Identical(tn.Type(), types.Universe.Lookup(name).Type()) {
			continue
		}
		errs.Add(fset.Position(obj.Pos()), fmt.Sprintf("%s is declared here, hiding Go's predeclared %s, which the code corofy generates for a coroutine uses: rename it", name, name))
	}
	errs.Sort()
	return errs
}
