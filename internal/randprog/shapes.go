package randprog

import (
	"bytes"
	"fmt"
	"go/token"
	"strings"

	"github.com/corofy/corofy/transform"
)

// The shape features: shapes users write that the transform once got
// wrong (see features.go). Everything here draws random
// numbers only when its feature is on, so that the programs of the other
// features stay the same.

// tnameSrc is in the programs of LocalTypes and Shadowing.
const tnameSrc = `// tname is %T without package names (the test renames the package of
// each program): a local type keeps its name.
func tname(v any) string {
	s, out, word := fmt.Sprintf("%T", v), "", ""
	for _, r := range s {
		switch {
		case r == '.':
			word = ""
		case r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			word += string(r)
		default:
			out += word + string(r)
			word = ""
		}
	}
	return out + word
}

`

// ctrSrc is in the programs of LocalTypes.
const ctrSrc = `// ctr is a package-level type with methods: local types get them by
// embedding it, or are converted to it.
type ctr struct {
	n    int
	name string
}

func (c *ctr) add(d int) int {
	c.n += d
	fmt.Println("ctr.add", c.name, d, c.n)
	return c.n
}

func (c ctr) String() string { return c.name + "#" + itoa(c.n) }

// adder is a package-level interface: a local type defined as adder has
// its method.
type adder interface{ add(d int) int }

`

// gcellSrc is in the programs of LocalTypes and Generics.
const gcellSrc = `// gcell is a generic coroutine whose local types use its type parameter.
coroutine func gcell[T any](name string, v T) string {
	type cell struct {
		v T
		n int
	}
	type cells []cell
	type vals = []T
	type named = cell
	type pair[U any] struct {
		a T
		b U
	}
	type box[T any] struct{ v T } // its own T
	c := cell{v: v}
	vs := vals{v}
	p := pair[box[int]]{v, box[int]{1}}
	c.n = after(name, 1, len(name)).wait
	cs := cells{c, {v: after(name+"b", 0, v).wait, n: c.n * 2}}
	vs = append(vs, after(name+"c", 0, v).wait)
	p.b.v += after(name+"d", 0, 2).wait
	fmt.Println("gcell", name, cs, vs, struct{ named }{c}, p, tname(c), tname(cs), tname(vs))
	return fmt.Sprint(cs[1].v, "/", c.n)
}

`

// tickSrc is in the programs of NamedResultReturns.
const tickSrc = `// ticks counts the calls of tick, which prints and returns v plus that
// count: an operand with a side effect.
var ticks int

func tick(what string, v int) int {
	ticks++
	fmt.Println("tick", what, v, ticks)
	return v + ticks
}

`

// shadowSrc is in the programs of Shadowing.
const shadowSrc = `// level and depth are package-level names that blocks shadow.
var level = 1

const depth = 2

`

// coroutineIdentSrc is in the programs of CoroutineIdent: before every
// coroutine func.
const coroutineIdentSrc = `// coroutine is an ordinary identifier outside "coroutine func": a field,
// a receiver and the parameter of plain functions.
type cfg struct {
	name      string
	coroutine int
}

func (coroutine cfg) total() int { return coroutine.coroutine + len(coroutine.name) }

func scale(coroutine int) int { return coroutine*2 + 1 }

func use(coroutine ...int) int {
	s := 0
	for _, c := range coroutine {
		s += c
	}
	fmt.Println("use", coroutine, s)
	return s
}

`

// extraPrelude writes the declarations the shape features use, after
// the prelude, and adds their globals.
func (g *gen) extraPrelude(out *bytes.Buffer) {
	if g.f.Has(LocalTypes) || g.f.Has(Shadowing) || g.f.Has(LocalTypeScopes) || g.f.Has(PackageReservedNames) || g.f.Has(PlaceTypes) {
		out.WriteString(tnameSrc)
	}
	if g.f.Has(LocalTypes) || g.f.Has(LocalTypeScopes) {
		out.WriteString(ctrSrc)
	}
	if g.f.Has(LocalTypes) {
		if g.f.Has(Generics) && !g.plain {
			out.WriteString(gcellSrc)
		}
	}
	if g.f.Has(NamedResultReturns) {
		out.WriteString(tickSrc)
	}
	if g.f.Has(Shadowing) {
		out.WriteString(shadowSrc)
		g.glob = append(g.glob,
			&variable{name: "level", k: kInt, used: true},
			&variable{name: "depth", k: kInt, ro: true, used: true})
	}
	if g.f.Has(CoroutineIdent) {
		out.WriteString(coroutineIdentSrc)
	}
	if g.f.Has(Receivers | Methods) {
		out.WriteString(receiversSrc)
	}
	if g.f.Has(ReservedNameLocals) {
		g.reserved = reservedLocals()
	}
	if g.f.Has(AddressKeepers) {
		out.WriteString(accSrc)
	}
	if g.f.Has(OrderProbes) && !g.plain { // setStr needs the runtime
		out.WriteString(setStrSrc)
		if g.f.Has(Generics) {
			out.WriteString(genericProbeSrc)
		}
	}
	if g.f.Has(ConstNames) {
		out.WriteString(constNamesSrc)
	}
	if g.f.Has(PlaceTypes) {
		out.WriteString(flagSrc)
	}
	if g.f.Has(Unevaluated) && !g.plain { // nest needs the runtime
		out.WriteString(nestSrc)
	}
	if g.f.Has(Defer) {
		out.WriteString(stopSrc)
	}
	if g.f.Has(PackageReservedNames) {
		g.packageReserved(out)
	}
}

// extraGlobals prints, at the end of main, the globals of the pending
// features.
func (g *gen) extraGlobals() {
	if g.f.Has(NamedResultReturns) {
		g.line("fmt.Println(%q, ticks)", "ticks")
	}
	if g.f.Has(Shadowing) {
		g.line("fmt.Println(%q, level, depth)", "level")
	}
	g.pkgReservedGlobals()
}

// waitOr is an expression of kind k that waits if c allows it.
func (g *gen) waitOr(c ctx, k kind) string {
	if c.waits {
		return g.waitExpr(c, k, 1)
	}
	return g.expr(c, k, 1)
}

// leafLit is a leaf wait on the literal v where c allows waits, else v:
// for code that may name nothing but after (blocks shadowing names the
// random expressions use).
func (g *gen) leafLit(c ctx, v string) string {
	if !c.waits {
		return v
	}
	return fmt.Sprintf("after(%q, %d, %s).wait", g.id("w"), g.intn(3), v)
}

func (g *gen) intLit() string { return fmt.Sprint(g.intn(10)) }

func (g *gen) strLit() string { return strLits[g.intn(len(strLits))] }

// waitStmt writes a statement that waits (if c allows), so that what was
// declared before lives across it.
func (g *gen) waitStmt(c ctx) {
	if !c.waits {
		return
	}
	if g.chance(0.5) {
		g.line("%s", g.waitExpr(c, kNone, 1))
	} else {
		g.line("fmt.Println(%q, %s)", g.id("p"), g.waitExpr(c, kInt, 1))
	}
}

// intOf is an int expression that reads v.
func intOf(v *variable) string {
	switch v.k {
	case kString, kSlice:
		return fmt.Sprintf("len(%s)", v.name)
	case kPt:
		return v.name + ".A"
	case kArr:
		return v.name + "[1]"
	case kMap:
		return fmt.Sprintf("%s[%q]", v.name, "a")
	case kBool:
		return fmt.Sprintf("len(fmt.Sprint(%s))", v.name)
	}
	return v.name
}

// DeclBlocks.

// declBlock writes a var block, a const block or a single constant, and
// uses what it declares after a wait.
func (g *gen) declBlock(c ctx) {
	var vs []*variable
	switch g.intn(5) {
	case 0, 1:
		vs = g.varBlock(c)
	case 2, 3:
		vs = g.constBlock(c)
	default:
		name := g.local("k")
		k := []kind{kInt, kInt, kString}[g.intn(3)]
		val := g.intLit()
		if k == kString {
			val = g.strLit()
		}
		if g.chance(0.3) {
			g.line("const %s %s = %s", name, k.goType(), val)
		} else {
			g.line("const %s = %s", name, val)
		}
		vs = []*variable{g.newVar(name, k)}
		vs[0].ro = true
	}
	if len(vs) == 0 || !g.chance(0.7) {
		return
	}
	g.waitStmt(c)
	args := []string{fmt.Sprintf("%q", g.id("decl"))}
	for _, v := range vs {
		if v.k.printable() {
			args = append(args, v.name)
		}
	}
	if v := vs[g.intn(len(vs))]; g.chance(0.5) {
		args = append(args, fmt.Sprintf("%s + %s", intOf(v), g.waitOr(c, kInt)))
	}
	g.line("fmt.Println(%s)", strings.Join(args, ", "))
}

// zeroKinds are the kinds whose zero value the random statements can use
// (not nil slices or maps).
var zeroKinds = []kind{kInt, kString, kPt, kArr, kBool}

// varBlock writes var ( ... ) with specs that read the earlier ones.
func (g *gen) varBlock(c ctx) []*variable {
	var vs []*variable
	g.line("var (")
	g.ind++
	for i, n := 0, 2+g.intn(3); i < n; i++ {
		switch g.intn(6) {
		case 0, 1: // name = expr, reading an earlier spec
			k := valueKinds[g.intn(len(valueKinds))]
			name := g.local("v")
			e := g.expr(c, k, 2)
			if len(vs) > 0 && g.chance(0.6) {
				prev := vs[g.intn(len(vs))]
				switch k {
				case kInt:
					e = fmt.Sprintf("%s + %s", intOf(prev), e)
				case kString:
					e = fmt.Sprintf("itoa(%s) + %s", intOf(prev), e)
				}
			}
			g.line("%s = %s", name, e)
			vs = append(vs, g.newVar(name, k))
		case 2: // name type = expr
			k := valueKinds[g.intn(len(valueKinds))]
			name := g.local("v")
			g.line("%s %s = %s", name, k.goType(), g.expr(c, k, 2))
			vs = append(vs, g.newVar(name, k))
		case 3: // a, b = x, y
			k1, k2 := valueKinds[g.intn(len(valueKinds))], valueKinds[g.intn(len(valueKinds))]
			a, b := g.local("v"), g.local("v")
			g.line("%s, %s = %s, %s", a, b, g.expr(c, k1, 2), g.expr(c, k2, 2))
			vs = append(vs, g.newVar(a, k1), g.newVar(b, k2))
		case 4: // a, s = pair().wait
			if co := g.multiCallee(c); co != nil {
				a, s := g.local("a"), g.local("s")
				g.line("%s, %s = %s.wait", a, s, g.callExpr(c, co))
				vs = append(vs, g.newVar(a, kInt), g.newVar(s, kString))
				continue
			}
			fallthrough
		default: // name type, its zero value
			k := zeroKinds[g.intn(len(zeroKinds))]
			name := g.local("v")
			g.line("%s %s", name, k.goType())
			vs = append(vs, g.newVar(name, k))
		}
	}
	g.ind--
	g.line(")")
	return vs
}

// multiCallee returns a two-result coroutine to wait on here, or nil.
func (g *gen) multiCallee(c ctx) *coro {
	if !c.waits || !g.f.Has(MultiResults) {
		return nil
	}
	return g.callee(c, kMulti)
}

// constBlock writes const ( ... ): an iota series, maybe after a string
// and a constant derived from it.
func (g *gen) constBlock(c ctx) []*variable {
	var vs []*variable
	g.line("const (")
	g.ind++
	if g.chance(0.3) {
		s, n := g.local("k"), g.local("k")
		g.line("%s = %s", s, g.strLit())
		g.line("%s = len(%s) + %d", n, s, g.intn(5))
		vs = append(vs, g.newVar(s, kString), g.newVar(n, kInt))
	}
	first := []string{"iota", "iota * %d", "iota + %d", "%d - iota", "1 << iota"}[g.intn(5)]
	if strings.Contains(first, "%d") {
		first = fmt.Sprintf(first, 1+g.intn(9))
	}
	typ := ""
	if g.chance(0.2) {
		typ = " int"
	}
	if g.chance(0.3) {
		g.line("_%s = %s", typ, first)
	} else {
		name := g.local("k")
		g.line("%s%s = %s", name, typ, first)
		vs = append(vs, g.newVar(name, kInt))
	}
	for i, n := 0, 1+g.intn(3); i < n; i++ {
		name := g.local("k")
		g.line("%s", name)
		vs = append(vs, g.newVar(name, kInt))
	}
	g.ind--
	g.line(")")
	for _, v := range vs {
		v.ro = true
	}
	return vs
}

// LocalTypes.

func (g *gen) localType(c ctx) {
	g.choose(
		opt{4, func() string { g.localStruct(c); return "" }},
		opt{2, func() string { g.localNamed(c); return "" }},
		opt{2, func() string { g.localComposite(c); return "" }},
		opt{2, func() string { g.localShadowType(c); return "" }},
		opt{3, func() string { g.localMethods(c); return "" }},
	)
}

// typeName returns a fresh name for a local type.
func (g *gen) typeName(prefix string) string {
	name := g.id(prefix)
	g.names[name] = true
	return name
}

// fieldVars declares v (printed whole) and its fields, which the random
// statements then read and assign as variables ("v.x").
func (g *gen) fieldVars(v string, fields []*variable) {
	g.newVar(v, kNone).ro = true
	for _, f := range fields {
		g.newVar(v+"."+f.name, f.k)
	}
}

// fieldNames are the names of a local struct's fields, by kind.
var fieldNames = map[kind][]string{
	kInt:    {"x", "y", "n", "count"},
	kString: {"name", "s", "label"},
	kPt:     {"p", "at"},
	kArr:    {"arr", "vals"},
	kBool:   {"ok", "done"},
}

// localStruct declares a local struct type, a value of it whose fields
// are set from waits, and prints it (%v and %T) after a wait.
func (g *gen) localStruct(c ctx) {
	tn := g.typeName("lt")
	var fields []*variable
	taken := map[string]bool{}
	for n := 2 + g.intn(3); len(fields) < n; {
		k := zeroKinds[g.intn(len(zeroKinds))]
		names := fieldNames[k]
		if name := names[g.intn(len(names))]; !taken[name] {
			taken[name] = true
			fields = append(fields, &variable{name: name, k: k})
		}
	}
	g.line("type %s struct {", tn)
	for _, f := range fields {
		g.line("\t%s %s", f.name, f.k.goType())
	}
	g.line("}")
	v := g.local("v")
	switch g.intn(4) {
	case 0:
		g.line("var %s %s", v, tn)
	case 1:
		var kv []string
		for _, f := range fields {
			if g.chance(0.6) {
				kv = append(kv, fmt.Sprintf("%s: %s", f.name, g.expr(c, f.k, 1)))
			}
		}
		g.line("%s := %s{%s}", v, tn, strings.Join(kv, ", "))
	case 2:
		var xs []string
		for _, f := range fields {
			xs = append(xs, g.expr(c, f.k, 1))
		}
		g.line("%s := %s{%s}", v, tn, strings.Join(xs, ", "))
	default: // a pointer: fields through it, printed &{...}
		g.line("%s := &%s{}", v, tn)
	}
	for _, i := range g.r.Perm(len(fields))[:1+g.intn(len(fields))] {
		f := fields[i]
		if f.k == kString && g.chance(0.3) {
			g.line("%s.%s += %s", v, f.name, g.waitOr(c, kString))
			continue
		}
		g.line("%s.%s = %s", v, f.name, g.waitOr(c, f.k))
	}
	g.fieldVars(v, fields)
	g.waitStmt(c)
	g.line("fmt.Println(%q, %s, tname(%s))", g.id("lt"), v, v)
}

// localNamed declares named int and string types and values of them
// changed by waits.
func (g *gen) localNamed(c ctx) {
	it := g.typeName("cnt")
	g.line("type %s int", it)
	n := g.local("n")
	if g.chance(0.5) {
		g.line("%s := %s(%s)", n, it, g.intExpr(c, 2))
	} else {
		g.line("var %s %s = %d", n, it, g.intn(9))
	}
	g.line("%s += %s(%s)", n, it, g.waitOr(c, kInt))
	args := []string{n, fmt.Sprintf("tname(%s)", n)}
	if g.chance(0.6) {
		st := g.typeName("lbl")
		l := g.local("l")
		g.line("type %s string", st)
		g.line("%s := %s(%s)", l, st, g.strExpr(c, 1))
		g.line("%s += %s(%s) + %q", l, st, g.waitOr(c, kString), "-")
		g.newVar(fmt.Sprintf("string(%s)", l), kString).ro = true
		args = append(args, l, fmt.Sprintf("tname(%s)", l), fmt.Sprintf("int(%s)+len(%s)", n, l))
	}
	g.newVar(fmt.Sprintf("int(%s)", n), kInt).ro = true
	g.waitStmt(c)
	g.line("fmt.Println(%q, %s)", g.id("named"), strings.Join(args, ", "))
}

// localComposite declares a local type that uses another.
func (g *gen) localComposite(c ctx) {
	idT, recT := g.typeName("id"), g.typeName("rec")
	g.line("type %s int", idT)
	g.line("type %s struct {", recT)
	g.line("\tid  %s", idT)
	g.line("\ttag string")
	g.line("\tids [3]%s", idT)
	g.line("}")
	r := g.local("r")
	g.line("%s := %s{id: %s(%s), tag: %s}", r, recT, idT, g.intExpr(c, 2), g.strExpr(c, 1))
	i := g.intn(3)
	g.line("%s.ids[%d] = %s(%s)", r, i, idT, g.waitOr(c, kInt))
	g.line("%s.id += %s.ids[%d]", r, r, i)
	g.fieldVars(r, []*variable{{name: "tag", k: kString}})
	if g.chance(0.5) {
		listT, l := g.typeName("recs"), g.local("l")
		g.line("type %s []%s", listT, recT)
		g.line("%s := %s{%s, {tag: %s}}", l, listT, r, g.waitOr(c, kString))
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s, len(%s), tname(%s), tname(%s[1].ids))", g.id("rec"), l, l, l, l)
		return
	}
	g.waitStmt(c)
	g.line("fmt.Println(%q, %s, tname(%s), tname(%s.ids))", g.id("rec"), r, r, r)
}

// localShadowType declares, in a block, a local type named like a
// package-level type, and uses the package's after the block. It prints
// the local value with %v only: at package level the type needs another
// name, so its %T differs (testdata/e2e/localtypes.txtar).
func (g *gen) localShadowType(c ctx) {
	b := c
	b.waits = c.waits && g.f.Has(WaitsInBlocks)
	g.line("{")
	g.ind++
	q := g.local("q")
	var outer string
	switch g.intn(3) {
	case 0:
		g.line("type pt struct {")
		g.line("\tX, Y int")
		g.line("}")
		g.line("%s := pt{X: %s}", q, g.intLit())
		g.line("%s.Y = %s + %s.X", q, g.leafLit(b, g.intLit()), q)
		outer = fmt.Sprintf("pt{A: %s, B: %s}", g.intLit(), g.strLit())
	case 1:
		g.line("type box []string")
		g.line("%s := box{%s}", q, g.strLit())
		g.line("%s = append(%s, %s)", q, q, g.leafLit(b, g.strLit()))
		outer = fmt.Sprintf("box{n: %s, s: %s}", g.intLit(), g.strLit())
	default:
		g.line("type ctr int")
		g.line("%s := ctr(%s)", q, g.intLit())
		g.line("%s += ctr(%s)", q, g.leafLit(b, g.intLit()))
		outer = fmt.Sprintf("ctr{n: %s, name: %s}", g.intLit(), g.strLit())
	}
	g.line("fmt.Println(%q, %s)", g.id("inner"), q)
	g.ind--
	g.line("}")
	g.line("fmt.Println(%q, %s)", g.id("outer"), outer)
}

// localMethods declares local types that have the methods of the
// package-level ctr and adder.
func (g *gen) localMethods(c ctx) {
	tn := g.typeName("lt")
	v := g.local("v")
	switch g.intn(4) {
	case 0, 1: // embedding ctr or *ctr: promoted methods and fields
		ptr := g.intn(2) == 0
		star := map[bool]string{true: "*", false: ""}[ptr]
		g.line("type %s struct {", tn)
		g.line("\t%sctr", star)
		g.line("\tk int")
		g.line("}")
		if ptr {
			g.line("%s := %s{ctr: &ctr{name: %s}}", v, tn, g.strLit())
		} else if g.chance(0.5) {
			g.line("%s := %s{ctr: ctr{name: %s}}", v, tn, g.strLit())
		} else {
			g.line("var %s %s", v, tn)
			g.line("%s.name = %s", v, g.strExpr(c, 1))
		}
		g.line("%s.k = %s.add(%s)", v, v, g.waitOr(c, kInt))
		g.fieldVars(v, []*variable{{name: "k", k: kInt}, {name: "n", k: kInt}, {name: "name", k: kString}})
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.add(%s), %s.String(), %s.k, tname(%s))", g.id("lt"), v, g.waitOr(c, kInt), v, v, v)
	case 2: // a type defined as ctr: no methods, converted to call them
		g.line("type %s ctr", tn)
		g.line("%s := %s{name: %s}", v, tn, g.strLit())
		g.line("%s.n = %s", v, g.waitOr(c, kInt))
		g.fieldVars(v, []*variable{{name: "n", k: kInt}, {name: "name", k: kString}})
		g.waitStmt(c)
		g.line("fmt.Println(%q, (*ctr)(&%s).add(%s), ctr(%s).String(), %s, tname(%s))", g.id("lt"), v, g.intExpr(c, 1), v, v, v)
	default: // a type defined as the interface adder: its method
		g.line("type %s adder", tn)
		g.line("var %s %s = &ctr{name: %s}", v, tn, g.strLit())
		g.newVar(v, kNone).ro = true
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.add(%s), %s, tname(%s))", g.id("lt"), v, g.waitOr(c, kInt), v, v)
	}
}

// NamedResultReturns.

// specialCoros adds the coroutines of NamedResultReturns and
// ReservedNameLocals after the others (any of which may wait on them).
func (g *gen) specialCoros() {
	if g.plain {
		return
	}
	if g.f.Has(NamedResultReturns) {
		for i, m := 0, 1+g.intn(2); i < m; i++ {
			g.coros = append(g.coros, g.namedResultSig(len(g.coros)))
		}
	}
	if g.f.Has(ReservedNameLocals) && len(g.reserved) >= 8 {
		for i, m := 0, 1+g.intn(2); i < m; i++ {
			g.coros = append(g.coros, g.reservedSig(len(g.coros)))
		}
	}
}

func (g *gen) namedResultSig(idx int) *coro {
	co := &coro{idx: idx, name: fmt.Sprintf("nr%d", idx)}
	n := 1
	if g.f.Has(MultiResults) {
		n = 1 + g.intn(3)
	}
	switch n {
	case 1:
		if g.chance(0.6) {
			co.result, co.named = kInt, []string{"total", "count", "sum"}[g.intn(3)]
		} else {
			co.result, co.named = kString, []string{"label", "msg", "text"}[g.intn(3)]
		}
		co.results = []*variable{{name: co.named, k: co.result}}
	case 2:
		names := [][2]string{{"count", "label"}, {"n", "msg"}, {"total", "text"}}[g.intn(3)]
		if g.chance(0.2) { // a blank result beside a named one
			names[g.intn(2)] = "_"
		}
		co.result = kMulti
		co.results = []*variable{{name: names[0], k: kInt}, {name: names[1], k: kString}}
	default:
		names := [][3]string{{"lo", "label", "hi"}, {"first", "msg", "last"}, {"a", "text", "b"}}[g.intn(3)]
		if g.chance(0.2) {
			names[g.intn(3)] = "_"
		}
		co.result = kTriple
		co.results = []*variable{{name: names[0], k: kInt}, {name: names[1], k: kString}, {name: names[2], k: kInt}}
	}
	for j, m := 0, g.intn(3); j < m; j++ {
		co.params = append(co.params, &variable{name: fmt.Sprintf("p%d", j), k: []kind{kInt, kInt, kString, kPt}[g.intn(4)]})
	}
	co.body = g.namedResultBody
	return co
}

// namedResultBody writes a coroutine with named results, a deferred
// closure that prints and changes them, random statements, and returns
// whose operands have side effects and waits.
func (g *gen) namedResultBody(co *coro) {
	var params []string
	for _, p := range co.params {
		params = append(params, p.name+" "+p.k.goType())
	}
	g.line("coroutine func %s(%s) %s {", co.name, strings.Join(params, ", "), co.resultType())
	g.ind++
	g.push()
	args := []string{fmt.Sprintf("%q", "enter "+co.name)}
	for _, p := range co.params {
		g.declare(p)
		args = append(args, p.name)
	}
	g.line("fmt.Println(%s)", strings.Join(args, ", "))
	var rnames []string
	var named []*variable // the results but the blank ones
	for _, r := range co.results {
		if r.name == "_" {
			continue
		}
		g.names[r.name] = true
		g.declare(r)
		rnames = append(rnames, r.name)
		named = append(named, r)
	}
	c := ctx{waits: true, straight: true, mult: 1, coroutine: true}
	g.line("defer func() {")
	g.line("\tfmt.Println(%q, %s)", "defer "+co.name, strings.Join(rnames, ", "))
	for _, r := range named {
		if !g.chance(0.7) {
			continue
		}
		if r.k == kInt {
			g.line("\t%s = %s*2 + %d", r.name, r.name, 1+g.intn(9))
		} else {
			g.line("\t%s += %q", r.name, "!")
		}
	}
	g.line("}()")
	if g.chance(0.4) { // the argument is evaluated at the defer statement
		g.line("defer show(%q, %s)", g.id("defer"), named[g.intn(len(named))].name)
	}
	for _, r := range named {
		if g.chance(0.6) {
			g.line("%s = %s", r.name, g.expr(c, r.k, 2))
		}
	}
	for i, m := 0, 2+g.intn(4); i < m; i++ {
		g.stmt(c)
	}
	if g.f.Has(ControlFlow) && g.chance(0.4) {
		ic := g.inIf(c)
		g.line("if %s {", g.boolExpr(ic, 1))
		g.ind++
		g.namedReturn(ic, co)
		g.ind--
		g.line("}")
	}
	g.flush()
	g.namedReturn(c, co)
	g.popSilently()
	g.ind--
	g.line("}")
}

// namedReturn writes a return of a coroutine with named results.
func (g *gen) namedReturn(c ctx, co *coro) {
	rs := co.results
	blank := false
	for _, r := range rs {
		blank = blank || r.name == "_"
	}
	operand := func(r *variable) string {
		if r.name == "_" { // nothing to read: a value of its own
			if r.k == kString {
				return g.strExpr(c, 2)
			}
			return fmt.Sprintf("tick(%q, %s)", g.id("ret"), g.intExpr(c, 1))
		}
		if r.k == kString {
			return g.choose(
				opt{2, func() string { return fmt.Sprintf("%s + itoa(tick(%q, %d))", r.name, g.id("ret"), g.intn(9)) }},
				opt{w(c.waits, 3), func() string { return fmt.Sprintf("%s + %s", r.name, g.waitExpr(c, kString, 1)) }},
				opt{2, func() string { return g.strExpr(c, 2) }},
			)
		}
		return g.choose(
			opt{3, func() string { return fmt.Sprintf("tick(%q, %s)", g.id("ret"), g.intExpr(c, 1)) }},
			opt{2, func() string { return fmt.Sprintf("%s + tick(%q, %s)", r.name, g.id("ret"), g.intAtom(c)) }},
			opt{w(c.waits, 3), func() string {
				return fmt.Sprintf("tick(%q, %s) + %s", g.id("ret"), r.name, g.waitExpr(c, kInt, 1))
			}},
			opt{2, func() string { return g.intExpr(c, 2) }},
		)
	}
	choice := g.intn(4)
	if blank && choice >= 2 { // the results cannot be read or assigned by name
		choice = 0
	}
	switch choice {
	case 0, 1: // operands with side effects and waits
		var xs []string
		for _, r := range rs {
			xs = append(xs, operand(r))
		}
		g.line("return %s", strings.Join(xs, ", "))
	case 2: // the named results on the right, swapped where they can be
		var xs []string
		for _, r := range rs {
			xs = append(xs, r.name)
		}
		switch len(rs) {
		case 3:
			xs[0], xs[2] = xs[2], xs[0]
		case 2:
			xs[0] = fmt.Sprintf("%s + len(%s)", rs[0].name, rs[1].name)
			xs[1] = fmt.Sprintf("%s + itoa(%s)", rs[1].name, rs[0].name)
		}
		if i := g.intn(len(rs)); c.waits && g.chance(0.5) {
			xs[i] = fmt.Sprintf("%s + %s", xs[i], g.waitExpr(c, rs[i].k, 1))
		}
		g.line("return %s", strings.Join(xs, ", "))
	default: // assignments, then a bare return
		if len(rs) > 1 && g.chance(0.5) {
			var ls, xs []string
			for _, r := range rs {
				ls = append(ls, r.name)
				xs = append(xs, operand(r))
			}
			g.line("%s = %s", strings.Join(ls, ", "), strings.Join(xs, ", "))
		} else {
			for _, r := range rs {
				if g.chance(0.7) {
					g.line("%s = %s", r.name, operand(r))
				}
			}
		}
		g.line("return")
	}
}

// tripleWait waits on a coroutine with three results.
func (g *gen) tripleWait(c ctx) {
	co := g.callee(c, kTriple)
	if co == nil {
		g.assign(c)
		return
	}
	a, s, b := g.local("a"), g.local("s"), g.local("b")
	if g.chance(0.2) {
		s = "_"
	}
	g.line("%s, %s, %s := %s.wait", a, s, b, g.callExpr(c, co))
	g.newVar(a, kInt)
	if s != "_" {
		g.newVar(s, kString)
	}
	g.newVar(b, kInt)
}

// PartialRedecl.

// oldVar returns a variable of kind k declared in the innermost scope,
// which := may redeclare, declaring one first (and then waiting) if there
// is none.
func (g *gen) oldVar(c ctx, k kind) *variable {
	var cands []*variable
	for _, v := range g.scopes[len(g.scopes)-1] {
		if v.k == k && !v.ro && token.IsIdentifier(v.name) {
			cands = append(cands, v)
		}
	}
	if len(cands) > 0 && g.chance(0.7) {
		v := cands[g.intn(len(cands))]
		v.used = true
		return v
	}
	name := g.local("v")
	if k == kErr {
		g.line("var %s error", name)
	} else {
		g.line("%s := %s", name, g.expr(c, k, 1))
	}
	v := g.newVar(name, k)
	if g.chance(0.6) {
		g.waitStmt(c)
	}
	return v
}

// partialRedecl writes a := whose left side has names declared before
// in the same scope and new ones.
func (g *gen) partialRedecl(c ctx) {
	switch g.intn(5) {
	case 0, 1: // old, new := x, y
		old := g.oldVar(c, []kind{kInt, kInt, kString, kPt, kBool}[g.intn(5)])
		nk := valueKinds[g.intn(len(valueKinds))]
		name := g.local("v")
		x, y := g.expr(c, old.k, 2), g.expr(c, nk, 2)
		if g.chance(0.5) {
			g.line("%s, %s := %s, %s", old.name, name, x, y)
		} else {
			g.line("%s, %s := %s, %s", name, old.name, y, x)
		}
		g.newVar(name, nk)
	case 2: // with a two-result coroutine: a, s := pair().wait
		if co := g.multiCallee(c); co != nil {
			a, s := g.local("a"), g.local("s")
			oldInt := g.chance(0.5)
			if oldInt {
				a = g.oldVar(c, kInt).name
			} else {
				s = g.oldVar(c, kString).name
			}
			g.line("%s, %s := %s.wait", a, s, g.callExpr(c, co))
			if oldInt {
				g.newVar(s, kString)
			} else {
				g.newVar(a, kInt)
			}
			return
		}
		g.partialRedecl(c)
	case 3: // v, ok := m[k]
		m := fmt.Sprintf("map[string]int{%q: %s, %q: %s}", "a", g.intExpr(c, 1), "b", g.intExpr(c, 1))
		if v := g.pickVarP(0.7, ofKind(kMap)); v != nil {
			m = v.name
		}
		key := fmt.Sprintf("%q", []string{"a", "b", "c"}[g.intn(3)])
		if g.chance(0.4) {
			key = g.strExpr(c, 1)
		}
		if g.chance(0.5) {
			v := g.oldVar(c, kInt)
			ok := g.local("ok")
			g.line("%s, %s := %s[%s]", v.name, ok, m, key)
			g.newVar(ok, kBool)
		} else {
			ok := g.oldVar(c, kBool)
			v := g.local("v")
			g.line("%s, %s := %s[%s]", v, ok.name, m, key)
			g.newVar(v, kInt)
		}
	default: // x, err := strconv.Atoi(s)
		arg := func() string {
			return g.choose(
				opt{2, func() string { return fmt.Sprintf("itoa(%s)", g.intExpr(c, 2)) }},
				opt{1, func() string { return g.strExpr(c, 2) }},
				opt{1, func() string { return fmt.Sprintf("itoa(%s) + %s", g.intExpr(c, 1), g.strExpr(c, 1)) }},
			)
		}
		x, err := g.local("x"), g.local("err")
		if g.chance(0.5) {
			x = g.oldVar(c, kInt).name
			g.line("%s, %s := strconv.Atoi(%s)", x, err, arg())
			g.newVar(err, kErr)
		} else {
			err = g.oldVar(c, kErr).name
			g.line("%s, %s := strconv.Atoi(%s)", x, err, arg())
			g.newVar(x, kInt)
		}
		if g.f.Has(ControlFlow) && g.chance(0.5) {
			g.line("if %s != nil {", err)
			g.line("\tfmt.Println(%q, %s)", g.id("err"), err)
			g.line("}")
		}
	}
}

// Shadowing.

// shadowBlock writes a block, if, for or switch body that declares a
// local shadowing a package-level name, prints it, and prints the
// package's after the block.
func (g *gen) shadowBlock(c ctx) {
	flow := g.f.Has(ControlFlow)
	var inner ctx
	form := g.intn(4)
	switch {
	case form == 1 && flow:
		inner = g.inIf(c)
		g.line("if %s {", g.boolExpr(inner, 1))
	case form == 2 && flow && c.mult <= 3:
		inner = g.loopCtx(c, WaitsInFor, 2)
		i := g.local("i")
		g.line("for %s := 0; %s < 2; %s++ {", i, i, i)
	case form == 3 && flow:
		inner = g.branchCtx(c, WaitsInSwitch)
		g.line("switch (%s) & 1 {", g.intExpr(c, 1))
		g.line("case %d:", g.intn(2))
	default:
		form = 0
		inner = c
		inner.waits = c.waits && g.f.Has(WaitsInBlocks)
		inner.straight = c.straight
		inner.depth++
		g.line("{")
	}
	g.ind++
	g.push()
	outer := g.shadowBody(c, inner)
	g.pop()
	g.ind--
	if form == 3 {
		g.line("default:")
		g.line("\tfmt.Println(%q)", g.id("other"))
	}
	g.line("}")
	g.line("%s", outer)
}

// shadowBody writes the inside of a shadowing block and returns the
// statement, after the block, that prints the package's entity.
func (g *gen) shadowBody(c, inner ctx) string {
	randomStmts := func() {
		for i, n := 0, 1+g.intn(3); i < n; i++ {
			g.stmt(inner)
		}
	}
	inID, outID := g.id("inner"), g.id("outer")
	return g.choose(
		// A package variable or constant, shadowed by a local of its
		// type that starts from it: random statements use the local.
		opt{4, func() string {
			name, k := []string{"g1", "level", "depth", "g2"}[g.intn(4)], kInt
			if name == "g2" {
				k = kString
			}
			g.line("%s := %s + %s", name, name, g.waitOr(inner, k))
			g.newVar(name, k)
			randomStmts()
			g.line("fmt.Println(%q, %s)", inID, name)
			return fmt.Sprintf("fmt.Println(%q, %s)", outID, name)
		}},
		// A package function, shadowed by a closure of its signature.
		opt{4, func() string {
			switch g.intn(5) {
			case 0:
				g.line("add := func(a, b int) int { return a*10 + b }")
				randomStmts()
				g.line("fmt.Println(%q, add(%s, 2))", inID, g.waitOr(inner, kInt))
				return fmt.Sprintf("fmt.Println(%q, add(1, 2))", outID)
			case 1:
				g.line("itoa := func(n int) string { return \"#\" + strconv.Itoa(n) }")
				randomStmts()
				g.line("fmt.Println(%q, itoa(%s))", inID, g.waitOr(inner, kInt))
				return fmt.Sprintf("fmt.Println(%q, itoa(3))", outID)
			case 2:
				g.line("show := func(what string, v any) { fmt.Println(\"local show\", what, v) }")
				randomStmts()
				g.line("show(%q, %s)", inID, g.waitOr(inner, kString))
				return fmt.Sprintf("show(%q, 3)", outID)
			case 3:
				g.line("bump := func(p *int, d int) int { *p -= d; return *p }")
				x := g.local("x")
				g.line("%s := %s", x, g.waitOr(inner, kInt))
				g.newVar(x, kInt)
				randomStmts()
				g.line("fmt.Println(%q, bump(&%s, 1))", inID, x)
				return fmt.Sprintf("fmt.Println(%q, bump(&g1, 1))", outID)
			default:
				g.line("mkpt := func(a int, b string) pt { return pt{a * 2, b + \"!\"} }")
				randomStmts()
				g.line("fmt.Println(%q, mkpt(%s, \"i\"))", inID, g.waitOr(inner, kInt))
				return fmt.Sprintf("fmt.Println(%q, mkpt(1, \"o\"))", outID)
			}
		}},
		// An imported package, shadowed by a local of another type: the
		// block names nothing but its local, show and after.
		opt{3, func() string {
			pkgs := []string{"fmt", "strconv"}
			if c.waits && !g.plain {
				pkgs = append(pkgs, "runtime")
			}
			pkg := pkgs[g.intn(len(pkgs))]
			if g.chance(0.5) {
				g.line("%s := %s", pkg, g.leafLit(inner, g.intLit()))
				g.line("show(%q, %s)", inID, pkg)
				g.line("%s += %s", pkg, g.leafLit(inner, g.intLit()))
			} else {
				g.line("%s := %s + %s", pkg, g.strLit(), g.leafLit(inner, g.strLit()))
			}
			g.line("show(%q, %s)", inID, pkg)
			if other := g.otherFmt(); pkg == "fmt" && other != "" {
				// The package through its other import, where the
				// local hides the name of its own.
				g.line("%s.Println(%q, %s)", other, inID, pkg)
			}
			switch pkg {
			case "fmt":
				return fmt.Sprintf("fmt.Println(%q, g1)", outID)
			case "strconv":
				return fmt.Sprintf("fmt.Println(%q, strconv.Itoa(g1))", outID)
			}
			return fmt.Sprintf("fmt.Println(%q, runtime.Ready(%s).wait)", outID, g.intExpr(c, 1))
		}},
		// A package type, shadowed by a local type or variable: the
		// block names nothing but its locals and after.
		opt{2, func() string {
			q := g.local("q")
			switch g.intn(3) {
			case 0:
				g.line("type pt struct{ X, Y int }")
				g.line("%s := pt{X: %s}", q, g.leafLit(inner, g.intLit()))
				g.line("%s.Y += %s", q, g.leafLit(inner, g.intLit()))
				g.line("fmt.Println(%q, %s)", inID, q)
				return fmt.Sprintf("fmt.Println(%q, pt{A: 1, B: %s})", outID, g.strLit())
			case 1:
				g.line("box := %s", g.leafLit(inner, g.strLit()))
				g.line("fmt.Println(%q, box+%s)", inID, g.leafLit(inner, g.strLit()))
				return fmt.Sprintf("fmt.Println(%q, box{n: 2, s: %s})", outID, g.strLit())
			default:
				g.line("pt := %s", g.leafLit(inner, g.intLit()))
				g.line("pt *= %s", g.leafLit(inner, g.intLit()))
				g.line("fmt.Println(%q, pt)", inID)
				return fmt.Sprintf("fmt.Println(%q, pt{})", outID)
			}
		}},
	)
}

// ReservedNameLocals.

// blockUses are the names the code of reservedBlock and of the reserved
// coroutines refers to: a local named so would hide what it needs.
var blockUses = map[string]bool{"_": true, "fmt": true, "after": true}

// reservedLocals returns the names of transform.ReservedNames() that a
// local can have in the code that uses them.
func reservedLocals() []string {
	var out []string
	for _, name := range transform.ReservedNames() {
		if token.IsIdentifier(name) && !blockUses[name] {
			out = append(out, name)
		}
	}
	return out
}

// reservedNames returns n distinct reserved names.
func (g *gen) reservedNames(n int) []string {
	var out []string
	for _, i := range g.r.Perm(len(g.reserved))[:min(n, len(g.reserved))] {
		out = append(out, g.reserved[i])
	}
	return out
}

// reservedBlock writes a block (or a loop) whose locals have reserved
// names, and which names nothing but them, fmt and after.
func (g *gen) reservedBlock(c ctx) {
	if len(g.reserved) < 8 {
		g.print(c)
		return
	}
	if g.f.Has(ControlFlow) && c.mult <= 3 && g.chance(0.3) {
		name := g.reservedNames(1)[0]
		body := g.loopCtx(c, WaitsInFor, 2)
		g.line("for %s := 0; %s < 2; %s++ {", name, name, name)
		g.line("\tfmt.Println(%q, %s, %s+%s)", g.id("reserved"), name, name, g.leafLit(body, g.intLit()))
		g.line("}")
		return
	}
	b := c
	b.waits = c.waits && g.f.Has(WaitsInBlocks)
	g.line("{")
	g.ind++
	g.reservedLocalsIn(b, g.reservedNames(1+g.intn(3)))
	g.ind--
	g.line("}")
}

// reservedLocalsIn declares locals with the names, changes them across
// waits and prints them.
func (g *gen) reservedLocalsIn(c ctx, names []string) {
	kinds := map[string]kind{}
	val := func(k kind) string {
		if k == kString {
			return g.leafLit(c, g.strLit())
		}
		return g.leafLit(c, g.intLit())
	}
	for i, name := range names {
		k := []kind{kInt, kInt, kString}[g.intn(3)]
		kinds[name] = k
		if i > 0 && kinds[names[i-1]] == k && g.chance(0.5) {
			g.line("%s := %s + %s", name, names[i-1], val(k))
		} else {
			g.line("%s := %s", name, val(k))
		}
	}
	if len(names) >= 2 && g.chance(0.5) { // a multiple assignment
		a, b := names[0], names[1]
		g.line("%s, %s = %s, %s", a, b, val(kinds[a]), val(kinds[b]))
	}
	name := names[g.intn(len(names))]
	g.line("%s += %s", name, val(kinds[name]))
	g.line("fmt.Println(%q, %s)", g.id("reserved"), strings.Join(names, ", "))
}

func (g *gen) reservedSig(idx int) *coro {
	co := &coro{idx: idx, name: fmt.Sprintf("rn%d", idx)}
	nres := 1
	if g.f.Has(MultiResults) && g.chance(0.3) {
		nres = 2
	}
	// The results first; then the parameters, which are not named like
	// the results' types: the reference lowering writes those types in
	// the body (Lazy(func() (r int) {...})), where a parameter int would
	// hide int.
	names := g.reservedNames(nres + 5)
	switch {
	case nres == 2:
		co.result = kMulti
		co.results = []*variable{{name: names[0], k: kInt}, {name: names[1], k: kString}}
	case g.chance(0.2): // not named
		co.result = kInt
	default:
		co.result = []kind{kInt, kInt, kString}[g.intn(3)]
		co.named = names[0]
		co.results = []*variable{{name: co.named, k: co.result}}
	}
	for j, np := nres, 1+g.intn(3); j < len(names) && len(co.params) < np; j++ {
		if names[j] == "int" || names[j] == "string" {
			continue
		}
		co.params = append(co.params, &variable{name: names[j], k: []kind{kInt, kInt, kString}[g.intn(3)]})
	}
	co.body = g.reservedBody
	return co
}

// reservedBody writes a coroutine whose parameters and named results have
// reserved names, and whose body names nothing but them, fmt and after.
func (g *gen) reservedBody(co *coro) {
	var params, pnames []string
	for _, p := range co.params {
		params = append(params, p.name+" "+p.k.goType())
		pnames = append(pnames, p.name)
	}
	g.line("coroutine func %s(%s) %s {", co.name, strings.Join(params, ", "), co.resultType())
	g.ind++
	c := ctx{waits: true, straight: true, mult: 1, coroutine: true}
	g.line("fmt.Println(%s)", strings.Join(append([]string{fmt.Sprintf("%q", "enter "+co.name)}, pnames...), ", "))
	lit := func(k kind) string {
		if k == kString {
			return g.strLit()
		}
		return g.intLit()
	}
	// valOf reads a parameter of kind k, or is a literal.
	valOf := func(k kind) string {
		var vs []string
		for _, p := range co.params {
			if p.k == k {
				vs = append(vs, p.name)
			}
		}
		if len(vs) == 0 || g.chance(0.2) {
			return lit(k)
		}
		return vs[g.intn(len(vs))]
	}
	if len(co.results) > 0 && g.chance(0.5) {
		r := co.results[0]
		g.line("defer func() {")
		g.line("\t%s += %s", r.name, lit(r.k))
		g.line("\tfmt.Println(%q, %s)", "defer "+co.name, r.name)
		g.line("}()")
	}
	for _, p := range co.params {
		if g.chance(0.5) {
			g.line("%s += %s", p.name, g.leafLit(c, lit(p.k)))
		}
	}
	var rnames []string
	for _, r := range co.results {
		g.line("%s = %s + %s", r.name, valOf(r.k), g.leafLit(c, lit(r.k)))
		rnames = append(rnames, r.name)
	}
	if g.chance(0.5) {
		g.line("{")
		g.ind++
		g.reservedLocalsIn(c, g.reservedNames(1+g.intn(2)))
		g.ind--
		g.line("}")
	}
	g.line("fmt.Println(%s)", strings.Join(append([]string{fmt.Sprintf("%q", co.name)}, append(pnames, rnames...)...), ", "))
	switch {
	case len(co.results) == 0:
		g.line("return %s + %s", valOf(kInt), g.leafLit(c, g.intLit()))
	case g.chance(0.5):
		g.line("return")
	default:
		var xs []string
		for _, r := range co.results {
			xs = append(xs, fmt.Sprintf("%s + %s", r.name, valOf(r.k)))
		}
		g.line("return %s", strings.Join(xs, ", "))
	}
	g.ind--
	g.line("}")
}

// CoroutineIdent.

// coroutineIdent uses coroutine as an ordinary identifier.
func (g *gen) coroutineIdent(c ctx) {
	flow := g.f.Has(ControlFlow) && c.mult <= 3
	g.choose(
		opt{w(!g.names["coroutine"], 4), func() string { // a local
			g.names["coroutine"] = true
			g.line("coroutine := (%s) & 3", g.intExpr(c, 2))
			g.line("fmt.Println(%q, use(coroutine), cfg{name: %s, coroutine: coroutine}, [4]int{%s, %s, %s, %s}[coroutine], scale(coroutine))",
				g.id("coroutine"), g.strLit(), g.intLit(), g.intLit(), g.intLit(), g.intLit())
			g.newVar("coroutine", kInt)
			return ""
		}},
		opt{3, func() string { // a field
			k := g.local("cf")
			g.line("%s := cfg{name: %s, coroutine: %s}", k, g.strExpr(c, 1), g.waitOr(c, kInt))
			g.line("%s.coroutine += %s", k, g.waitOr(c, kInt))
			g.fieldVars(k, []*variable{{name: "coroutine", k: kInt}, {name: "name", k: kString}})
			g.line("fmt.Println(%q, %s.coroutine, %s.total())", g.id("cfg"), k, k)
			return ""
		}},
		opt{2, func() string { // a closure's parameter
			f := g.local("f")
			g.line("%s := func(coroutine int) int { return coroutine*3 + %s }", f, g.intLit())
			g.newVar(f, kFunc)
			return ""
		}},
		opt{2, func() string { // plain functions' parameters, waited arguments
			g.line("fmt.Println(%q, scale(%s), use(%s, %s))", g.id("scale"), g.waitOr(c, kInt), g.intExpr(c, 1), g.waitOr(c, kInt))
			return ""
		}},
		opt{w(flow, 2), func() string { // a range variable
			body := g.loopCtx(c, WaitsInRange, 4)
			g.line("for coroutine := range (%s) & 3 {", g.intExpr(c, 1))
			g.line("\tfmt.Println(%q, coroutine)", g.id("coroutine"))
			g.bodyWith(body, &variable{name: "coroutine", k: kInt, ro: true})
			g.line("}")
			return ""
		}},
		opt{w(flow && !g.names["label coroutine"], 2), func() string { // a label
			g.names["label coroutine"] = true
			body := g.loopCtx(c, WaitsInFor, 3)
			i := g.local("i")
			g.ind--
			g.line("coroutine:")
			g.ind++
			g.line("for %s := 0; %s < 3; %s++ {", i, i, i)
			g.line("\tif %s == %d {", i, g.intn(3))
			g.line("\t\tcontinue coroutine")
			g.line("\t}")
			g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
			g.line("\tif %s {", g.boolExpr(body, 1))
			g.line("\t\tbreak coroutine")
			g.line("\t}")
			g.line("}")
			return ""
		}},
	)
}

// NoCoroutineFiles.

// plainCall is, in a program without coroutines, a call of a later
// function of kind k, or the runtime blocking on a leaf future.
func (g *gen) plainCall(c ctx, k kind, d int) string {
	if co := g.callee(c, k); co != nil {
		return g.callExpr(c, co)
	}
	if g.plainRuntime {
		return fmt.Sprintf("runtime.BlockOn(after(%q, %d, %s))", g.id("w"), g.intn(3), g.expr(c, k, d))
	}
	return fmt.Sprintf("trace(%q, %s)", g.id("t"), g.expr(c, k, d))
}

// plainCallStmt calls a later function without result, or one with two.
func (g *gen) plainCallStmt(c ctx) {
	if co := g.callee(c, kNone); co != nil {
		g.line("%s", g.callExpr(c, co))
		return
	}
	if co := g.callee(c, kMulti); co != nil && !c.noDecl {
		a, s := g.local("a"), g.local("s")
		g.line("%s, %s := %s", a, s, g.callExpr(c, co))
		g.newVar(a, kInt)
		g.newVar(s, kString)
		return
	}
	g.print(c)
}

// plainMainCall writes main's call of a function of a program without
// coroutines.
func (g *gen) plainMainCall(co *coro, call string) {
	switch co.result {
	case kNone:
		g.line("%s", call)
		g.line("fmt.Println(%q)", "main "+co.name+" done")
	case kMulti:
		a, s := g.id("a"), g.id("s")
		g.line("%s, %s := %s", a, s, call)
		g.line("fmt.Println(%q, %s, %s)", "main "+co.name, a, s)
	default:
		g.line("fmt.Println(%q, %s)", "main "+co.name, call)
	}
}

// AddressKeepers.

// accSrc is in the programs of AddressKeepers.
const accSrc = `// acc has pointer methods: a method value of one binds the address of
// the variable it is taken from.
type acc struct{ n int }

func (a *acc) bump(d int) int {
	a.n += d
	return a.n
}

func (a *acc) get() int { return a.n }

`

// addressKeeper writes code that keeps a variable's address without &.
func (g *gen) addressKeeper(c ctx) {
	switch g.intn(3) {
	case 0: // a method value bound before a wait, called after a change
		a, f := g.local("a"), g.local("f")
		g.line("%s := acc{n: %s}", a, g.intExpr(c, 1))
		method, arg := "get", ""
		if g.chance(0.5) {
			method, arg = "bump", g.intLit()
		}
		g.line("%s := %s.%s", f, a, method)
		g.waitStmt(c)
		if g.chance(0.5) {
			g.line("%s = acc{n: %s}", a, g.intExpr(c, 1))
		} else {
			g.line("%s.n += %s", a, g.intExpr(c, 1))
		}
		g.line("fmt.Println(%q, %s(%s), %s.n)", g.id("mv"), f, arg, a)
	case 1: // one method value per iteration, called after the loop
		fs, i, a, f := g.local("fs"), g.local("i"), g.local("a"), g.local("f")
		g.line("var %s []func() int", fs)
		g.line("for %s := range %d {", i, 2+g.intn(2))
		g.ind++
		g.line("%s := acc{n: %s * 10}", a, i)
		g.line("%s = append(%s, %s.get)", fs, fs, a)
		inner := c
		inner.waits = c.waits && g.f.Has(WaitsInRange)
		inner.straight = false // runs at each iteration: no stored future, waited once only
		inner.mult *= 3
		g.waitStmt(inner)
		g.line("%s.bump(1)", a)
		g.ind--
		g.line("}")
		g.line("for _, %s := range %s {", f, fs)
		g.line("	fmt.Print(%s(), %q)", f, " ")
		g.line("}")
		g.line("fmt.Println(%q)", g.id("fs"))
	default: // a backward goto declares x anew at each run
		if !c.straight || !g.f.Has(Goto) {
			g.addressKeeper(c)
			return
		}
		i, ps, fs, x := g.local("i"), g.local("ps"), g.local("fs"), g.local("x")
		label := strings.ToUpper(g.id("AGAIN"))
		n := 2 + g.intn(2)
		g.line("%s := 0", i)
		g.line("var %s []*int", ps)
		g.line("var %s []func() int", fs)
		g.line("%s:", label)
		g.line("%s := %s*3 + %s", x, i, g.intLit())
		g.line("%s = append(%s, &%s)", ps, ps, x)
		g.line("%s = append(%s, func() int { return %s })", fs, fs, x)
		again := c
		again.straight = false // the goto runs it again: no stored future, waited once only
		g.waitStmt(again)
		g.line("%s += 10", x)
		g.line("%s++", i)
		g.line("if %s < %d {", i, n)
		g.line("	goto %s", label)
		g.line("}")
		g.line("for k := range %s {", ps)
		g.line("	fmt.Print(*%s[k], %q, %s[k](), %q)", ps, " ", fs, " ")
		g.line("}")
		g.line("fmt.Println(%q)", g.id("goto"))
	}
}

// OrderProbes.

// setStrSrc is in the programs of OrderProbes.
const setStrSrc = `// setInt is a future that sets *p when polled, and is ready with v.
type setInt struct {
	p  *int
	to int
	v  int
}

func (f setInt) Poll(w runtime.Waker) (int, bool) {
	*f.p = f.to
	return f.v, true
}

// sblank is a string with a blank field of size 0 beside it: it has no
// sole component, so gc boxes it by address, copied before a later wait.
type sblank struct {
	_ struct{}
	s string
}

// kid is a map key of one word: gc looks it up on a fast path, through a
// copy made where it orders the statement.
type kid struct{ n int }

// setStr is a future that sets *s when polled, as code that runs while a
// coroutine waits may, and is ready with v.
type setStr struct {
	s  *string
	to string
	v  int
}

func (f setStr) Poll(w runtime.Waker) (int, bool) {
	*f.s = f.to
	return f.v, true
}

`

// genericProbeSrc is in the programs of OrderProbes with Generics.
const genericProbeSrc = `// setVar is a future that sets *p to v when polled, after a poll that
// is not ready.
type setVar[T any] struct {
	p *T
	v T
	n *int
}

func (s setVar[T]) Poll(w runtime.Waker) (int, bool) {
	if *s.n++; *s.n == 1 {
		w.Wake()
		return 0, false
	}
	*s.p = s.v
	return 0, true
}

func setVarTo[T any](p *T, v T) setVar[T] { return setVar[T]{p, v, new(int)} }

// Type arguments of gboxed, gkeyed and gcompared: gc orders their
// operands by the representation.
type (
	gw1  struct{ n int }
	gw2  struct{ a, b int8 }
	gw3  struct{ s string }
	gw4  [2]int
	gbig [17]int
)

// gboxed boxes T(x) into interfaces before a wait that changes x.
coroutine func gboxed[T any](name string, a, b T) (any, int) {
	x := a
	fmt.Println(name, T(x), setVarTo(&x, b).wait)
	x = a
	var i any
	var n int
	i, n = T(x), setVarTo(&x, b).wait
	fmt.Println(name, i, n)
	x = a
	return T(x), setVarTo(&x, b).wait
}

// gkeyed looks keys up and assigns them before a wait that changes them.
coroutine func gkeyed[K comparable, V any](name string, a, b K, va, vb V) {
	m := map[K]V{a: va, b: vb}
	k := a
	fmt.Println(name, m[K(k)], m[k], setVarTo(&k, b).wait)
	k = a
	ms := map[K]int{}
	ms[K(k)] = setVarTo(&k, b).wait
	k = a
	ms[k] += 1 + setVarTo(&k, b).wait
	fmt.Println(name, ms[a], ms[b])
}

// gcore uses values of type parameters through their core types: it
// ranges over an S ~[]E and an M ~map[K]E with waits in the bodies, looks
// M up with a key a later wait changes, and boxes an element of S before
// a wait that changes it.
coroutine func gcore[S ~[]E, M ~map[K]E, E any, K comparable](name string, s S, m M, a, b K) {
	for i, v := range s {
		fmt.Println(name, i, v, setVarTo(&s[i], s[0]).wait)
	}
	n := 0
	for range m {
		n += setVarTo(&n, n).wait + 1
	}
	k := a
	fmt.Println(name, n, m[K(k)], m[k], setVarTo(&k, b).wait)
	if len(s) > 1 {
		fmt.Println(name, s[1], setVarTo(&s[1], s[0]).wait)
	}
}

// gcompared compares T(x) before a wait that changes x.
coroutine func gcompared[T comparable](name string, a, b T) {
	x := a
	fmt.Println(name, T(x) == a == (setVarTo(&x, b).wait == 0), T(x) != b == (setVarTo(&x, a).wait == 0))
}

`

// genericTypeArgs are pairs of values of the type arguments gc orders
// differently, for genericProbe.
var genericTypeArgs = [][3]string{ // the type, two values
	{"int", "1", "2"}, {"int8", "int8(1)", "2"}, {"int16", "int16(1)", "2"}, {"uint32", "uint32(1)", "2"},
	{"float64", "1.5", "2.5"}, {"bool", "true", "false"}, {"string", `"x"`, `"y"`},
	{"gw1", "gw1{1}", "gw1{2}"}, {"gw2", "gw2{1, 1}", "gw2{2, 2}"}, {"gw3", `gw3{"x"}`, `gw3{"y"}`},
	{"gw4", "gw4{1}", "gw4{2}"}, {"[1]int", "[1]int{1}", "[1]int{2}"},
	{"[1]string", `[1]string{"x"}`, `[1]string{"y"}`}, {"any", "any(1)", "any(2)"},
	{"complex128", "complex(1, 1)", "2i"}, {"gbig", "gbig{1}", "gbig{2}"}, {"[3]byte", "[3]byte{1}", "[3]byte{2}"},
	{"sblank", `sblank{s: "x"}`, `sblank{s: "y"}`},
}

// genericProbe waits on a generic coroutine whose operands gc orders by
// its type arguments (e2e/genericorder.txtar, coretypes.txtar).
func (g *gen) genericProbe() {
	k := genericTypeArgs[g.intn(len(genericTypeArgs))]
	v := genericTypeArgs[g.intn(len(genericTypeArgs))]
	name := g.id("gp")
	switch g.intn(4) {
	case 0:
		g.line("fmt.Println(gboxed(%q, %s, %s).wait)", name, k[1], k[2])
	case 1:
		g.line("gkeyed(%q, %s, %s, %s, %s).wait", name, k[1], k[2], v[1], v[2])
	case 2:
		g.line("gcompared(%q, %s, %s).wait", name, k[1], k[2])
	default:
		g.line("gcore(%q, []%s{%s, %s}, map[%s]%s{%s: %s}, %s, %s).wait",
			name, v[0], v[1], v[2], k[0], v[0], k[1], v[2], k[1], k[2])
	}
}

// orderProbe writes a statement that reads a string in the places gc
// evaluates before a wait and after it, with a wait that changes it.
func (g *gen) orderProbe(c ctx) {
	if !c.waits {
		return
	}
	if g.f.Has(Generics) && g.chance(0.2) {
		g.genericProbe()
		return
	}
	if g.chance(0.4) {
		g.keyProbe()
		return
	}
	s, lit := g.local("s"), strLits[g.intn(len(strLits))]
	g.line("%s := %s", s, lit+` + "abc"`)
	reads := []string{
		fmt.Sprintf("int(%s[0])", s),
		fmt.Sprintf("int(%s[len(%s)-1])", s, s),
		fmt.Sprintf("len(%s)", s),
		fmt.Sprintf("len(%s[1:])", s),
		fmt.Sprintf("len(%s + %q)", s, "x"),
		fmt.Sprintf("len([]byte(%s))", s),
		fmt.Sprintf("int([]byte(%s)[0])", s),
		fmt.Sprintf("len(string(%s[0]) + %q)", s, "y"),
	}
	// The wait makes s longer (an index read before it stays in range).
	wait := fmt.Sprintf("setStr{&%s, %s + %q, %d}.wait", s, lit, []string{"abcxyz", "abcq", "qrstuvw"}[g.intn(3)], g.intn(5))
	var parts []string
	for range 1 + g.intn(3) {
		parts = append(parts, reads[g.intn(len(reads))])
	}
	parts = append(parts, wait)
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	switch g.intn(4) {
	case 0: // an int expression
		g.line("fmt.Println(%q, %s)", g.id("op"), strings.Join(parts, " + "))
	case 1: // boxed arguments
		g.line("fmt.Println(%q, %s)", g.id("op"), strings.Join(parts, ", "))
	case 2: // a map literal, entry by entry
		var entries []string
		for i, p := range parts {
			entries = append(entries, fmt.Sprintf("%d: %s", i, p))
		}
		m := g.local("m")
		g.line("%s := map[int]int{%s}", m, strings.Join(entries, ", "))
		g.line("fmt.Println(%q, %s)", g.id("op"), m)
	default: // struct comparisons, boxed
		p := g.local("p")
		g.line("%s := pt{len(%s), %q}", p, s, "k")
		g.line("fmt.Println(%q, %s == pt{3, %q}, pt{len(%s), %s[1:]} != %s, sblank{s: %s}, %s)", g.id("op"), p, "k", s, s, p, s, wait)
	}
	g.line("fmt.Println(%q, %s)", g.id("s"), s)
}

// keyProbe writes map keys and select operands that a wait after them
// changes: gc reads some before the wait (a one-word struct or array key
// of a lookup or an assignment; a select's operands) and some after (an
// int or two-word key; the key of a map literal's entry whose value waits).
func (g *gen) keyProbe() {
	m, k := g.local("m"), g.local("k")
	set := func(p string) string {
		return fmt.Sprintf("setInt{%s, %d, %d}.wait", p, 10+g.intn(3), g.intn(5))
	}
	switch g.intn(5) {
	case 0: // a fast-path struct key, read and assigned
		g.line("%s := map[kid]int{{1}: 1, {10}: 10, {11}: 11, {12}: 12}", m)
		g.line("%s := kid{1}", k)
		g.line("fmt.Println(%q, %s[%s], %s)", g.id("key"), m, k, set("&"+k+".n"))
		g.line("%s = kid{1}", k)
		g.line("%s[%s] += %s", m, k, set("&"+k+".n"))
		g.line("fmt.Println(%q, %s)", g.id("key"), m)
	case 1: // arrays of one word and of two
		a, b := g.local("a"), g.local("b")
		g.line("%s, %s := [1]int{1}, [2]int{1, 1}", a, b)
		g.line("%s := map[[1]int]int{}", m)
		g.line("%s[%s] = %s", m, a, set("&"+a+"[0]"))
		mb := g.local("mb")
		g.line("%s := map[[2]int]int{}", mb)
		g.line("%s[%s] = %s", mb, b, set("&"+b+"[0]"))
		g.line("fmt.Println(%q, %s, %s)", g.id("key"), m, mb)
	case 2: // the key of a map literal's waiting entry, and of one before
		j := g.local("j")
		g.line("%s, %s := 1, 2", k, j)
		g.line("fmt.Println(%q, map[int]int{%s: %s * 10, %s: %s})", g.id("lit"), j, j, k, set("&"+k))
	case 3: // a select's variable operands, before a wait in a later case
		v, out, never := g.local("v"), g.local("out"), g.local("never")
		g.line("%s := 1", v)
		g.line("%s := make(chan int, 1)", out)
		g.line("var %s chan int", never)
		g.line("select {")
		g.line("case %s <- %s:", out, v)
		g.line("	fmt.Println(%q, <-%s)", g.id("sel"), out)
		g.line("case %s <- %s:", never, set("&"+v))
		g.line("}")
		g.line("fmt.Println(%q, %s)", g.id("sel"), v)
	default: // a struct key read where an int key is not
		g.line("%s := map[kid]string{{1}: %q, {10}: %q, {11}: %q, {12}: %q}", m, "one", "ten", "eleven", "twelve")
		g.line("%s := kid{1}", k)
		g.line("fmt.Println(%q, %s[%s], %s[%s], %s)", g.id("key"), m, k, m, k, set("&"+k+".n"))
	}
}

// NaNKeys.

// nanKeys writes a map with NaN keys ranged over with a wait in the body,
// and an if whose condition compares a NaN and waits.
func (g *gen) nanKeys(c ctx) {
	if !c.waits {
		return
	}
	z, nan := g.local("z"), g.local("nan")
	g.line("%s := 0.0", z)
	g.line("%s := %s / %s // NaN", nan, z, z)
	m, acc, n := g.local("m"), g.local("acc"), g.local("n")
	switch g.intn(3) {
	case 0:
		g.line("%s := map[float64]int{%s: 1, %s: 2, 1.5: 4}", m, nan, nan)
	case 1:
		g.line("%s := map[any]int{%s: 1, %q: 2, %s: 4}", m, nan, "a", nan)
	default:
		g.line("%s := map[[2]float64]int{{%s, 1}: 1, {1, 1}: 2, {1, %s}: 4}", m, nan, nan)
	}
	v := g.local("v")
	g.line("%s, %s := 0, 0", acc, n)
	g.line("for _, %s := range %s {", v, m)
	g.ind++
	g.line("%s += %s * after(%q, %d, 1).wait", acc, v, g.id("w"), g.intn(3))
	g.line("%s++", n)
	sum := acc
	if g.chance(0.3) {
		g.line("clear(%s)", m)
		// Which entry came first is not the program's to know.
		sum = acc + " - " + acc
	}
	g.ind--
	g.line("}")
	g.line("fmt.Println(%q, %s, %s, len(%s))", g.id("nan"), n, sum, m)
	op := []string{">", "<", ">=", "<=", "==", "!="}[g.intn(6)]
	g.line("if %s %s %d {", nan, op, g.intn(3))
	g.line("	fmt.Println(%q, after(%q, 0, 1).wait)", g.id("cmp"), g.id("w"))
	g.line("} else {")
	g.line("	fmt.Println(%q)", g.id("cmp"))
	g.line("}")
}

// rangeVarWait writes a range loop whose iteration variable is an element
// chosen by a wait, evaluated at each iteration: for a[x.wait&3] = range n.
func (g *gen) rangeVarWait(c ctx) {
	if !c.waits {
		return
	}
	a := g.local("a")
	g.line("var %s [4]int", a)
	g.line("for %s[after(%q, %d, %d).wait&3] = range (%s)&3 {", a, g.id("w"), g.intn(3), g.intn(4), g.intExpr(c, 1))
	g.bodyWith(g.loopCtx(c, WaitsInRange, 4))
	g.line("}")
	g.line("fmt.Println(%q, %s)", g.id("arr"), a)
}

// PlaceTypes.

// stopSrc is in the programs of Defer.
const stopSrc = `// stopFunc is a named func type, as context.CancelFunc is: a value of it
// is deferred.
type stopFunc func()

func stopAt(tag string) stopFunc { return func() { fmt.Println("stop", tag) } }

`

// flagSrc is in the programs of PlaceTypes.
const flagSrc = `// flag is a named bool: a comparison in its place has its type.
type flag bool

`

// placeTypes writes an expression that waits after operands the type
// checker types by their place (an elided composite literal, nil, a
// comparison or a shift of a constant), which corofy moves into
// temporaries before the wait, and prints what it made.
func (g *gen) placeTypes(c ctx) {
	if !c.waits {
		return
	}
	a, b, m := g.local("a"), g.local("b"), g.local("m")
	g.line("%s, %s := %s, %s", a, b, g.intLit(), g.intLit())
	w := func(v string) string { return fmt.Sprintf("after(%q, %d, %s).wait", g.id("w"), g.intn(3), v) }
	switch g.intn(9) {
	case 7: // cases of a named type's literal, made ifs' conditions
		p := g.local("p")
		g.line("%s := pt{%s, %q}", p, a, "x")
		g.line("switch %s {", p)
		g.line("case pt{%s, %q}:", b, "x")
		g.line("	fmt.Println(%q, %s)", g.id("case"), w(b))
		g.line("case pt{%s, %q}, pt{%s + 1, %q}:", a, "x", b, "y")
		g.line("	fmt.Println(%q, %s)", g.id("case"), w(a))
		g.line("}")
		g.line("switch {")
		g.line("case %s == pt{%s, %q}:", p, b, "x")
		g.line("	fmt.Println(%q, %s)", g.id("tagless"), w(a))
		g.line("default:")
		g.line("	fmt.Println(%q, %q)", g.id("tagless"), "other")
		g.line("}")
		return
	case 8: // a channel of receive-only channels, kept across a wait
		in, out := g.local("in"), g.local("out")
		g.line("%s := make(chan int, 1)", in)
		g.line("%s <- %s + %s", in, a, b)
		g.line("%s := make(chan (<-chan int), 1)", out)
		g.line("%s <- %s", out, in)
		g.line("fmt.Println(%q, %s, <-<-%s)", g.id("chan"), w(b), out)
		return
	case 0: // elided struct values and keys
		if g.chance(0.5) {
			g.line("%s := map[string]pt{%q: {%s, %q}, %q: {A: %s}, %q: {%s, %q}}", m, "a", a, "x", "b", b, "c", w(a), "w")
		} else {
			g.line("%s := map[pt]int{{%s, %q}: %s, {%s + 1, %q}: %s}", m, a, "k", b, b, "m", w(b))
		}
		g.line("fmt.Println(%q, %s, tname(%s))", g.id("elided"), m, m)
	case 1: // elided pointers and nil
		g.line("%s := map[string]*pt{%q: {%s, %q}, %q: nil, %q: {%s, %q}}", m, "a", a, "x", "n", "w", w(b), "y")
		g.line("fmt.Println(%q, *%s[%q], %s[%q], *%s[%q], len(%s))", g.id("ptrs"), m, "a", m, "n", m, "w", m)
	case 2: // elided maps in a map
		g.line("%s := map[string]map[string]int{%q: {%q: %s}, %q: {%q: %s}}", m, "a", "x", a, "b", "y", w(b))
		g.line("fmt.Println(%q, %s)", g.id("maps"), m)
	case 3: // comparisons in a named bool's place
		g.line("%s := map[string]flag{%q: %s == %s, %q: %s < %s && %s < 10, %q: flag(%s)}", m, "eq", a, b, "lt", a, b, b, "w", w("true"))
		g.line("fmt.Println(%q, %s, tname(%s[%q]))", g.id("flags"), m, m, "eq")
	case 4: // a shift of a constant in an int64's place
		s := g.local("s")
		g.line("%s := uint(%s&7) + 30", s, a)
		g.line("%s := map[string]int64{%q: 1 << %s, %q: %s}", m, "shift", s, "w", w("int64("+b+")"))
		g.line("fmt.Println(%q, %s, tname(%s[%q]))", g.id("shift"), m, m, "shift")
	case 5: // nil and errors
		g.line("%s := map[string]error{%q: nil, %q: fmt.Errorf(%q, %s, %s)}", m, "none", "w", "e%d-%d", w(a), b)
		g.line("fmt.Println(%q, %s)", g.id("errs"), m)
	default: // a short-circuit into a named bool
		f := g.local("f")
		g.line("var %s flag = %s < %s && %s > 1", f, a, b, w(b))
		g.line("fmt.Println(%q, %s, tname(%s))", g.id("and"), f, f)
	}
}

// nestSrc is in the programs of Unevaluated.
const nestSrc = `// nest returns a future whose output is f: nest(f).wait.wait waits for
// both.
func nest[T any](f runtime.Future[T]) runtime.Future[runtime.Future[T]] {
	fmt.Println("nest")
	return runtime.Ready(f)
}

`
