package randprog

import (
	"fmt"
	"strings"
)

// prelude is the start of every program: imports, types, globals and
// plain helpers whose calls are visible in the trace.
const prelude = `package main

import (
	"fmt"
	"strconv"

	"github.com/corofy/corofy/runtime"
)

type pt struct {
	A int
	B string
}

type box struct {
	n int
	s string
}

var (
	g1 int
	g2 string
	gb = &box{s: "box"}
)

func add(a, b int) int { return a + b }

func itoa(n int) string { return strconv.Itoa(n) }

// clip keeps what s += clip(...) adds short: s += s would double s at
// every run of the statement, and a loop or a recursion would then make
// gigabytes of it.
func clip(s string) string { return s[:min(len(s), 12)] }

func mkpt(a int, b string) pt {
	fmt.Println("mkpt", a, b)
	return pt{a, b}
}

func show(what string, v any) { fmt.Println("show", what, v) }

func pick(ch chan int, n int) chan int {
	fmt.Println("pick", n)
	return ch
}

func bump(p *int, d int) int {
	*p += d
	return *p
}

// seq is an iterator over the first n squares. What it does after the
// loop's body stops it, and its deferred call, run before the function
// that ranges over it returns and runs its own deferred calls.
func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer fmt.Println("seq done", n)
		for i := 0; i < n; i++ {
			fmt.Println("yield", i*i)
			if !yield(i * i) {
				fmt.Println("seq stopped at", i*i)
				return
			}
		}
	}
}

// seq2 is an iterator over pairs: i and 3*i for the first n i.
func seq2(n int) func(func(int, int) bool) {
	return func(yield func(int, int) bool) {
		defer fmt.Println("seq2 done", n)
		for i := 0; i < n; i++ {
			fmt.Println("yield2", i)
			if !yield(i, 3*i) {
				fmt.Println("seq2 stopped at", i)
				return
			}
		}
	}
}

// nseq is seq with a type of its own, and nseq2 is seq2 with a yield
// whose type has a name, which Go's range allows too.
type (
	seqOf  func(func(int) bool)
	yield2 func(int, int) bool
)

func nseq(n int) seqOf { return seq(n) }

func nseq2(n int) func(yield2) {
	return func(yield yield2) { seq2(n)(yield) }
}

`

const genericsSrc = `coroutine func gpass[T any](name string, polls int, v T) T {
	fmt.Println("enter gpass", name, v)
	x := after(name, polls, v).wait
	return x
}

type addable interface{ ~int | ~string }

coroutine func gsum[T addable](a, b T) T {
	s := a + after("gsum", 1, b).wait
	fmt.Println("gsum", s)
	return s
}

`

const boomSrc = `coroutine func boom(x int) int {
	fmt.Println("enter boom", x)
	v := after("boom", 1, x).wait
	if v&1 == 0 {
		panic(fmt.Sprint("boom ", v))
	}
	return v
}

// recoverPrint stops a panic when a defer calls it.
func recoverPrint() {
	if x := recover(); x != nil {
		fmt.Println("recovered", x)
	}
}

// guard stops a panic when a defer calls a method value of it, and sets
// *p to -k.
type guard struct {
	name string
	p    *int
	k    int
}

func (gd *guard) catch() {
	if x := recover(); x != nil {
		fmt.Println(gd.name, x)
		*gd.p = -gd.k
	}
}

func (gd guard) catchValue() {
	if x := recover(); x != nil {
		fmt.Println(gd.name, "(value)", x)
		*gd.p = -gd.k
	}
}

// catchAs is a method with arguments: "defer gd.catchAs(...)" defers it
// itself, with its arguments, so its recover stops the panic.
func (gd *guard) catchAs(as string, k int) {
	if x := recover(); x != nil {
		fmt.Println(gd.name, "as", as, x)
		*gd.p = -k
	}
}

// recoverTo is a function with arguments that stops a panic when a defer
// calls it, and sets *p to -k.
func recoverTo(p *int, tag string, k int) {
	if x := recover(); x != nil {
		fmt.Println(tag, x)
		*p = -k
	}
}

`

// expr returns an expression of kind k with at most d levels of nesting.
func (g *gen) expr(c ctx, k kind, d int) string {
	switch k {
	case kInt:
		return g.intExpr(c, d)
	case kString:
		return g.strExpr(c, d)
	case kBool:
		return g.boolExpr(c, d)
	case kPt:
		return g.ptExpr(c, d)
	case kNone:
		return "struct{}{}"
	case kArr:
		return fmt.Sprintf("([4]int{%s, %s, %s, %s})", g.intExpr(c, d-1), g.intExpr(c, d-1), g.intExpr(c, d-1), g.intExpr(c, d-1))
	case kSlice:
		if v := g.pickVarP(0.3, ofKind(kSlice)); v != nil {
			return v.name
		}
		if g.f.Has(InlineComments) && g.chance(0.15) {
			// Elements on lines of their own, comments between them.
			g.comments += 2
			return fmt.Sprintf("[]int{ /* c%d */\n%s,\n%s, // c%d\n%s, %s,\n}", g.comments-1, g.intExpr(c, d-1), g.intExpr(c, d-1), g.comments, g.intExpr(c, d-1), g.intExpr(c, d-1))
		}
		return fmt.Sprintf("[]int{%s, %s, %s, %s}", g.intExpr(c, d-1), g.intExpr(c, d-1), g.intExpr(c, d-1), g.intExpr(c, d-1))
	case kMap:
		return fmt.Sprintf("map[string]int{\"a\": %s, \"b\": %s}", g.intExpr(c, d-1), g.intExpr(c, d-1))
	}
	panic(fmt.Sprintf("randprog: no expression of kind %d", k))
}

func (g *gen) lit() string {
	n := g.intn(24) - 4
	if n < 0 {
		return fmt.Sprintf("(%d)", n)
	}
	return fmt.Sprint(n)
}

var strLits = []string{`"a"`, `"bc"`, `"é"`, `"x y"`, `""`, `"\xff"`, `"日本"`, `"z"`}

// intAtom is an int operand without calls: a literal or a variable.
func (g *gen) intAtom(c ctx) string {
	return g.choose(
		opt{3, g.lit},
		opt{w(g.has(ofKind(kInt)), 6), func() string { return g.pickVar(ofKind(kInt)).name }},
		opt{w(g.has(ofKind(kPtrInt)), 2), func() string { return "*" + g.pickVar(ofKind(kPtrInt)).name }},
		opt{w(g.has(ofKind(kPtrPt)), 1), func() string { return g.pickVar(ofKind(kPtrPt)).name + ".A" }},
		opt{w(g.has(ofKind(kPt)), 2), func() string { return g.pickVar(ofKind(kPt)).name + ".A" }},
		opt{w(g.has(ofKind(kArr)), 1), func() string { return fmt.Sprintf("%s[%d]", g.pickVar(ofKind(kArr)).name, g.intn(4)) }},
		opt{w(g.has(ofKind(kSlice)), 1), func() string { return fmt.Sprintf("len(%s)", g.pickVar(ofKind(kSlice)).name) }},
		opt{w(g.has(ofKind(kMap)), 1), func() string {
			return fmt.Sprintf("%s[%q]", g.pickVar(ofKind(kMap)).name, []string{"a", "b", "c"}[g.intn(3)])
		}},
		opt{w(g.has(ofKind(kBox)), 1), func() string { return g.pickVar(ofKind(kBox)).name + ".n" }},
	)
}

func (g *gen) intExpr(c ctx, d int) string {
	if d <= 0 {
		return g.intAtom(c)
	}
	return g.choose(
		opt{6, func() string { return g.intAtom(c) }},
		opt{5, func() string {
			op := []string{"+", "-", "*", "+", "^", "|"}[g.intn(6)]
			return fmt.Sprintf("(%s %s %s%s)", g.intExpr(c, d-1), op, g.ic(), g.intExpr(c, d-1))
		}},
		opt{3, func() string {
			return fmt.Sprintf("trace(%q, %s%s%s)", g.id("t"), g.ic(), g.intExpr(c, d-1), g.icAfter())
		}},
		opt{w(c.waits, 6), func() string { return g.waitExpr(c, kInt, d-1) }},
		opt{1, func() string { return fmt.Sprintf("len(%s)", g.strExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("(%s).A", g.ptExpr(c, d-1)) }},
		opt{2, func() string { return g.indexExpr(c, d) }},
		opt{1, func() string { return fmt.Sprintf("int(int64(%s))", g.intExpr(c, d-1)) }},
		opt{2, func() string { return g.args("add", g.intExpr(c, d-1), g.intExpr(c, d-1)) }},
		opt{w(g.has(ofKind(kFunc)), 3), func() string {
			return fmt.Sprintf("%s(%s)", g.pickVar(ofKind(kFunc)).name, g.intExpr(c, d-1))
		}},
		opt{w(g.has(writable(kInt)) && g.f.Has(Pointers), 1), func() string {
			return fmt.Sprintf("bump(&%s, %s)", g.pickVar(writable(kInt)).name, g.intExpr(c, d-1))
		}},
		opt{w(g.has(ofKind(kPtrInt)), 1), func() string {
			return fmt.Sprintf("bump(%s, %s)", g.pickVar(ofKind(kPtrInt)).name, g.intExpr(c, d-1))
		}},
		opt{w(c.straight && g.has(g.recvable), 3), func() string {
			v := g.pickVar(g.recvable)
			v.count--
			return fmt.Sprintf("(<-%s)", v.name)
		}},
		opt{w(g.f.Has(Closures), 1), func() string {
			c2 := c
			c2.waits, c2.straight, c2.closure = false, false, true
			return fmt.Sprintf("func() int { return %s }()", g.intExpr(c2, d-1))
		}},
		opt{w(c.waits && c.straight && g.has(g.storedFut(kInt)), 4), func() string { return g.waitStored(kInt) }},
		opt{w(c.plain, 4), func() string { return g.plainCall(c, kInt, d-1) }},
		// Not split over lines (args): the line is the call's.
		opt{w(g.f.Has(Positions), 2), func() string { return fmt.Sprintf("at(%s, %s)", lineMark, g.intExpr(c, d-1)) }},
	)
}

func (g *gen) recvable(v *variable) bool { return v.k == kChan && v.count > 0 }

func (g *gen) storedFut(k kind) func(v *variable) bool {
	return func(v *variable) bool { return v.k == kFut && v.out == k && !v.waited }
}

func (g *gen) waitStored(k kind) string {
	v := g.pickVar(g.storedFut(k))
	v.waited = true
	return v.name + ".wait"
}

// indexExpr indexes an array or a slice with an in-range index.
func (g *gen) indexExpr(c ctx, d int) string {
	idx := fmt.Sprintf("(%s)&3", g.intExpr(c, d-1))
	if v := g.pickVarP(0.7, func(v *variable) bool { return v.k == kArr || v.k == kSlice }); v != nil {
		return fmt.Sprintf("%s[%s]", v.name, idx)
	}
	return fmt.Sprintf("%s[%s]", g.expr(c, []kind{kArr, kSlice}[g.intn(2)], d-1), idx)
}

func (g *gen) strAtom(c ctx) string {
	return g.choose(
		opt{3, func() string { return strLits[g.intn(len(strLits))] }},
		opt{6, func() string {
			if v := g.pickVar(ofKind(kString)); v != nil {
				return v.name
			}
			return `"s"`
		}},
		opt{w(g.has(ofKind(kPt)), 2), func() string { return g.pickVar(ofKind(kPt)).name + ".B" }},
		opt{w(g.has(ofKind(kPtrPt)), 1), func() string { return g.pickVar(ofKind(kPtrPt)).name + ".B" }},
		opt{w(g.has(ofKind(kBox)), 1), func() string { return g.pickVar(ofKind(kBox)).name + ".s" }},
	)
}

func (g *gen) strExpr(c ctx, d int) string {
	if d <= 0 {
		return g.strAtom(c)
	}
	return g.choose(
		opt{6, func() string { return g.strAtom(c) }},
		opt{4, func() string { return fmt.Sprintf("(%s + %s)", g.strExpr(c, d-1), g.strExpr(c, d-1)) }},
		opt{2, func() string { return fmt.Sprintf("trace(%q, %s)", g.id("t"), g.strExpr(c, d-1)) }},
		opt{w(c.waits, 6), func() string { return g.waitExpr(c, kString, d-1) }},
		opt{2, func() string { return fmt.Sprintf("itoa(%s)", g.intExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("fmt.Sprint(%s, %s)", g.intExpr(c, d-1), g.ptExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("(%s).B", g.ptExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("string([]byte(%s))", g.strExpr(c, d-1)) }},
		opt{w(c.waits && c.straight && g.has(g.storedFut(kString)), 4), func() string { return g.waitStored(kString) }},
		opt{w(c.plain, 3), func() string { return g.plainCall(c, kString, d-1) }},
	)
}

func (g *gen) ptExpr(c ctx, d int) string {
	atom := func() string {
		if v := g.pickVarP(0.7, ofKind(kPt)); v != nil {
			return v.name
		}
		if v := g.pickVarP(0.5, ofKind(kPtrPt)); v != nil {
			return "*" + v.name
		}
		return fmt.Sprintf("(pt{%s, %s})", g.lit(), strLits[g.intn(len(strLits))])
	}
	if d <= 0 {
		return atom()
	}
	return g.choose(
		opt{4, atom},
		opt{3, func() string { return fmt.Sprintf("(pt{A: %s, B: %s})", g.intExpr(c, d-1), g.strExpr(c, d-1)) }},
		opt{2, func() string { return fmt.Sprintf("(pt{%s, %s})", g.intExpr(c, d-1), g.strExpr(c, d-1)) }},
		opt{2, func() string { return fmt.Sprintf("mkpt(%s, %s)", g.intExpr(c, d-1), g.strExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("trace(%q, %s)", g.id("t"), g.ptExpr(c, d-1)) }},
		opt{w(c.waits, 5), func() string { return g.waitExpr(c, kPt, d-1) }},
		opt{w(c.waits && c.straight && g.has(g.storedFut(kPt)), 4), func() string { return g.waitStored(kPt) }},
		opt{w(c.plain, 3), func() string { return g.plainCall(c, kPt, d-1) }},
	)
}

func (g *gen) boolExpr(c ctx, d int) string {
	if d <= 0 {
		return g.choose(
			opt{1, func() string { return []string{"true", "false"}[g.intn(2)] }},
			opt{4, func() string { return fmt.Sprintf("(%s < %s)", g.intAtom(c), g.intAtom(c)) }},
			opt{2, func() string { return fmt.Sprintf("(%s&1 == 0)", g.intAtom(c)) }},
			opt{1, func() string { return fmt.Sprintf("(%s == %s)", g.strAtom(c), g.strAtom(c)) }},
			opt{w(g.has(ofKind(kBool)), 2), func() string { return g.pickVar(ofKind(kBool)).name }},
		)
	}
	// The right of && and || may not run: no wait there without
	// ShortCircuitWaits, and never code that must run exactly once.
	right := c
	right.straight = false
	right.waits = c.waits && g.f.Has(ShortCircuitWaits)
	return g.choose(
		opt{3, func() string {
			op := []string{"<", "<=", "==", "!=", ">"}[g.intn(5)]
			return fmt.Sprintf("(%s %s %s)", g.intExpr(c, d-1), op, g.intExpr(c, d-1))
		}},
		opt{2, func() string { return fmt.Sprintf("((%s)&1 == 0)", g.intExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("(%s == %s)", g.strExpr(c, d-1), g.strExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("(%s == %s)", g.ptExpr(c, d-1), g.ptExpr(c, d-1)) }},
		opt{1, func() string { return fmt.Sprintf("!%s", g.boolExpr(c, d-1)) }},
		opt{3, func() string {
			op := []string{"&&", "||"}[g.intn(2)]
			return fmt.Sprintf("(%s %s %s%s)", g.boolExpr(c, d-1), op, g.ic(), g.boolExpr(right, d-1))
		}},
		opt{1, func() string { return fmt.Sprintf("trace(%q, %s)", g.id("t"), g.boolExpr(c, d-1)) }},
		opt{w(c.waits, 2), func() string {
			return fmt.Sprintf("after(%q, %d, %s).wait", g.id("w"), g.intn(4), g.boolExpr(c, d-1))
		}},
	)
}

// callee returns a coroutine with result k that the current one may call
// here, within the weight budget, or nil.
func (g *gen) callee(c ctx, k kind) *coro {
	return g.calleeWhere(c, func(co *coro) bool { return co.result == k })
}

// calleeWhere returns a coroutine for which ok is true that the current
// one may call here, within the weight budget, or nil.
func (g *gen) calleeWhere(c ctx, ok func(co *coro) bool) *coro {
	var cands []*coro
	for _, co := range g.coros {
		if co.idx <= g.cur.idx || g.cur.name == "main" || !ok(co) || co.weight == 0 {
			continue
		}
		if g.cur.weight+c.mult*co.weight > maxWeight {
			continue
		}
		cands = append(cands, co)
	}
	if len(cands) == 0 {
		return nil
	}
	co := cands[g.intn(len(cands))]
	g.cur.weight += c.mult * co.weight
	co.called = true
	return co
}

// waitExpr returns an expression X.wait of kind k: a leaf future, a call
// of another coroutine, a generic coroutine, runtime.Ready, or boom.
func (g *gen) waitExpr(c ctx, k kind, d int) string {
	leaf := func() string {
		return fmt.Sprintf("after(%q, %d, %s%s)%s.wait", g.id("w"), g.intn(4), g.ic(), g.expr(c, k, d), g.icAfter())
	}
	co := g.callee(c, k)
	return g.choose(
		opt{5, leaf},
		opt{w(co != nil, 6), func() string { return g.callExpr(c, co) + ".wait" }},
		opt{w(g.f.Has(Generics) && k != kNone, 2), func() string {
			targ := ""
			if g.chance(0.5) {
				targ = "[" + k.goType() + "]"
			}
			return fmt.Sprintf("gpass%s(%q, %d, %s).wait", targ, g.id("g"), g.intn(3), g.expr(c, k, d))
		}},
		opt{w(g.f.Has(Generics) && (k == kInt || k == kString), 2), func() string {
			return fmt.Sprintf("gsum(%s, %s).wait", g.expr(c, k, d), g.expr(c, k, d))
		}},
		opt{1, func() string { return fmt.Sprintf("runtime.Ready(%s).wait", g.expr(c, k, d)) }},
		opt{w(g.f.Has(Unevaluated) && !g.plain && k != kNone, 1), func() string {
			return fmt.Sprintf("nest[%s](after(%q, %d, %s)).wait.wait", k.goType(), g.id("w"), g.intn(3), g.expr(c, k, d))
		}},
		opt{w(k == kInt && g.cur.recovers && g.cur.weight+c.mult <= maxWeight, 2), func() string {
			g.cur.weight += c.mult
			return fmt.Sprintf("boom(%s).wait", g.intExpr(c, d))
		}},
		opt{w(k == kString && g.f.Has(LocalTypes|Generics), 2), func() string {
			v := g.expr(c, []kind{kInt, kString, kPt}[g.intn(3)], d)
			return fmt.Sprintf("gcell(%q, %s).wait", g.id("g"), v)
		}},
	)
}

// target returns an assignable expression of kind k, or "".
func (g *gen) target(c ctx, k kind) string {
	var opts []opt
	add := func(weight int, f func() string) { opts = append(opts, opt{weight, f}) }
	if g.has(writable(k)) {
		add(6, func() string { return g.pickVar(writable(k)).name })
	}
	switch k {
	case kInt:
		if g.has(ofKind(kPtrInt)) {
			add(3, func() string { return "*" + g.pickVar(ofKind(kPtrInt)).name })
		}
		if g.has(writable(kPt)) {
			add(2, func() string { return g.pickVar(writable(kPt)).name + ".A" })
		}
		if g.has(ofKind(kPtrPt)) {
			add(2, func() string { return g.pickVar(ofKind(kPtrPt)).name + ".A" })
		}
		if g.has(writable(kArr)) {
			add(2, func() string {
				v := g.pickVar(writable(kArr))
				return fmt.Sprintf("%s[(%s)&3]", v.name, g.intExpr(c, 1))
			})
		}
		if g.has(ofKind(kSlice)) {
			add(2, func() string {
				v := g.pickVar(ofKind(kSlice))
				return fmt.Sprintf("%s[(%s)&3]", v.name, g.intExpr(c, 1))
			})
		}
		if g.has(ofKind(kMap)) {
			add(2, func() string {
				v := g.pickVar(ofKind(kMap))
				return fmt.Sprintf("%s[%s]", v.name, g.strExpr(c, 1))
			})
		}
		add(1, func() string { return g.pickVar(ofKind(kBox)).name + ".n" })
	case kString:
		if g.has(writable(kPt)) {
			add(2, func() string { return g.pickVar(writable(kPt)).name + ".B" })
		}
		if g.has(ofKind(kPtrPt)) {
			add(1, func() string { return g.pickVar(ofKind(kPtrPt)).name + ".B" })
		}
		add(1, func() string { return g.pickVar(ofKind(kBox)).name + ".s" })
	case kPt:
		if g.has(ofKind(kPtrPt)) {
			add(2, func() string { return "*" + g.pickVar(ofKind(kPtrPt)).name })
		}
	}
	if len(opts) == 0 {
		return ""
	}
	return g.choose(opts...)
}

func joinExprs(xs []string) string { return strings.Join(xs, ", ") }

// ic returns, with InlineComments, sometimes a /* */ comment to put
// before an operand; else "".
func (g *gen) ic() string {
	if !g.f.Has(InlineComments) || !g.chance(0.15) {
		return ""
	}
	g.comments++
	return fmt.Sprintf("/* c%d */ ", g.comments)
}

// icAfter is ic, for after an operand.
func (g *gen) icAfter() string {
	if c := g.ic(); c != "" {
		return " " + strings.TrimSpace(c)
	}
	return ""
}

// args returns the call of f with args: with InlineComments, sometimes
// with comments between them; with InlineComments or Positions,
// sometimes on lines of their own, a comma after the last (and, with
// InlineComments, a // comment after the first).
func (g *gen) args(f string, args ...string) string {
	if (g.f.Has(InlineComments) || g.f.Has(Positions)) && g.chance(0.1) {
		var b strings.Builder
		b.WriteString(f + "(\n")
		for i, a := range args {
			fmt.Fprintf(&b, "%s,", a)
			if i == 0 && g.f.Has(InlineComments) {
				g.comments++
				fmt.Fprintf(&b, " // c%d", g.comments)
			}
			b.WriteString("\n")
		}
		b.WriteString(")")
		return b.String()
	}
	for i, a := range args {
		args[i] = g.ic() + a
	}
	return f + "(" + strings.Join(args, ", ") + g.icAfter() + ")"
}
