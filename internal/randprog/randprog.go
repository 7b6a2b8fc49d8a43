package randprog

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

// Program is one generated program: a package main of two files.
type Program struct {
	Seed     int64
	Features Features
	// Main is the .gocoro file (MainFile): coroutines, helpers, main.
	Main []byte
	// Helpers is the Go file (HelperFile) with the leaf future after and
	// trace; it is byte for byte testdata/e2e/common.go.txt, so that a
	// program can become an e2e case with its main.gocoro alone.
	Helpers []byte
}

// The files of a Program.
const (
	MainFile   = "main.gocoro"
	HelperFile = "common.go"
)

//go:embed common.go.txt
var helpers []byte

// Generate returns the program of seed with the constructs of features.
// The same seed and features give the same program, byte for byte, on
// every platform and Go version (the generator draws from math/rand/v2's
// PCG, seeded with seed, and never iterates over a map).
func Generate(seed int64, features Features) Program {
	g := &gen{
		r: rand.New(rand.NewPCG(uint64(seed), 0x636f726f6679)), // "corofy"
		f: features,
	}
	src := markLines(g.program(seed))
	return Program{Seed: seed, Features: features, Main: src, Helpers: append([]byte(nil), helpers...)}
}

// kind is the type of a variable or an expression.
type kind int

const (
	kNone   kind = iota // struct{}: the output of a coroutine without results
	kInt                // int
	kString             // string
	kBool               // bool
	kPt                 // pt, a struct
	kArr                // [4]int
	kSlice              // []int, of length 4 or more
	kMap                // map[string]int
	kPtrInt             // *int
	kPtrPt              // *pt
	kFunc               // func(int) int
	kChan               // chan int
	kFut                // a future; variable.out is its output
	kBox                // *box
	kMulti              // (int, string): the output of a two-result coroutine
	kErr                // error (PartialRedecl's x, err := strconv.Atoi(s))
	kTriple             // (int, string, int): a three-result coroutine's (NamedResultReturns)
)

func (k kind) goType() string {
	return [...]string{"struct{}", "int", "string", "bool", "pt", "[4]int", "[]int", "map[string]int",
		"*int", "*pt", "func(int) int", "chan int", "", "*box", "", "error", ""}[k]
}

// printable kinds print the same in every run (no addresses).
func (k kind) printable() bool {
	switch k {
	case kInt, kString, kBool, kPt, kArr, kSlice, kMap, kNone, kErr:
		return true
	}
	return false
}

type variable struct {
	name   string
	k      kind
	ro     bool // never assigned by random statements (loop variables, ...)
	count  int  // kChan: values buffered, known in straight-line code
	out    kind // kFut: the output's kind
	waited bool // kFut: waited on already
	used   bool // read somewhere already (else printed or blanked at scope end)
	value  bool // kBox: a box, not a *box (the receiver of a value method)
}

// coro is a generated coroutine.
type coro struct {
	idx       int
	name      string
	params    []*variable
	result    kind // kNone, kInt, kString, kPt, or kMulti
	named     string
	method    bool // on *box, receiver b
	valueRecv bool // method on box, not *box (Receivers)
	recursive bool // first parameter n bounds the recursion
	recovers  bool // has a deferred recover that sets the named result
	panics    bool // the boom coroutine: only recovering coroutines wait on it
	weight    int  // how many coroutine bodies one call runs, at most
	called    bool
	// Special coroutines (NamedResultReturns, ReservedNameLocals): their
	// named results, in order, and the writer of their body.
	results []*variable
	body    func(co *coro)
}

// maxWeight bounds the coroutine bodies one call of a coroutine runs, so
// that the output stays small.
const maxWeight = 24

type gen struct {
	r        *rand.Rand
	f        Features
	comments int // comments written (Comments)
	b        strings.Builder
	ind      int
	scopes   [][]*variable
	n        int
	coros    []*coro
	cur      *coro
	names    map[string]bool // names declared in the current function
	glob     []*variable
	// NoCoroutineFiles: the program has no coroutine (plain), and uses
	// the runtime or not.
	plain, plainRuntime bool
	reserved            []string          // ReservedNameLocals: the names, filtered
	pkgDecls            []*pkgDecl        // PackageReservedNames: the declarations
	top                 topLevel          // TopLevelRuns
	ifaces              map[string]string // Receivers: interface declarations, by name
	reimports           []int             // Reimports: the imports added, indexes of reimportSpecs
}

// ctx describes where code is being generated.
type ctx struct {
	waits     bool     // a .wait may appear here
	straight  bool     // runs exactly once, in order, when the coroutine runs
	mult      int      // how many times it may run per call of the function
	loop      bool     // break and continue are allowed
	brk       bool     // break is allowed (loop, switch, select)
	labels    []string // enclosing labeled loops
	depth     int      // statement nesting
	closure   bool     // inside a func literal: no wait, no return of the coroutine
	coroutine bool     // in a coroutine body (else main or a closure)
	noDecl    bool     // no declarations (between a goto and its label)
	plain     bool     // in a plain function of a program without coroutines
}

func (g *gen) intn(n int) int        { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// pickOf returns one of xs, at random.
func (g *gen) pickOf(xs ...string) string { return xs[g.intn(len(xs))] }

func (g *gen) id(prefix string) string {
	for {
		g.n++
		// A name taken from trickyNames (n1, out1) is not made again.
		if name := fmt.Sprintf("%s%d", prefix, g.n); !g.names[name] {
			return name
		}
	}
}

var trickyNames = []string{"c", "co", "coro", "machine", "w", "state", "ready", "out1", "out2", "out3",
	"tmp1", "tmp2", "fut1", "fut2", "fut3", "ok", "zero", "v", "x", "n1"}

// local returns a fresh name for a local of the current function.
func (g *gen) local(prefix string) string {
	if g.f.Has(TrickyNames) && g.chance(0.15) {
		name := trickyNames[g.intn(len(trickyNames))]
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
	name := g.id(prefix)
	g.names[name] = true
	return name
}

// opt is one choice of weight w.
type opt struct {
	w int
	f func() string
}

func (g *gen) choose(opts ...opt) string {
	total := 0
	for _, o := range opts {
		total += o.w
	}
	if total == 0 {
		panic("randprog: nothing to choose")
	}
	k := g.intn(total)
	for _, o := range opts {
		if k < o.w {
			return o.f()
		}
		k -= o.w
	}
	panic("unreachable")
}

func w(cond bool, weight int) int {
	if cond {
		return weight
	}
	return 0
}

// Output.

func (g *gen) line(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if g.f.Has(Comments) && !strings.ContainsAny(text, "\n`") {
		if g.chance(0.1) {
			g.comments++
			g.b.WriteString(strings.Repeat("\t", g.ind))
			fmt.Fprintf(&g.b, "// c%d\n", g.comments)
		}
		if g.chance(0.15) {
			g.comments++
			text += fmt.Sprintf(" // c%d", g.comments)
		}
	}
	g.b.WriteString(strings.Repeat("\t", g.ind))
	g.b.WriteString(text)
	g.b.WriteByte('\n')
}

// Scopes.

func (g *gen) push()               { g.scopes = append(g.scopes, nil) }
func (g *gen) declare(v *variable) { g.scopes[len(g.scopes)-1] = append(g.scopes[len(g.scopes)-1], v) }
func (g *gen) popSilently()        { g.scopes = g.scopes[:len(g.scopes)-1] }
func (g *gen) newVar(name string, k kind) *variable {
	v := &variable{name: name, k: k}
	g.declare(v)
	return v
}

// pop closes a scope: its printable variables are printed (which also
// uses them, as Go requires), the others assigned to _ unless used.
func (g *gen) pop() {
	g.flush()
	g.popSilently()
}

// flush prints the innermost scope's variables, as pop does, but keeps
// the scope.
func (g *gen) flush() {
	vars := g.scopes[len(g.scopes)-1]
	var names []string
	for _, v := range vars {
		if v.k.printable() {
			names = append(names, v.name)
		} else {
			// Always: "used" may count an expression that was generated
			// and then dropped (seed 20385 declared ptr8 and never read it).
			g.line("_ = %s", v.name)
		}
	}
	if len(names) > 0 {
		g.line("fmt.Println(%q, %s)", g.id("end"), strings.Join(names, ", "))
	}
}

// vars returns the visible variables that satisfy ok, innermost last.
func (g *gen) vars(ok func(v *variable) bool) []*variable {
	var out []*variable
	for _, v := range g.glob {
		if ok(v) {
			out = append(out, v)
		}
	}
	for _, s := range g.scopes {
		for _, v := range s {
			if ok(v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func (g *gen) pickVar(ok func(v *variable) bool) *variable {
	vs := g.vars(ok)
	if len(vs) == 0 {
		return nil
	}
	v := vs[g.intn(len(vs))]
	v.used = true
	return v
}

func ofKind(k kind) func(v *variable) bool {
	return func(v *variable) bool { return v.k == k }
}

func writable(k kind) func(v *variable) bool {
	return func(v *variable) bool { return v.k == k && !v.ro }
}

func (g *gen) has(ok func(v *variable) bool) bool { return len(g.vars(ok)) > 0 }

// The program.

func (g *gen) program(seed int64) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, "// Code generated by randprog (seed %d, features %s). Rerun with\n", seed, g.f)
	fmt.Fprintf(&out, "// go test ./transform -run 'TestRandomPrograms$' -random.seed=%d -random.n=1 -random.features=%s\n\n", seed, g.f)
	if g.f.Has(NoCoroutineFiles) && g.chance(0.3) {
		g.plain, g.plainRuntime = true, g.chance(0.5)
	}
	if g.plain && !g.plainRuntime {
		out.WriteString(strings.Replace(prelude, "\n\n\t\"github.com/corofy/corofy/runtime\"\n", "\n", 1))
	} else {
		out.WriteString(prelude)
	}
	if g.f.Has(Generics) && !g.plain {
		out.WriteString(genericsSrc)
	}
	if g.f.Has(Recover) && !g.plain {
		out.WriteString(boomSrc)
	}
	g.glob = []*variable{
		{name: "g1", k: kInt, used: true},
		{name: "g2", k: kString, used: true},
		{name: "gb", k: kBox, ro: true, used: true},
	}
	g.extraPrelude(&out)
	g.chooseReimports()

	// Signatures first (a coroutine waits only on those after it, so
	// that every program terminates), then the bodies, last first, so
	// that each body knows the weight of the coroutines it calls.
	n := 2 + g.intn(4)
	for i := 0; i < n; i++ {
		co := &coro{idx: i, name: fmt.Sprintf("c%d", i)}
		co.result = []kind{kNone, kInt, kInt, kString, kPt}[g.intn(5)]
		if g.f.Has(MultiResults) && g.chance(0.2) {
			co.result = kMulti
		}
		if g.f.Has(Methods) && g.chance(0.25) {
			co.method = true
			co.name = fmt.Sprintf("m%d", i)
			co.valueRecv = g.f.Has(Receivers) && g.chance(0.5)
		}
		if g.f.Has(ControlFlow) && !co.method && g.chance(0.25) {
			co.recursive = true
			co.params = append(co.params, &variable{name: "n", k: kInt, ro: true})
		}
		if co.result == kInt && g.f.Has(Recover) && g.chance(0.5) {
			co.recovers = true
		}
		if (co.result != kNone && co.result != kMulti && g.f.Has(NamedResults) && g.chance(0.3)) || co.recovers {
			co.named = "r"
		}
		for j := 0; j < g.intn(4); j++ {
			k := []kind{kInt, kInt, kString, kPt}[g.intn(4)]
			co.params = append(co.params, &variable{name: fmt.Sprintf("p%d", j), k: k})
		}
		g.coros = append(g.coros, co)
	}
	g.specialCoros()
	n = len(g.coros)
	decls := make([]string, n)
	for i := n - 1; i >= 0; i-- {
		decls[i] = g.coroutine(g.coros[i])
	}
	for i, d := range decls {
		g.topLevelRun(&out)
		if g.f.Has(TopLevelRuns) && g.chance(0.3) {
			fmt.Fprintf(&out, "// the doc of coroutine %d.\n", i)
		}
		out.WriteString(d)
		out.WriteString("\n")
	}
	g.topLevelRun(&out)
	out.WriteString(g.mainFunc())
	out.WriteString(g.ifaceDecls())
	src := g.reimport(out.Bytes())
	return g.putTopLevel(formatGocoro(src))
}

var coroutineRE = regexp.MustCompile(`(?m)^coroutine func `)

// formatGocoro gofmts a .gocoro source: "coroutine func" is not Go, so it
// is hidden in a comment while formatting.
func formatGocoro(src []byte) []byte {
	const mark = "func /*coroutine*/ "
	goSrc := coroutineRE.ReplaceAll(src, []byte(mark))
	out, err := format.Source(goSrc)
	if err != nil {
		panic(fmt.Sprintf("randprog: generated program does not parse: %v\n%s", err, src))
	}
	return bytes.ReplaceAll(out, []byte(mark), []byte("coroutine func "))
}

func (co *coro) resultType() string {
	if len(co.results) > 0 {
		var rs []string
		for _, r := range co.results {
			rs = append(rs, r.name+" "+r.k.goType())
		}
		return "(" + strings.Join(rs, ", ") + ")"
	}
	switch co.result {
	case kNone:
		return ""
	case kMulti:
		return "(int, string)"
	case kTriple:
		return "(int, string, int)"
	}
	if co.named != "" {
		return fmt.Sprintf("(%s %s)", co.named, co.result.goType())
	}
	return co.result.goType()
}

// coroutine returns the declaration of co.
func (g *gen) coroutine(co *coro) string {
	g.b.Reset()
	g.ind = 0
	g.cur = co
	g.names = map[string]bool{}
	for _, name := range []string{"n", "r", "b", "p0", "p1", "p2", "p3"} {
		g.names[name] = true
	}
	if co.body != nil {
		co.body(co)
		co.weight++
		return g.b.String()
	}
	keyword := "coroutine func"
	if g.plain {
		keyword = "func"
	}
	var params []string
	for _, p := range co.params {
		params = append(params, p.name+" "+p.k.goType())
	}
	recv := ""
	if co.valueRecv {
		recv = "(b box) "
	} else if co.method {
		recv = "(b *box) "
	}
	g.line("%s %s%s(%s) %s {", keyword, recv, co.name, strings.Join(params, ", "), co.resultType())
	g.ind++
	g.push()
	var names []string
	for _, p := range co.params {
		g.declare(p)
		if p.k.printable() {
			names = append(names, p.name)
		}
	}
	if co.method {
		g.declare(&variable{name: "b", k: kBox, ro: true, used: true, value: co.valueRecv})
		names = append(names, "b.n", "b.s")
	}
	g.line("fmt.Println(%s)", strings.Join(append([]string{fmt.Sprintf("%q", "enter "+co.name)}, names...), ", "))
	if co.named != "" {
		g.declare(&variable{name: co.named, k: co.result})
	}
	c := ctx{waits: !g.plain, straight: true, mult: 1, coroutine: true, plain: g.plain}
	if co.recovers {
		// recover works only in the function the defer calls: a literal,
		// a literal with arguments, a named function, a method value, a
		// function or a method with arguments; and never in "defer
		// recover()".
		form := g.intn(7)
		if g.plain && form >= 2 {
			form = 0 // recoverPrint and guard come with boom, in programs with coroutines
		}
		switch form {
		case 0:
			g.line("defer func() {")
			g.line("\tif x := recover(); x != nil {")
			g.line("\t\tfmt.Println(%q, x)", "recovered in "+co.name)
			g.line("\t\t%s = -%d", co.named, 1+g.intn(9))
			g.line("\t}")
			g.line("}()")
		case 1:
			g.line("defer func(tag string, p *int) {")
			g.line("\tif x := recover(); x != nil {")
			g.line("\t\tfmt.Println(tag, x)")
			g.line("\t\t*p = -%d", 1+g.intn(9))
			g.line("\t}")
			g.line("}(%q, &%s)", "recovered in "+co.name, co.named)
		case 2:
			g.line("defer recoverPrint()")
		case 4: // a function with arguments (e2e/deferargs.txtar)
			g.line("defer recoverTo(&%s, %q, %d)", co.named, "recovered in "+co.name, 1+g.intn(9))
		case 5: // a method with arguments, its receiver taken at the defer
			gd := g.local("gd")
			g.line("%s := &guard{name: %q, p: &%s}", gd, "recovered in "+co.name, co.named)
			g.line("defer %s.catchAs(%q, %d)", gd, "method", 1+g.intn(9))
			g.line("%s = &guard{name: %q, p: &%s}", gd, "other", co.named)
		case 6: // defer recover() recovers nothing: recoverTo, deferred before it, does
			g.line("defer recoverTo(&%s, %q, %d)", co.named, "recovered in "+co.name, 1+g.intn(9))
			g.line("defer recover()")
		default:
			// A method value: its receiver is taken at the defer, and a
			// later assignment changes nothing (e2e/deferrecover.txtar).
			gd := g.local("gd")
			if g.chance(0.5) {
				g.line("%s := &guard{name: %q, p: &%s, k: %d}", gd, "recovered in "+co.name, co.named, 1+g.intn(9))
				g.line("defer %s.catch()", gd)
				g.line("%s = &guard{name: %q, p: &%s, k: 100}", gd, "other", co.named)
			} else {
				g.line("%s := guard{name: %q, p: &%s, k: %d}", gd, "recovered in "+co.name, co.named, 1+g.intn(9))
				g.line("defer %s.catchValue()", gd)
				g.line("%s.name, %s.k = %q, 100", gd, gd, "other")
			}
		}
	}
	if co.recursive {
		g.line("if n <= 0 {")
		g.ind++
		g.ret(ctx{mult: 1, coroutine: true, plain: g.plain}, true)
		g.ind--
		g.line("}")
	}
	self := co.recursive
	for i, m := 0, 3+g.intn(7); i < m; i++ {
		if self && g.intn(m-i) == 0 {
			self = false
			g.selfCall(c)
			continue
		}
		g.stmt(c)
	}
	if self {
		g.selfCall(c)
	}
	g.flush()
	if co.result != kNone {
		g.ret(c, false)
	}
	g.popSilently()
	g.ind--
	g.line("}")
	if co.recursive {
		co.weight = 4 * (co.weight + 1)
	} else {
		co.weight++
	}
	return g.b.String()
}

// selfCall is the recursive call of a recursive coroutine.
func (g *gen) selfCall(c ctx) {
	co := g.cur
	args := []string{"n - 1"}
	for _, p := range co.params[1:] {
		args = append(args, g.expr(c, p.k, 1))
	}
	call := fmt.Sprintf("%s(%s).wait", co.name, strings.Join(args, ", "))
	if g.plain {
		call = strings.TrimSuffix(call, ".wait")
	}
	switch co.result {
	case kNone:
		g.line("%s", call)
	case kMulti:
		a, b := g.local("a"), g.local("s")
		g.line("%s, %s := %s", a, b, call)
		g.newVar(a, kInt)
		g.newVar(b, kString)
	default:
		v := g.local("rec")
		g.line("%s := %s", v, call)
		g.newVar(v, co.result)
	}
}

// ret writes a return of the current coroutine; plain: without waits.
func (g *gen) ret(c ctx, plain bool) {
	co := g.cur
	if plain {
		c.waits = false
	}
	switch {
	case co.result == kNone:
		g.line("return")
	case co.result == kMulti:
		g.line("return %s, %s", g.expr(c, kInt, 2), g.expr(c, kString, 2))
	case co.result == kTriple:
		g.line("return %s, %s, %s", g.expr(c, kInt, 2), g.expr(c, kString, 2), g.expr(c, kInt, 2))
	case co.named != "" && g.chance(0.5):
		if g.chance(0.5) {
			op := "+="
			if co.result == kPt {
				op = "="
			}
			g.line("%s %s %s", co.named, op, g.expr(c, co.result, 2))
		}
		g.line("return")
	default:
		g.line("return %s", g.expr(c, co.result, 2))
	}
}

func (g *gen) mainFunc() string {
	g.b.Reset()
	g.ind = 0
	g.cur = &coro{name: "main"}
	g.names = map[string]bool{}
	g.scopes = nil
	g.line("func main() {")
	g.ind++
	g.push()
	c := ctx{mult: 1, plain: g.plain}
	for i, co := range g.coros {
		if co.called && i > 0 || co.result == kMulti && co.body == nil && !g.plain || co.panics {
			continue
		}
		call := g.callExpr(c, co)
		if g.plain {
			g.plainMainCall(co, call)
			continue
		}
		g.line("fmt.Println(%q, runtime.BlockOn(%s))", "main "+co.name, call)
	}
	if g.plain && g.plainRuntime {
		g.line("fmt.Println(%q, runtime.BlockOn(after(%q, %d, %s)))", "main block", g.id("w"), g.intn(3), g.intExpr(c, 1))
	}
	if !g.plain && !strings.Contains(g.b.String(), "runtime.") && (g.f.Has(ReservedNameLocals) || g.f.Has(Shadowing)) {
		// A file whose locals shadow runtime gets the lowering's own
		// import of it: its import must have a use of its own.
		g.line("fmt.Println(%q, runtime.BlockOn(runtime.Ready(g1)))", "main ready")
	}
	g.line("fmt.Println(%q, g1, g2, gb.n, gb.s)", "globals")
	g.extraGlobals()
	g.topLevelPrint()
	g.popSilently()
	g.ind--
	g.line("}")
	return g.b.String()
}

// callExpr returns a call of co with random arguments.
func (g *gen) callExpr(c ctx, co *coro) string {
	var args []string
	for i, p := range co.params {
		if i == 0 && co.recursive {
			args = append(args, fmt.Sprint(g.intn(4)))
			continue
		}
		args = append(args, g.expr(c, p.k, 2))
	}
	call := fmt.Sprintf("%s(%s)", co.name, strings.Join(args, ", "))
	if co.method {
		if g.f.Has(Receivers) {
			return g.methodCall(c, co, args)
		}
		recv := "gb"
		if v := g.pickVarP(0.7, ofKind(kBox)); v != nil {
			recv = v.name
		} else if g.chance(0.3) {
			recv = fmt.Sprintf("(&box{n: %s})", g.expr(c, kInt, 1))
		}
		call = recv + "." + call
	}
	return call
}

// pickVarP picks a variable that satisfies ok with probability p.
func (g *gen) pickVarP(p float64, ok func(v *variable) bool) *variable {
	if !g.has(ok) || !g.chance(p) {
		return nil
	}
	return g.pickVar(ok)
}

// lineMark stands for the number of the line it is on, in the here and
// at calls of Positions: the generator writes it (an identifier, for
// gofmt), and markLines replaces it once the program is formatted.
const lineMark = "__LINE__"

// markLines replaces each lineMark in src with the number of its line.
func markLines(src []byte) []byte {
	if !bytes.Contains(src, []byte(lineMark)) {
		return src
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.ReplaceAll(l, []byte(lineMark), []byte(strconv.Itoa(i+1)))
	}
	return bytes.Join(lines, nil)
}
