package randprog

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"sync"

	"github.com/corofy/corofy/transform"
)

// The shape features of local declarations and package-level names
// (ConstNames, LocalTypeScopes, LocalFuncTypes, PackageReservedNames):
// each shape below is one the transform once got wrong (the e2e case
// named at each). As in shapes.go, they draw random numbers only when
// their feature is on.

// constNamesSrc is in the programs of ConstNames: package-level
// constants that local constant blocks redeclare from themselves
// (const ( kbase = kbase + kbase; next )).
const constNamesSrc = `// kbase and kword are package-level constants that local constant
// blocks redeclare in terms of themselves.
const (
	kbase = 3
	kword = "ab"
)

`

// nest writes f's code where c is, or in a bare block, or in the body of
// a loop that waits at each of its two iterations (so that what f
// declares is declared again at each): the shapes in nested blocks and in
// loops that wait.
func (g *gen) nest(c ctx, f func(c ctx)) {
	switch {
	case g.chance(0.2):
		b := c
		b.depth++
		g.line("{")
		g.ind++
		g.push()
		f(b)
		g.popSilently()
		g.ind--
		g.line("}")
	case c.mult <= 3 && c.waits && g.chance(0.25):
		body := c
		body.straight = false
		body.mult *= 2
		body.loop, body.brk = true, true
		body.depth++
		i := g.local("i")
		g.line("for %s := range 2 {", i)
		g.ind++
		g.push()
		g.line("fmt.Println(%q, %s, %s)", g.id("iter"), i, g.waitExpr(body, kInt, 1))
		f(body)
		g.popSilently()
		g.ind--
		g.line("}")
	default:
		f(c)
	}
}

// ConstNames (testdata/e2e/constnames.txtar, constvalues.txtar).

// constNames writes a constant block that uses its own names, runes
// written by value, or float and complex constants from len of a local
// array, and uses them after waits.
func (g *gen) constNames(c ctx) {
	g.nest(c, func(c ctx) {
		switch g.intn(4) {
		case 0:
			g.constIota(c)
		case 1:
			g.constSelf(c)
		case 2:
			g.constRunes(c)
		default:
			g.constFloats(c)
		}
	})
}

// constIota redeclares iota in a constant block (Go's test/const8.go):
// the specs after it that repeat the expression implicitly mean the
// local iota, and so does a later block.
func (g *gen) constIota(c ctx) {
	if g.names["iota"] {
		g.constSelf(c)
		return
	}
	g.names["iota"] = true
	var names []string
	g.line("const (")
	g.ind++
	// The local iota is small and not negative (a later 1 << iota, of
	// DeclBlocks, stays a valid shift).
	first := []string{"iota", "iota * %d", "iota + %d", "%d + iota*2"}[g.intn(4)]
	if strings.Contains(first, "%d") {
		first = fmt.Sprintf(first, 1+g.intn(5))
	}
	a := g.local("k")
	g.line("%s = %s", a, first)
	names = append(names, a)
	if g.chance(0.5) {
		b := g.local("k")
		g.line("%s", b)
		names = append(names, b)
	}
	self := []string{"iota", "iota + %d", "iota * 2"}[g.intn(3)]
	if strings.Contains(self, "%d") {
		self = fmt.Sprintf(self, g.intn(4))
	}
	g.line("iota = %s", self)
	for i, n := 0, 1+g.intn(3); i < n; i++ {
		b := g.local("k")
		g.line("%s", b)
		names = append(names, b)
	}
	if g.chance(0.4) {
		b := g.local("k")
		g.line("%s = iota * 10", b)
		names = append(names, b)
	}
	g.ind--
	g.line(")")
	g.waitStmt(c)
	g.line("fmt.Println(%q, %s, iota)", g.id("iota"), strings.Join(names, ", "))
	if g.chance(0.5) {
		x, y := g.local("k"), g.local("k")
		g.line("const (")
		g.line("\t%s = iota + %d", x, g.intn(5))
		g.line("\t%s", y)
		g.line(")")
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s, %s, %s+%s)", g.id("iota"), x, y, names[g.intn(len(names))], g.waitOr(c, kInt))
	}
	g.constLoop(c, names)
}

// constLoop runs a loop that waits, bounded by one of the constants,
// and adds up the others.
func (g *gen) constLoop(c ctx, names []string) {
	if !c.waits || c.mult > 3 || !g.chance(0.5) {
		return
	}
	i, acc := g.local("i"), g.local("acc")
	g.line("%s := 0", acc)
	g.line("for %s := 0; %s < (%s)&3; %s++ {", i, i, names[g.intn(len(names))], i)
	g.line("\t%s += %s * after(%q, %d, %s+1).wait", acc, names[g.intn(len(names))], g.id("w"), g.intn(3), i)
	g.line("}")
	g.line("fmt.Println(%q, %s)", g.id("acc"), acc)
}

// constSelf redeclares a constant in terms of itself (Go's
// test/const8.go: const ( X = X + X; Y )): the package's kbase or kword,
// or an outer local constant in a nested block; the specs after it
// repeat the expression with the local one.
func (g *gen) constSelf(c ctx) {
	str := g.chance(0.3)
	name, outer := "kbase", ""
	if str {
		name = "kword"
	}
	nested := g.names[name] || g.chance(0.5)
	if g.chance(0.5) { // an outer local constant
		name = g.local("k")
		if str {
			outer = g.strLit()
		} else {
			outer = fmt.Sprint(1 + g.intn(5))
		}
		g.line("const %s = %s", name, outer)
		nested = true
	}
	if nested {
		g.line("{")
		g.ind++
	} else {
		g.names[name] = true
	}
	var self string
	if str {
		self = []string{"%s + %s", "%s + \"-\"", "\"<\" + %s"}[g.intn(3)]
	} else {
		self = []string{"%s + %s", "%s*2 + 1", "%s - 1"}[g.intn(3)]
	}
	if strings.Count(self, "%s") == 2 {
		self = fmt.Sprintf(self, name, name)
	} else {
		self = fmt.Sprintf(self, name)
	}
	rest := []string{}
	g.line("const (")
	g.ind++
	if g.chance(0.3) {
		b := g.local("k")
		g.line("%s = iota", b)
		rest = append(rest, b)
	}
	g.line("%s = %s", name, self)
	for i, n := 0, 1+g.intn(2); i < n; i++ {
		b := g.local("k")
		g.line("%s", b)
		rest = append(rest, b)
	}
	if !str && g.chance(0.5) {
		b := g.local("k")
		g.line("%s = %s + iota", b, name)
		rest = append(rest, b)
	}
	g.ind--
	g.line(")")
	g.waitStmt(c)
	all := append([]string{name}, rest...)
	if str {
		g.line("fmt.Println(%q, %s, len(%s)+%s)", g.id("self"), strings.Join(all, ", "), name, g.waitOr(c, kInt))
	} else {
		g.line("fmt.Println(%q, %s, %s+%s)", g.id("self"), strings.Join(all, ", "), name, g.waitOr(c, kInt))
		if !nested {
			g.constLoop(c, []string{name})
		}
	}
	if nested {
		g.ind--
		g.line("}")
		g.line("fmt.Println(%q, %s)", g.id("outer"), name)
	}
}

// runeLits are rune constant expressions (untyped runes).
var runeLits = []string{`'x'`, `'\n'`, `'é'`, `'a' * 1000000`, `'\x00' + 'q'`, `'日'`, `'z' - 'a'`}

// constRunes declares a block that reads len of a local array, so that
// it is written by value, with untyped and typed rune constants, and
// prints their values and types after a wait.
func (g *gen) constRunes(c ctx) {
	arr, n := g.local("arr"), g.local("n")
	g.line("var %s [%d]int", arr, 1+g.intn(5))
	g.line("const (")
	g.ind++
	g.line("%s = len(%s)", n, arr)
	var names, runes []string // runes: not the bytes
	for i, m := 0, 2+g.intn(3); i < m; i++ {
		r := g.local("r")
		switch g.intn(5) {
		case 0, 1:
			g.line("%s = %s", r, runeLits[g.intn(len(runeLits))])
			runes = append(runes, r)
		case 2:
			g.line("%s rune = %s", r, runeLits[g.intn(len(runeLits))])
			runes = append(runes, r)
		case 3:
			g.line("%s = rune(%s) + 'a'", r, n)
			runes = append(runes, r)
		default:
			g.line("%s byte = 'b' + byte(%s)", r, n)
		}
		names = append(names, r)
	}
	g.ind--
	g.line(")")
	if g.chance(0.5) {
		g.line("%s[0] = %s", arr, g.waitOr(c, kInt))
	} else {
		g.waitStmt(c)
	}
	var verbs, args []string
	for _, r := range append([]string{n}, names...) {
		verbs = append(verbs, "%v %T")
		args = append(args, r, r)
	}
	q := names[g.intn(len(names))]
	g.line("fmt.Printf(%q, %q, %s, %s, %s)", "%s "+strings.Join(verbs, " ")+" %q %v\n", g.id("runes"), strings.Join(args, ", "), q, arr)
	sum := "'a'"
	if len(runes) > 0 {
		sum = runes[g.intn(len(runes))]
	}
	g.line("fmt.Println(%q, string(rune(%s)), %s+rune(%s))", g.id("runes"), names[g.intn(len(names))], sum, g.waitOr(c, kInt))
}

// constFloats declares float and complex constants computed from len of
// a local array (written at package level by their exact value), some in
// a block whose specs repeat len(arr) with iota, and prints their values,
// types and bits after a wait.
func (g *gen) constFloats(c ctx) {
	arr := g.local("arr")
	g.line("var %s [%d]int", arr, 1+g.intn(6))
	l := fmt.Sprintf("len(%s)", arr)
	forms := []struct{ expr, typ string }{
		{"float64(%s) / %d", "float64"},
		{"float32(%s) / %d", "float32"},
		{"complex(float64(%s), -float64(%s)/%d)", "complex128"},
		{"float64(%s) * 1e300 / %d", "float64"},
		{"float64(%s) / 1e30 * %d", "float64"},
		{"%s * -%d", "int"},
		{"complex64(complex(float32(%s)/%d, 1))", "complex64"},
	}
	var names []string
	var typs []string
	for i, m := 0, 2+g.intn(3); i < m; i++ {
		f := forms[g.intn(len(forms))]
		d := 3 + g.intn(8)
		var e string
		if strings.Count(f.expr, "%s") == 2 {
			e = fmt.Sprintf(f.expr, l, l, d)
		} else {
			e = fmt.Sprintf(f.expr, l, d)
		}
		name := g.local("f")
		g.line("const %s = %s", name, e)
		names = append(names, name)
		typs = append(typs, f.typ)
	}
	if g.chance(0.5) { // a block whose specs repeat len(arr) with iota
		a, b := g.local("f"), g.local("f")
		g.line("const (")
		g.line("\t%s = float64(%s) / float64(iota+%d)", a, l, 2+g.intn(5))
		g.line("\t%s", b)
		g.line(")")
		names = append(names, a, b)
		typs = append(typs, "float64", "float64")
	}
	g.waitStmt(c)
	var verbs []string
	for range names {
		verbs = append(verbs, "%v %T")
	}
	var args []string
	for _, n := range names {
		args = append(args, n, n)
	}
	g.line("fmt.Printf(%q, %q, %s)", "%s "+strings.Join(verbs, " ")+"\n", g.id("floats"), strings.Join(args, ", "))
	// The bits of a float32 constant and a run-time product with a wait.
	for i, n := range names {
		switch typs[i] {
		case "float32", "float64":
			g.line("fmt.Printf(%q, %q, %s, %s*%s(%s))", "%s %b %v\n", g.id("bits"), n, n, typs[i], g.waitOr(c, kInt))
			return
		case "complex128", "complex64":
			g.line("fmt.Println(%q, real(%s), imag(%s), %s*%s(complex(float64(%s), 0)))", g.id("cx"), n, n, n, typs[i], g.waitOr(c, kInt))
			return
		}
	}
}

// LocalTypeScopes (testdata/e2e/localscope.txtar, embedlocal.txtar).

// sameNameTypes are pairs of underlying types that sibling blocks give
// a type of the same name, with a value of each: all comparable, so the
// two structs that embed them can be compared.
var sameNameTypes = []struct{ decl, val string }{
	{"= int32", "%s(%s)"},
	{"= uint32", "%s(%s)"},
	{"int", "%s(%s)"},
	{"int8", "%s(%s&63)"},
	{"string", "%s(itoa(%s))"},
	{"struct{ n int }", "%s{%s}"},
	{"[2]int", "%s{%s, 1}"},
	{"= pt", "%s{A: %s}"},
}

// localTypeScope writes sibling blocks that each declare a type of the
// same name, or a local type embedded in a local struct.
func (g *gen) localTypeScope(c ctx) {
	g.nest(c, func(c ctx) {
		if g.chance(0.5) {
			g.siblingTypes(c)
		} else {
			g.embedLocal(c)
		}
	})
}

// siblingTypes writes two sibling blocks (bare blocks, or the branches
// of an if or a switch) that each declare a type of the same name with
// different underlying types, embedded in a struct stored in an any
// (Go's test/fixedbugs/issue50190.go); waits around them, the values
// printed and compared after a wait. Sometimes the blocks wait between
// the declaration and the embedding: the types are then declared at
// package level, under other names (both are C in the coroutine), which
// %T would show, so it is not printed.
func (g *gen) siblingTypes(c ctx) {
	tn := g.typeName("C")
	x, y, v := g.local("x"), g.local("y"), g.local("v")
	g.line("var %s, %s any", x, y)
	g.line("%s := %s", v, g.waitOr(c, kInt))
	perm := g.r.Perm(len(sameNameTypes))
	waitIn := c.waits && g.chance(0.4)
	// one declares the type, with the underlying type of the perm[i]th
	// pair, and stores a struct embedding it in each target.
	one := func(i int, targets ...string) {
		t := sameNameTypes[perm[i]]
		g.line("type %s %s", tn, t.decl)
		if waitIn {
			g.waitStmt(c)
		}
		for _, target := range targets {
			val := fmt.Sprintf(t.val, tn, v)
			switch g.intn(3) {
			case 0:
				g.line("%s = struct{ %s }{%s}", target, tn, val)
			case 1:
				g.line("%s = struct {\n%s\nk int\n}{%s, %s}", target, tn, val, g.intLit())
			default:
				g.line("%s = struct {\nname string\n%s\n}{%s, %s}", target, tn, g.strLit(), val)
			}
		}
	}
	switch g.intn(3) {
	case 0: // bare blocks
		g.line("{")
		g.ind++
		one(0, x)
		g.ind--
		g.line("}")
		if g.chance(0.5) {
			g.waitStmt(c)
		}
		g.line("{")
		g.ind++
		one(1, y)
		g.ind--
		g.line("}")
	case 1: // the branches of an if
		g.line("if %s&1 == %d {", v, g.intn(2))
		g.ind++
		one(0, x, y)
		g.ind--
		g.line("} else {")
		g.ind++
		one(1, x)
		g.ind--
		g.line("}")
		g.line("{")
		g.ind++
		one(2, y)
		g.ind--
		g.line("}")
	default: // the clauses of a switch, and a block
		g.line("switch %s & 1 {", v)
		g.line("case 0:")
		g.ind++
		one(0, x)
		g.ind--
		g.line("default:")
		g.ind++
		one(1, x)
		g.ind--
		g.line("}")
		g.line("{")
		g.ind++
		one(2, y)
		g.ind--
		g.line("}")
	}
	g.waitStmt(c)
	if waitIn {
		g.line("fmt.Println(%q, %s == %s, %s, %s)", g.id("sib"), x, y, x, y)
		return
	}
	g.line("fmt.Println(%q, %s == %s, tname(%s), tname(%s), %s, %s)", g.id("sib"), x, y, x, y, x, y)
}

// embedLocal declares a local type and a local struct that embeds it
// (its field named after it, Go's test/fixedbugs/issue24547.go), with
// fields set from waits and promoted fields and methods used after one.
func (g *gen) embedLocal(c ctx) {
	inner, outer, v := g.typeName("deep"), g.typeName("wrap"), g.local("v")
	anon := g.chance(0.3) // the outer struct is a type literal
	outerT := outer
	switch g.intn(3) {
	case 0: // a struct embedding ctr: its methods promoted twice
		g.line("type %s struct {", inner)
		g.line("\tctr")
		g.line("\tk int")
		g.line("}")
		if anon {
			outerT = fmt.Sprintf("struct {\n%s\nk2 int\n}", inner)
		} else {
			g.line("type %s struct {", outer)
			g.line("\t%s", inner)
			g.line("\tk2 int")
			g.line("}")
		}
		g.line("%s := %s{%s{ctr{name: %s}, %s}, %s}", v, outerT, inner, g.strLit(), g.waitOr(c, kInt), g.intLit())
		g.line("%s.k2 += %s.add(%s)", v, v, g.waitOr(c, kInt))
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.add(%s), %s.n, %s.name, %s.k, %s.%s.k, %s.k2, %s.String(), %s, tname(%s))",
			g.id("embed"), v, g.waitOr(c, kInt), v, v, v, v, inner, v, v, v, v)
	case 1: // a named int embedded: the field is named after the type
		g.line("type %s int", inner)
		if anon {
			outerT = fmt.Sprintf("struct {\n%s\nname string\n}", inner)
		} else {
			g.line("type %s struct {", outer)
			g.line("\t%s", inner)
			g.line("\tname string")
			g.line("}")
		}
		g.line("%s := %s{%s(%s), %s}", v, outerT, inner, g.waitOr(c, kInt), g.strLit())
		g.line("%s.%s += %s(%s)", v, inner, inner, g.waitOr(c, kInt))
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.%s, %s.name, %s, tname(%s), tname(%s.%s))", g.id("embed"), v, inner, v, v, v, v, inner)
	default: // a struct of fields, promoted, and a pointer to it embedded
		g.line("type %s struct{ x, y int }", inner)
		star := ""
		if g.chance(0.5) {
			star = "*"
		}
		if anon {
			outerT = fmt.Sprintf("struct {\n%s%s\ns string\n}", star, inner)
		} else {
			g.line("type %s struct {", outer)
			g.line("\t%s%s", star, inner)
			g.line("\ts string")
			g.line("}")
		}
		amp := map[string]string{"*": "&", "": ""}[star]
		g.line("%s := %s{%s%s{x: %s}, %s}", v, outerT, amp, inner, g.waitOr(c, kInt), g.strLit())
		g.line("%s.y = %s.x + %s", v, v, g.waitOr(c, kInt))
		g.waitStmt(c)
		field := v + "." + inner
		if star != "" {
			field = "*" + field
		}
		g.line("fmt.Println(%q, %s.x, %s.y, %s, %s.s, tname(%s))", g.id("embed"), v, v, field, v, v)
	}
}

// LocalFuncTypes (testdata/e2e/localfunctype.txtar).

// paramNames are the parameter and result names of local func types:
// some are the transform's own names.
var paramNames = []string{"depth", "name", "n", "s", "state", "ready", "w", "c", "x", "tag", "a", "b"}

// localFuncType declares a local func type with named parameters and
// results (type visit func(depth int, name string) (ok bool)), values of
// it (literals, some closing over a local, some in a local struct type
// or a slice) kept across waits and called, in loops that wait too.
func (g *gen) localFuncType(c ctx) {
	g.nest(c, func(c ctx) {
		tn := g.typeName("visit")
		perm := g.r.Perm(len(paramNames))
		p1, p2, r1, r2 := paramNames[perm[0]], paramNames[perm[1]], paramNames[perm[2]], paramNames[perm[3]]
		// body is the literal's body; args, the arguments of a call
		// after its first, an int that may wait.
		var sig, body, args string
		switch g.intn(4) {
		case 0:
			sig = fmt.Sprintf("func(%s int, %s string) (%s int)", p1, p2, r1)
			body = fmt.Sprintf("%s = %s*%d + len(%s); return", r1, p1, 1+g.intn(5), p2)
			args = ", " + g.strLit()
		case 1:
			sig = fmt.Sprintf("func(%s, %s int) (%s int, %s string)", p1, p2, r1, r2)
			body = fmt.Sprintf("return %s - %s, itoa(%s) + %q", p1, p2, p2, "!")
			args = ", " + g.intLit()
		case 2:
			sig = fmt.Sprintf("func(%s int, %s ...int) (%s int)", p1, p2, r1)
			body = fmt.Sprintf("for _, v := range %s { %s += v }; %s += %s; return", p2, r1, r1, p1)
			args = fmt.Sprintf(", %s, %s", g.intLit(), g.intLit())
		default:
			sig = fmt.Sprintf("func(%s int) int", p1)
			body = fmt.Sprintf("return %s * %d", p1, 2+g.intn(5))
		}
		params := strings.TrimPrefix(sig, "func")
		// call is a call of f, its results in one string (a call with
		// two results is Sprint's only argument).
		call := func(f string, c ctx) string {
			return fmt.Sprintf("fmt.Sprint(%s(%s%s))", f, g.waitOr(c, kInt), args)
		}
		g.line("type %s %s", tn, sig)
		f := g.local("f")
		switch g.intn(3) {
		case 0:
			g.line("%s := %s(func%s { %s })", f, tn, params, body)
		case 1:
			g.line("var %s %s = func%s { %s }", f, tn, params, body)
		default: // a closure over a local counter, which the calls change
			cnt := g.id("cnt") // not a parameter's name
			g.names[cnt] = true
			g.line("%s := %s", cnt, g.waitOr(c, kInt))
			counted := strings.Replace(body, "return", fmt.Sprintf("%s++; fmt.Println(%q, %s); return", cnt, g.id("calls"), cnt), 1)
			g.line("%s := %s(func%s { %s })", f, tn, params, counted)
			defer g.line("fmt.Println(%q, %s)", g.id("cnt"), cnt)
		}
		g.waitStmt(c)
		switch g.intn(3) {
		case 0:
			g.line("fmt.Println(%q, %s)", g.id("call"), call(f, c))
		case 1: // in a local struct type, with a field named like a parameter
			st, r := g.typeName("hook"), g.local("h")
			g.line("type %s struct {", st)
			g.line("\tfn %s", tn)
			g.line("\t%s int", p1)
			g.line("}")
			g.line("%s := %s{%s, %s}", r, st, f, g.waitOr(c, kInt))
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s.%s, %s)", g.id("call"), r, p1, call(r+".fn", c))
		default: // a slice of them, called in a loop that waits
			fs, i, h := g.local("fs"), g.local("i"), g.local("h")
			g.line("%s := []%s{%s, func%s { %s }}", fs, tn, f, params, body)
			loop := c
			loop.straight = false
			loop.mult *= 2
			loop.depth++
			g.line("for %s, %s := range %s {", i, h, fs)
			g.ind++
			g.line("fmt.Println(%q, %s, %s)", g.id("call"), i, call(h, loop))
			g.ind--
			g.line("}")
		}
	})
}

// PackageReservedNames.

// fixedSources are the package-level code the generator writes besides
// the random code: their names are taken at package level.
var fixedSources = []string{prelude, genericsSrc, boomSrc, tnameSrc, ctrSrc, gcellSrc, tickSrc, shadowSrc,
	coroutineIdentSrc, accSrc, setStrSrc, genericProbeSrc, constNamesSrc, flagSrc, stopSrc, nestSrc, string(helpers)}

// packageTaken returns the names the fixed sources declare at package
// level and the names they import.
var packageTaken = sync.OnceValue(func() map[string]bool {
	taken := map[string]bool{"main": true}
	fset := token.NewFileSet()
	for _, src := range fixedSources {
		if !strings.HasPrefix(src, "package ") {
			src = "package main\n\n" + src
		}
		src = coroutineRE.ReplaceAllString(src, "func ")
		f, err := parser.ParseFile(fset, "fixed.go", src, 0)
		if err != nil {
			panic(fmt.Sprintf("randprog: a fixed source does not parse: %v", err))
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			taken[path[strings.LastIndex(path, "/")+1:]] = true
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					taken[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						taken[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							taken[n.Name] = true
						}
					}
				}
			}
		}
	}
	return taken
})

// packageReservedNames returns the names of transform.ReservedNames()
// that a package-level declaration can have: not predeclared (corofy
// refuses those by design), not taken by the fixed sources, not an
// import's name.
func packageReservedNames() []string {
	var out []string
	for _, name := range transform.ReservedNames() {
		if token.IsIdentifier(name) && types.Universe.Lookup(name) == nil && !packageTaken()[name] {
			out = append(out, name)
		}
	}
	return out
}

// pkgDecl is a package-level declaration named like a generated name.
type pkgDecl struct {
	name string
	kind int // pkgVarInt, ...
}

const (
	pkgVarInt = iota
	pkgVarStr
	pkgFunc
	pkgType
	pkgConst
	pkgKinds
)

// packageReserved chooses the package-level declarations of
// PackageReservedNames and writes them.
func (g *gen) packageReserved(out *bytes.Buffer) {
	names := packageReservedNames()
	perm := g.r.Perm(len(names))
	n := min(len(names), 4+g.intn(6))
	out.WriteString("// Package-level declarations named like the transform's own names.\n")
	for _, i := range perm[:n] {
		d := &pkgDecl{name: names[i], kind: g.intn(pkgKinds)}
		g.pkgDecls = append(g.pkgDecls, d)
		switch d.kind {
		case pkgVarInt:
			fmt.Fprintf(out, "var %s = %d\n\n", d.name, g.intn(10))
		case pkgVarStr:
			fmt.Fprintf(out, "var %s = %s\n\n", d.name, g.strLit())
		case pkgFunc:
			fmt.Fprintf(out, "func %s(x int) int {\n\tfmt.Println(%q, x)\n\treturn x*2 + %d\n}\n\n", d.name, "func "+d.name, g.intn(5))
		case pkgType:
			fmt.Fprintf(out, "type %s struct {\n\tn int\n\ts string\n}\n\n", d.name)
		default:
			fmt.Fprintf(out, "const %s = %d\n\n", d.name, 1+g.intn(9))
		}
	}
}

// pkgReservedUse uses, in a coroutine, a package-level declaration named
// like a generated name that no local of the function hides, across
// waits.
func (g *gen) pkgReservedUse(c ctx) {
	if len(g.pkgDecls) == 0 {
		return
	}
	g.nest(c, func(c ctx) {
		var free []*pkgDecl
		for _, d := range g.pkgDecls {
			if !g.names[d.name] {
				free = append(free, d)
			}
		}
		if len(free) == 0 {
			g.print(c)
			return
		}
		d := free[g.intn(len(free))]
		// Its locals have fresh names: a tricky one could hide it.
		fresh := func(prefix string) string {
			name := g.id(prefix)
			g.names[name] = true
			return name
		}
		switch d.kind {
		case pkgVarInt:
			x := fresh("x")
			g.line("%s := %s + %s", x, d.name, g.waitOr(c, kInt))
			g.line("%s += %s", d.name, g.waitOr(c, kInt))
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s, %s, %s*2)", g.id("pkg"), d.name, x, d.name)
		case pkgVarStr:
			g.line("%s = clip(%s + %s)", d.name, d.name, g.waitOr(c, kString))
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s, len(%s))", g.id("pkg"), d.name, d.name)
		case pkgFunc:
			f := fresh("f")
			g.line("%s := %s", f, d.name)
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s(%s), %s(%s))", g.id("pkg"), d.name, g.waitOr(c, kInt), f, g.intLit())
		case pkgType:
			v := fresh("v")
			g.line("%s := %s{n: %s}", v, d.name, g.waitOr(c, kInt))
			g.line("%s.s = %s", v, g.waitOr(c, kString))
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s, %s{s: %q}, tname(%s))", g.id("pkg"), v, d.name, "lit", v)
		default:
			x := fresh("x")
			g.line("%s := %s * %s", x, d.name, g.waitOr(c, kInt))
			g.waitStmt(c)
			g.line("fmt.Println(%q, %s, %s+%s)", g.id("pkg"), x, d.name, g.waitOr(c, kInt))
		}
	})
}

// pkgReservedGlobals prints, at the end of main, the package-level vars
// named like generated names.
func (g *gen) pkgReservedGlobals() {
	for _, d := range g.pkgDecls {
		if d.kind == pkgVarInt || d.kind == pkgVarStr {
			g.line("fmt.Println(%q, %s)", "pkg "+d.name, d.name)
		}
	}
}
