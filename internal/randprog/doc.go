// Package randprog generates random .gocoro programs for the differential
// test of corofy (issue 3): each program is transformed into state
// machines, and separately into its reference program (every .wait a loop
// polling until ready: the reference semantics); both are built and run, and
// their outputs must be equal. transform/random_test.go is that test.
//
// # What programs look like
//
// Generate(seed, features) returns a package main of two files: main.gocoro
// and common.go, the helpers of testdata/e2e (after(name, polls, v), a leaf
// future ready with v at its polls+1-th poll, printing "make name" and
// "ready name = v"; trace(what, v), which prints "eval what" and returns
// v). main.gocoro holds:
//
//   - a prelude: the struct types pt and box, globals g1, g2 and gb that
//     coroutines change, and plain helpers with visible side effects (add,
//     itoa, mkpt, show, pick, bump, which writes through a pointer, seq, an
//     iterator);
//   - two to five coroutines c0, c1, ... (mN when they are methods of *box),
//     with int, string and pt parameters and a result of kind struct{},
//     int, string or pt (named or not). A coroutine waits only on coroutines
//     declared after it (and, if recursive, on itself with a parameter n
//     that decreases to 0), so every program terminates; each body prints
//     "enter cN" and its parameters first;
//   - statements with waits at random expression positions: call
//     arguments, operands of + - * ^ | and comparisons, composite literals
//     (struct, array, slice, map), index expressions, conversions, nested
//     waits (after("w1", 1, c2(x.wait).wait).wait), the right side of =, :=,
//     op=, var, multiple assignments, returns, expression statements,
//     sends and go statements; futures kept in locals and waited on later;
//     locals that live across waits, pointers to locals and closures that
//     share them; trace calls around the waits, so that the order of
//     evaluation shows in the output;
//   - control flow (if/else, every form of for and range, switch, type
//     switch, select, blocks, labeled loops, goto, defer) with waits only
//     where the features allow them;
//   - at the end of every block, a print of the block's variables, and
//     main, which runs the coroutines nobody waits on with runtime.BlockOn
//     and prints their results and the globals;
//   - with the shape features (below), more declarations after the
//     prelude (tname, ctr, tick, level, cfg, ...), coroutines nrN with
//     named results and rnN whose parameters and results have reserved
//     names, and the shapes of shapes.go in the bodies; with
//     NoCoroutineFiles, about one program in three has plain functions
//     c0, c1, ... instead of coroutines (no "coroutine func" at all).
//
// # Determinism
//
// A program's output is a function of its text: the generator never emits
// anything whose result depends on scheduling or on map iteration order.
// Loops run at most a few times (bounded counters, (x)&3 limits, ranges
// over small values); indices are masked into range ((x)&3 on arrays and
// slices of length 4 or more); no division; integer overflow wraps as Go
// defines. Nothing prints a pointer, a function or a channel. Maps print
// sorted (fmt does), and a range over a map only adds up an order-free sum
// (the waits in its body have constant names and values). A select always
// has exactly one ready case or only its default; a go statement's result
// is received at once. The output is bounded: each coroutine's "weight",
// the number of coroutine bodies one call of it may run, stays under a
// fixed budget, computed while the bodies are generated (callees first).
//
// The generator itself draws every choice from math/rand/v2's PCG seeded
// with the seed, and never iterates over a map, so the same seed and
// features give the same program, byte for byte, everywhere. To look at
// the program of a seed:
//
//	go run ./internal/randprog/cmd/randprog -seed 1196 -features supported
//
// and to rerun it in the differential test (the test prints this command
// for every failure):
//
//	go test ./transform -run 'TestRandomPrograms$' -random.seed=1196 -random.n=1 -random.features=supported
//
// While minimizing a failure by hand, -random.file=prog.gocoro runs the
// same check on a file; -random.keep writes each failing program, with both
// outputs and the generated code, to testdata/random-failures/. For
// features the transform does not support yet, -random.refonly checks the
// generator instead: it runs each program's reference twice and compares.
//
// # Features
//
// Features selects the constructs a program may use; the zero value allows
// only straight-line statements with waits. Supported() is the set the
// transform handles today, which the test uses by default; when the
// transform gains a construct, add its feature there. The features and the
// items of issue 3 they exercise:
//
//	ControlFlow           if/for/range/switch/select/blocks without waits, early returns
//	Closures              closures share the coroutine's variables (item 4)
//	Pointers              pointers to locals across waits (liveness, item 5)
//	Methods               coroutine methods
//	Channels, GoStmt      sends with waits, receives as operands, go f(x.wait)
//	MultiAssign           multiple assignment with waits on either side (item 1)
//	NamedResults          named results and bare return (item 3)
//	LabeledLoops          labeled break/continue across nested loops (item 1)
//	PerIterationClosures  Go 1.22 per-iteration loop variables (item 4)
//	StoredFutures         futures made, then waited on later (laziness)
//	TrickyNames           locals named c, w, state, ready, out1, tmp1, fut1, ...
//	WaitsInIf             waits in if conditions, init statements, branches (item 1)
//	WaitsInFor            waits in for init, condition, post and body (item 1)
//	WaitsInRange          waits in range expressions, bodies and iteration variables: for a[x.wait&3] = range n (item 1)
//	RangeFuncWaits        waits in the body of a range over a function: seq's one value, seq2's two, or none, through a sequence type or a yield type with a name (nseq, nseq2) or not; the machine pulls the iterator (item 1)
//	WaitsInSwitch         waits in switch tags, lazy case lists, clauses, type switches (item 1)
//	WaitsInSelect         waits in select clauses and communication operands (item 1)
//	WaitsInBlocks         waits in bare blocks
//	ShortCircuitWaits     waits on the right of && and || (item 1)
//	Defer                 defer with waited arguments, deferred closures (item 2)
//	Recover               recover in a coroutine, from its body or a child; deferred literal, literal with arguments, named function, method value (item 2)
//	Goto                  forward and backward goto across waits (item 1)
//	MultiResults          two results, a, b := f().wait (item 3)
//	Generics              generic coroutines (item 3)
//
// and the shapes users write that the transform once got wrong (a
// feature whose programs the transform fails stays out of Supported, in
// pending, until it handles them; -random.refonly checks the generator
// alone):
//
//	DeclBlocks            var ( a = f().wait; b = len(a) + g().wait ), const ( k0 = iota; k1 ), used after waits
//	LocalTypes            local types: fields set from waits, %v and %T, methods via package types, generic (aliases, generic local types)
//	NamedResultReturns    1-3 named results, deferred closure changing them, return tick(..), x.wait / return hi, s, lo
//	PartialRedecl         old, new := ... with waits, a, s := pair().wait, v, ok := m[k], x, err := strconv.Atoi(s)
//	Shadowing             blocks shadowing package vars, consts, types, functions, imports (fmt := 3), with waits
//	ReservedNameLocals    locals, parameters, named results named like transform.ReservedNames() (len, state, ...)
//	CoroutineIdent        coroutine as a local, field, parameter, label: use(coroutine), cfg{coroutine: x}, a[coroutine]
//	NoCoroutineFiles      some programs have no coroutine at all (plain Go, with or without the runtime)
//	Comments              // c12 comments on their own lines and at line ends, everywhere (each must be kept)
//	AddressKeepers        addresses kept without &: f := a.ptrMethod before a wait, per-iteration method values, backward goto
//	OrderProbes           a wait that changes a string read before it (len, s[1:], boxing) and after it (s[i], +), boxed struct ==;
//	                      with Generics, T(x) boxed, as a map key and compared, for type arguments of every representation
//	NaNKeys               for _, v := range map[float64]int{nan: 1, nan: 2} with waits (clear too), if nan > 1 { x.wait }
//	ConstNames            const ( k1 = iota; iota = iota + 2; k2 ), const ( kbase = kbase + kbase; k3 ), runes and floats from len(arr)
//	LocalTypeScopes       sibling blocks { type C int32 ... } { type C string ... } embedded in struct{ C }, waits in them or not; local types embedded in local structs
//	LocalFuncTypes        type visit func(depth int, name string) (ok int), its values kept across waits, in structs and slices, called
//	PackageReservedNames  package-level var state, func Poll, type fut1, const ready (ReservedNames() minus predeclared) used in coroutines
//	PlaceTypes            elided composite literals in map literals, named bools, constant shifts, literal cases of a named type, chan elements
//	Unevaluated           nest(f).wait.wait; range over an array, or a pointer to one, of constant length, not evaluated
//	TopLevelRuns          plain declarations between coroutines, copied as text: var tl1 int // c, grouped, funcs, methods,
//	                      with doc comments, comments right after them and a coroutine's doc comment after a run (each kept)
//	InlineComments        (a + /* c3 */ b), add(x, /* c4 */ y /* c5 */), f() /* c6 */ .wait, add(\n x, // c7\n y,\n),
//	                      []int{ /* c8 */\n a,\n b, // c9\n c, d,\n} (each kept)
//	Positions             here(N) statements and at(N, x) operands, which print "wrong position" unless Go places
//	                      them at line N of main.gocoro (the test fails on it); calls with arguments on lines of their own
//	Semicolons            with TopLevelRuns, explicit semicolons after plain declarations: type tl3 int; // c
//	InterfaceCases        switch { case any(x < y): }, compared with true; switch any(x) { case 1, "1": }
//	ReceiveForms          select { case _ = <-c: ... case _, ok := <-c: ... case x, ok = <-c: }
//	Receivers             coroutine methods on (b box) too, called as p.m(x.wait), (*box).m(p), box.m(*p), pbox{p}.m(),
//	                      vbox{*p}.m(), im3(p).m3(), and f := p.m bound before a wait and a change of *p
//	Reimports             import ffmt "fmt"; import . "strconv"; import _ "fmt"; rt "…/runtime" beside the prelude's
//	                      imports, uses through each: ffmt.Println(fmt) where a local fmt hides the package,
//	                      var rv sconv.NumError kept across a wait (the import then unused in the output),
//	                      with . "strconv" a local type NumError kept across a wait
//
// ParseFeatures reads them from a flag: "supported,WaitsInIf",
// "all,-Generics", "none".
package randprog
