package randprog

import (
	"fmt"
	"math/bits"
	"strings"
)

// Features is a set of constructs the generator may use. The zero value
// allows only the core: coroutines with int, string and struct results
// waiting on each other and on leaf futures, with waits at any expression
// position of straight-line statements (declarations, assignments,
// op-assignments, increments, returns, expression statements, sends),
// globals and plain calls with side effects.
type Features uint64

// The features. The first group is what the transform supports today
// (Supported); the second is the rest of issue 3, each naming a construct
// that may hold a .wait; the third, the shapes users write that the
// transform once got wrong.
const (
	// ControlFlow: if/else, for (three-clause, condition-only, infinite
	// with break), range over ints, slices, arrays, strings, maps,
	// channels and functions, switch (tag, tagless, with init, fallthrough),
	// type switches, select and bare blocks in coroutine bodies, containing
	// no wait unless the matching WaitsIn* feature is set; early returns
	// from inside them, from the body of a range over a function among
	// them, whose iterator (seq) prints when it stops and when it ends,
	// before the coroutine's deferred calls run (with Defer, one of them
	// deferred in that body: e2e/rangefuncreturn.txtar).
	ControlFlow Features = 1 << iota
	// Closures: func literals capturing the coroutine's locals, called
	// around waits.
	Closures
	// Pointers: pointers to locals (ints and structs) used across waits.
	Pointers
	// Methods: coroutine methods on a pointer receiver that change it.
	Methods
	// Channels: buffered channels in straight-line code, sends with waits
	// and receives as operands.
	Channels
	// GoStmt: go statements whose arguments wait, joined by a channel.
	GoStmt
	// MultiAssign: a, b = x, y and a, b := x, y with waits on either side.
	MultiAssign
	// NamedResults: named results, assigned and returned by a bare return.
	NamedResults
	// LabeledLoops: labeled nested loops with labeled break and continue
	// (waits inside only with WaitsInFor).
	LabeledLoops
	// PerIterationClosures: closures and pointers capturing Go 1.22
	// per-iteration loop variables, called after the loop (waits in the
	// loop only with WaitsInFor or WaitsInRange).
	PerIterationClosures
	// StoredFutures: a future (a leaf or a coroutine call) kept in a local
	// and waited on later, showing that coroutines are lazy.
	StoredFutures
	// TrickyNames: locals named like the transform's own names (c, w,
	// state, ready, out1, tmp1, fut1, ...).
	TrickyNames

	// WaitsInIf: waits in if conditions, init statements and branches.
	WaitsInIf
	// WaitsInFor: waits in for loops' bodies and headers (init,
	// condition, post).
	WaitsInFor
	// WaitsInRange: waits in range loops' bodies and range expressions.
	WaitsInRange
	// WaitsInSwitch: waits in switch tags, init statements, case
	// expressions (evaluated lazily, in order) and clauses, and in type
	// switches.
	WaitsInSwitch
	// WaitsInSelect: waits in select clauses and in the channel and value
	// expressions of its communication clauses.
	WaitsInSelect
	// WaitsInBlocks: waits in bare blocks { ... }.
	WaitsInBlocks
	// ShortCircuitWaits: waits on the right of && and ||.
	ShortCircuitWaits
	// Defer: defer statements in coroutines, with arguments that wait
	// and deferred closures that read locals (and set named results with
	// NamedResults).
	Defer
	// Recover: panics in coroutines and their children recovered by a
	// deferred function that sets the named result (implies the use of
	// Defer and named results in those coroutines): a literal, a literal
	// with arguments, a named function (recoverPrint) or a method value
	// (defer gd.catch(), its receiver changed after the defer).
	Recover
	// Goto: forward and backward goto across waits.
	Goto
	// MultiResults: coroutines with two results, a, b := f().wait.
	MultiResults
	// Generics: generic coroutines waited on with several type arguments.
	Generics
	// RangeFuncWaits: waits in the body of a range over a function
	// (iterator), which the machine pulls: ranges over seq (one value),
	// seq2 (two) or seq with no variable, or their twins nseq and nseq2,
	// whose sequence type or yield type has a name, chosen more often
	// than the other range loops (and range loops more often), with the jumps and returns the other features
	// put in any body.
	RangeFuncWaits

	// The shapes users write that the transform once got wrong.

	// DeclBlocks: var ( ... ) blocks whose later specs read earlier ones
	// and whose specs wait (var ( a = f().wait; b = len(a) + g().wait ),
	// a, s = pair().wait with MultiResults), const ( k0 = iota; k1; k2 )
	// blocks and single constants, declared before a wait and used after
	// it, at any depth.
	DeclBlocks
	// LocalTypes: type declarations in coroutine bodies: structs whose
	// fields are assigned from waits, named ints and strings, a type
	// using another local type, a local type shadowing a package-level
	// type in a nested block, types that get methods from package-level
	// ones (embedding, type lt ctr, type lt adder), printed with %v and
	// %T (tname); with Generics, a generic coroutine whose local types
	// use its type parameter, aliases and generic local types among them
	// (type pair[U any] struct{ a T; b U }, type box[T any] with its own
	// T; Go's test/fixedbugs/issue72063.go).
	LocalTypes
	// NamedResultReturns: coroutines with one, two or three named results
	// (two and three with MultiResults), a deferred closure that prints
	// and changes them, and returns whose operands have side effects
	// (tick) and waits, or mix the named results (return hi, label, lo);
	// some with a blank result beside named ones, (_ int, text string)
	// (e2e/blankresults.txtar).
	NamedResultReturns
	// PartialRedecl: := with some names already declared in the same
	// scope and some new: old, x := f().wait, y, s := pair().wait (with
	// MultiResults), v, ok := m[k], x, err := strconv.Atoi(s).
	PartialRedecl
	// Shadowing: blocks, if, for and switch bodies declaring locals that
	// shadow the program's package-level variables (g1, level), constants
	// (depth), types (pt, box), functions (add, itoa, show) and imported
	// packages (fmt, strconv, runtime), with waits inside, and the inner
	// and outer values printed.
	Shadowing
	// ReservedNameLocals: locals, loop variables, parameters and named
	// results named like transform.ReservedNames() (len, string, state,
	// ready, fut1, runtime, Poll, ...), in small blocks and coroutines
	// whose code uses nothing those names would hide.
	ReservedNameLocals
	// CoroutineIdent: coroutine as an ordinary identifier: a local, a
	// loop variable, a label, a struct field, a parameter of plain
	// functions and closures, before ), }, ], with coroutine func
	// declarations after it in the file.
	CoroutineIdent
	// NoCoroutineFiles: some programs (about one in three) are plain Go,
	// with no coroutine at all: functions calling each other, with or
	// without the runtime (runtime.BlockOn(after(...))).
	NoCoroutineFiles
	// Comments: line comments on their own lines and at the ends of
	// lines, everywhere: on waits, on the opening lines of ifs, loops,
	// switches and selects that wait, on case lines, before closing
	// braces. The random test checks that each is in the generated code.
	Comments
	// AddressKeepers: code that keeps a variable's address without
	// writing &: method values of pointer methods (a.bump, bound before a
	// wait, called after the variable changed), one per loop iteration
	// collected and called after the loop, and declarations a backward
	// goto runs again (each run a new variable) whose address and a
	// closure over them are kept across a wait.
	AddressKeepers
	// OrderProbes: a wait on a future that changes a local string when
	// polled (setStr(&s, ...)), in one expression with reads of that
	// string that gc evaluates before the wait (len, slicing, boxing,
	// map literal entries) and after it (indexing, concatenation,
	// conversions), struct comparisons and a struct of a string and a
	// blank field (sblank) boxed into interfaces; and
	// waits on a future that changes an int (setInt) used as a map key
	// (a one-word struct or array, read before the wait; an int or a
	// two-word array, after), as the key of a map literal's entry whose
	// value waits (read after), and as a select's operand before a
	// later case's wait (read before) (e2e/mapkeyfast.txtar,
	// mapkeyorder.txtar, selectvars.txtar). With Generics, generic
	// coroutines that box, look up and compare a T(x) before a wait that
	// changes x, run with type arguments of every representation gc
	// orders its own way, and one that ranges over, indexes and boxes
	// values of S ~[]E and M ~map[K]E (e2e/genericorder.txtar,
	// coretypes.txtar).
	OrderProbes
	// NaNKeys: NaN (made at run time, z / z) as a map key, in maps of
	// float64, interface and struct keys ranged over with waits in the
	// body (sometimes clearing the map), and in the conditions of ifs and
	// loops that wait.
	NaNKeys
	// ConstNames: local constant blocks that use their own names (Go's
	// test/const8.go): one that redeclares iota (const ( k1 = iota; iota
	// = iota + 2; k2 ), the specs after it and later blocks meaning the
	// local iota), one that redeclares a package-level or outer constant
	// from itself (const ( kbase = kbase + kbase; k3 ), the implicit
	// repetition meaning the local one); blocks that read len of a local
	// array (so that they are written by value) with typed and untyped
	// rune constants, printed with %T and %q; float and complex constants
	// computed from len of a local array (float32(len(arr)) / 9,
	// complex(...), a block repeating float64(len(arr)) / float64(iota+2)),
	// printed with %T and %b. All used after waits, in nested blocks and
	// in loops that wait (e2e/constnames.txtar, constvalues.txtar).
	ConstNames
	// LocalTypeScopes: sibling blocks (bare blocks, the branches of an if,
	// the clauses of a switch) each declaring a type of the same name
	// with another underlying type, embedded in a struct kept in an any
	// across waits, compared and printed with %T (Go's
	// test/fixedbugs/issue50190.go, e2e/localscope.txtar), some with a
	// wait between the declaration and the embedding, which declares
	// them at package level under other names (e2e/embedrenamed.txtar);
	// a local type
	// embedded in a local struct (a struct embedding ctr, a named int, a
	// struct or a pointer to it), its promoted fields and methods used
	// after waits (issue24547.go, e2e/embedlocal.txtar).
	LocalTypeScopes
	// LocalFuncTypes: local func types with named parameters and results
	// (type visit func(depth int, name string) (ok int), some named like
	// the transform's own names), values of them (literals, closures
	// counting their calls, in a local struct, in a slice ranged over
	// with waits) kept across waits and called (Go's
	// test/fixedbugs/issue43619.go, e2e/localfunctype.txtar).
	LocalFuncTypes
	// PackageReservedNames: package-level vars, funcs, types and
	// constants named like transform.ReservedNames() that are not
	// predeclared (c, w, state, ready, fut1, tmp1, Poll, corofyruntime,
	// ...; corofy refuses package-level names hiding predeclared ones by
	// design), used from coroutines across waits where no local hides
	// them, the vars printed at the end of main.
	PackageReservedNames
	// PlaceTypes: expressions the type checker types by their place,
	// evaluated before a wait of the same expression, which corofy moves
	// into temporaries: composite literals with their type elided ({3,
	// "a"} for a pt, a *pt or a map) as values and keys of map literals,
	// nil entries, comparisons and short-circuits in the places of a
	// named bool (flag), shifts of a constant in int64 places, printed
	// with their types (e2e/standalone.txtar, maplitelided.txtar,
	// maplitnil.txtar); cases of a switch that waits holding literals of
	// a named type, which corofy makes ifs' conditions
	// (e2e/switchlit.txtar); a chan (<-chan int) kept across a wait,
	// whose type corofy writes (e2e/chanelem.txtar).
	PlaceTypes
	// Unevaluated: what Go evaluates only in part, or not at all. A wait
	// on a wait's output, nest(f).wait.wait, whose future is a future
	// (e2e/waitonwait.txtar); a range with one iteration variable or none
	// over an array or a pointer to one whose length is a constant, whose
	// range expression Go does not evaluate, even where it would panic
	// (a nil pointer to an array: e2e/constlen.txtar).
	Unevaluated
	// TopLevelRuns: plain declarations between and around the
	// coroutines, which corofy copies as text: single-line and grouped
	// vars, consts and types, functions and methods, in runs of one to
	// four, with doc comments, comments at the ends of their lines,
	// comments on the line right after them (no blank line, before the
	// next declaration or a coroutine's doc comment) and floating
	// comments, a blank line between them or none; main prints what
	// they declare. Comments after a run shorter than the placeholder's
	// name were once lost.
	TopLevelRuns
	// InlineComments: /* */ comments inside expressions, in coroutines
	// and plain functions alike: after an operator, before an argument,
	// after the last one, before a .wait; and calls and slice literals
	// whose elements are on lines of their own, with comments between
	// them and a comma after the last. corofy writes each machine as text (transform's
	// text.go), putting the separators, parentheses and line breaks the
	// printer would around such comments; the random test checks that
	// each comment is in the generated code, and the transform's tests
	// that each machine's text formats as its restored trees do.
	InlineComments
	// Positions: here(N) statements and at(N, x) operands (common.go),
	// which check that Go places them at line N of main.gocoro, their
	// line there: the positions corofy's line directives give the
	// generated code, in a machine's Poll after waits, in the code
	// copied as text, in plain functions; and calls whose arguments are
	// on lines of their own.
	Positions
	// Semicolons: explicit semicolons after the declarations of
	// TopLevelRuns (type T int;), which gofmt would drop: corofy blanked
	// a run out of its own parse but not the ";" after it (Go's own
	// test suite, bug058.go).
	Semicolons
	// InterfaceCases: switches whose tag or case expressions are
	// interfaces: a tagless switch's case any(x < y), which Go compares
	// with true (Go's test/switch.go), and switch any(x) { case 1, "1": }.
	InterfaceCases
	// ReceiveForms: a select's receive in each form Go allows: x :=,
	// _ =, _, _ =, _, ok :=, x, _ :=, and x, ok = to variables declared
	// before (Go's test/fixedbugs/bug225.go: case _ = <-c:).
	ReceiveForms
	// Receivers: with Methods, coroutine methods on a value receiver (b
	// box), a copy made at the call, whose changes the caller never sees
	// (the receiver's address taken inside, b.m(...) on it); and every
	// way of calling a coroutine method: b.m(...) on a pointer or a value
	// (which Go evaluates after the arguments, waits among them), method
	// expressions ((*box).m(p, ...), box.m(*p, ...)), methods promoted
	// through an embedded box or *box (vbox{*p}.m(...), pbox{p}.m(...)),
	// interface values (im3(p).m3(...)), and method values bound before a
	// wait and a change of the receiver, called after them.
	Receivers
	// Reimports: the program imports fmt, strconv and the runtime more
	// than once: under other names (ffmt "fmt", sconv "strconv", rt
	// "github.com/corofy/corofy/runtime"), as a dot import (. "strconv")
	// and blank, before or after the prelude's imports, and names each
	// package through them here and there, in coroutines and plain
	// functions, inside a block whose local fmt hides the package's own
	// name, and in the types of variables kept across waits (var rv
	// sconv.NumError), sometimes their only use (a file that imported
	// fmt twice did not build).
	Reimports
)

var featureNames = []string{
	"ControlFlow", "Closures", "Pointers", "Methods", "Channels", "GoStmt",
	"MultiAssign", "NamedResults", "LabeledLoops", "PerIterationClosures",
	"StoredFutures", "TrickyNames",
	"WaitsInIf", "WaitsInFor", "WaitsInRange", "WaitsInSwitch", "WaitsInSelect",
	"WaitsInBlocks", "ShortCircuitWaits", "Defer", "Recover", "Goto",
	"MultiResults", "Generics", "RangeFuncWaits",
	"DeclBlocks", "LocalTypes", "NamedResultReturns", "PartialRedecl",
	"Shadowing", "ReservedNameLocals", "CoroutineIdent", "NoCoroutineFiles",
	"Comments", "AddressKeepers", "OrderProbes", "NaNKeys",
	"ConstNames", "LocalTypeScopes", "LocalFuncTypes", "PackageReservedNames",
	"PlaceTypes", "Unevaluated", "TopLevelRuns", "InlineComments",
	"Positions", "Semicolons", "InterfaceCases",
	"ReceiveForms", "Receivers", "Reimports",
}

// All returns every feature.
func All() Features { return 1<<len(featureNames) - 1 }

// pending are the features whose shapes the transform does not handle
// yet (the differential test fails on some of their programs); a feature
// leaves the set, and is Supported, when the transform handles it. None
// is pending today: the shapes users write that the transform got wrong
// (DeclBlocks to NoCoroutineFiles) pass since the transform's rebuild.
const pending Features = 0

// Supported returns the features the transform handles today: the
// differential test uses it by default. Add a feature here when the
// transform gains it.
func Supported() Features {
	return All() &^ pending
}

// Has reports whether every feature of x is in f.
func (f Features) Has(x Features) bool { return f&x == x }

// String returns the features as a comma-separated list of names that
// ParseFeatures accepts ("none" for the empty set).
func (f Features) String() string {
	if f == 0 {
		return "none"
	}
	var names []string
	for i, name := range featureNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if rest := f &^ All(); rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint64(rest)))
	}
	return strings.Join(names, ",")
}

// Names returns the name of every feature, in order.
func Names() []string { return append([]string(nil), featureNames...) }

// ParseFeatures parses a comma-separated list of feature names (case does
// not matter), "all", "supported" and "none"; a name preceded by - is
// removed from what the items before it give. So
// "supported,WaitsInIf" is today's set plus waits in if statements, and
// "all,-Generics" everything but generics.
func ParseFeatures(s string) (Features, error) {
	var f Features
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		remove := strings.HasPrefix(item, "-")
		item = strings.TrimPrefix(item, "-")
		var x Features
		switch strings.ToLower(item) {
		case "all":
			x = All()
		case "supported":
			x = Supported()
		case "none":
		default:
			found := false
			for i, name := range featureNames {
				if strings.EqualFold(name, item) {
					x, found = 1<<i, true
				}
			}
			if !found {
				return 0, fmt.Errorf("randprog: unknown feature %q (known: all, supported, none, %s)", item, strings.Join(featureNames, ", "))
			}
		}
		if remove {
			f &^= x
		} else {
			f |= x
		}
	}
	return f, nil
}

// Count returns the number of features in f.
func (f Features) Count() int { return bits.OnesCount64(uint64(f)) }
