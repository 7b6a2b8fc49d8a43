package randprog

import (
	"fmt"
	"strings"
)

// valueKinds are the kinds of new locals, with their odds.
var valueKinds = []kind{kInt, kInt, kInt, kString, kString, kPt, kPt, kArr, kSlice, kMap, kBool}

// stmt writes one random statement (sometimes a few that belong
// together) for context c.
func (g *gen) stmt(c ctx) {
	co := g.cur
	inCoro := c.coroutine && !c.closure
	decl := !c.noDecl
	flow := g.f.Has(ControlFlow) && c.depth < 2 && !c.noDecl
	g.choose(
		opt{w(decl, 5), func() string { g.define(c); return "" }},
		opt{w(decl, 2), func() string { g.varDecl(c); return "" }},
		opt{5, func() string { g.assign(c); return "" }},
		opt{4, func() string { g.opAssign(c); return "" }},
		opt{1, func() string {
			if t := g.target(c, kInt); t != "" {
				g.line("%s%s", t, []string{"++", "--"}[g.intn(2)])
			}
			return ""
		}},
		opt{3, func() string { g.print(c); return "" }},
		opt{w(c.waits, 4), func() string {
			k := []kind{kNone, kNone, kInt, kString, kPt}[g.intn(5)]
			if c.straight && g.has(g.storedFut(k)) && g.chance(0.5) {
				g.line("%s", g.waitStored(k))
			} else {
				g.line("%s", g.waitExpr(c, k, 2))
			}
			return ""
		}},
		opt{2, func() string {
			k := valueKinds[g.intn(len(valueKinds))]
			g.line("show(%q, %s)", g.id("s"), g.expr(c, k, 2))
			return ""
		}},
		opt{2, func() string {
			if g.chance(0.5) {
				g.line("g1 += %s", g.intExpr(c, 2))
			} else {
				g.line("g2 = clip(%s) + %s", g.strExpr(c, 1), "g2[:min(len(g2), 6)]")
			}
			return ""
		}},
		opt{w(decl && g.f.Has(Closures), 2), func() string { g.closure(c); return "" }},
		opt{w(decl && g.f.Has(Pointers), 2), func() string { g.pointer(c); return "" }},
		opt{w(decl && g.f.Has(Channels) && c.straight, 1), func() string {
			name := g.local("ch")
			g.line("%s := make(chan int, 4)", name)
			g.newVar(name, kChan)
			return ""
		}},
		opt{w(c.straight && g.has(func(v *variable) bool { return v.k == kChan && v.count < 4 }), 3), func() string {
			v := g.pickVar(func(v *variable) bool { return v.k == kChan && v.count < 4 })
			g.line("%s <- %s", v.name, g.intExpr(c, 2))
			v.count++
			return ""
		}},
		opt{w(decl && g.f.Has(GoStmt), 1), func() string { g.goStmt(c); return "" }},
		opt{w(g.f.Has(MultiAssign), 2), func() string { g.multiAssign(c); return "" }},
		opt{w(decl && g.f.Has(StoredFutures) && c.straight && !c.plain, 2), func() string { g.storeFuture(c); return "" }},
		opt{w(decl && inCoro && !c.plain && len(g.reimports) > 0, 3), func() string { g.reimportVar(c); return "" }},
		opt{w(decl && c.waits && g.f.Has(MultiResults) && inCoro, 1), func() string { g.multiWait(c); return "" }},
		opt{w(flow, 6), func() string { g.flow(c); return "" }},
		opt{w(g.f.Has(ControlFlow) && inCoro && co.name != "main" && !c.noDecl, 1), func() string {
			g.line("if %s {", g.boolExpr(g.inIf(c), 1))
			g.ind++
			g.ret(g.inIf(c), !g.inIf(c).waits)
			g.ind--
			g.line("}")
			return ""
		}},
		opt{w(c.loop && g.f.Has(ControlFlow), 1), func() string {
			kw := []string{"break", "continue"}[g.intn(2)]
			g.line("if %s {", g.boolExpr(g.inIf(c), 1))
			g.line("\t%s", kw)
			g.line("}")
			return ""
		}},
		opt{w(decl && g.f.Has(Goto) && inCoro && c.straight, 2), func() string { g.gotoStmt(c); return "" }},
		opt{w(decl && g.f.Has(Defer) && inCoro && c.depth == 0, 2), func() string { g.deferStmt(c); return "" }},
		opt{w(co.recovers && inCoro && g.f.Has(ControlFlow), 1), func() string {
			g.line("if %s {", g.boolExpr(g.inIf(c), 1))
			g.line("\tpanic(%q)", g.id("panic"))
			g.line("}")
			return ""
		}},
		// The pending features (shapes.go).
		opt{w(decl && inCoro && g.f.Has(DeclBlocks), 3), func() string { g.declBlock(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(LocalTypes), 3), func() string { g.localType(c); return "" }},
		opt{w(decl && inCoro && c.waits && g.f.Has(NamedResultReturns|MultiResults), 1), func() string { g.tripleWait(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(PartialRedecl), 3), func() string { g.partialRedecl(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(Shadowing) && c.depth < 3, 2), func() string { g.shadowBlock(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(ReservedNameLocals), 1), func() string { g.reservedBlock(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(CoroutineIdent), 2), func() string { g.coroutineIdent(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(AddressKeepers), 2), func() string { g.addressKeeper(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(OrderProbes), 3), func() string { g.orderProbe(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(NaNKeys), 2), func() string { g.nanKeys(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(WaitsInRange), 1), func() string { g.rangeVarWait(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(ConstNames), 3), func() string { g.constNames(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(LocalTypeScopes), 3), func() string { g.localTypeScope(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(LocalFuncTypes), 3), func() string { g.localFuncType(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(PackageReservedNames), 3), func() string { g.pkgReservedUse(c); return "" }},
		opt{w(decl && inCoro && g.f.Has(PlaceTypes), 3), func() string { g.placeTypes(c); return "" }},
		opt{w(decl && inCoro && c.waits && g.f.Has(Receivers|Methods), 2), func() string { g.methodValue(c); return "" }},
		opt{w(c.plain, 2), func() string { g.plainCallStmt(c); return "" }},
		opt{w(g.f.Has(Positions), 2), func() string { g.line("here(%s)", lineMark); return "" }},
	)
}

// inIf is the context of an if statement's condition and branches.
func (g *gen) inIf(c ctx) ctx {
	c.waits = c.waits && g.f.Has(WaitsInIf)
	c.straight = false
	c.depth++
	return c
}

func (g *gen) define(c ctx) {
	k := valueKinds[g.intn(len(valueKinds))]
	name := g.local("v")
	g.line("%s := %s", name, g.expr(c, k, 2))
	g.newVar(name, k)
}

func (g *gen) varDecl(c ctx) {
	k := valueKinds[g.intn(len(valueKinds))]
	name := g.local("v")
	switch g.intn(3) {
	case 0:
		g.line("var %s = %s", name, g.expr(c, k, 2))
	case 1:
		g.line("var %s %s = %s", name, k.goType(), g.expr(c, k, 2))
	default:
		g.line("var %s %s", name, k.goType())
		if k == kSlice {
			g.line("%s = make([]int, 4)", name)
		}
		if k == kMap {
			g.line("%s = map[string]int{}", name)
		}
	}
	g.newVar(name, k)
}

func (g *gen) assign(c ctx) {
	k := []kind{kInt, kInt, kString, kPt, kArr, kSlice, kBool}[g.intn(7)]
	if k == kSlice && g.has(writable(kSlice)) && g.chance(0.5) {
		v := g.pickVar(writable(kSlice))
		g.line("%s = append(%s, %s)", v.name, v.name, g.intExpr(c, 2))
		return
	}
	t := g.target(c, k)
	if t == "" {
		k = kInt
		t = g.target(c, kInt)
	}
	if k == kString {
		// The target may outlive the call (gb.s, or g2 through a
		// pointer) and its value may read it twice: unclipped, it would
		// double at every call, and a recursion makes gigabytes of it.
		g.line("%s = clip(%s)", t, g.expr(c, k, 2))
		return
	}
	g.line("%s = %s", t, g.expr(c, k, 2))
}

func (g *gen) opAssign(c ctx) {
	if g.chance(0.3) {
		if t := g.target(c, kString); t != "" {
			g.line("%s += clip(%s)", t, g.strExpr(c, 2))
			return
		}
	}
	op := []string{"+=", "-=", "*=", "|=", "^=", "+="}[g.intn(6)]
	g.line("%s %s %s", g.target(c, kInt), op, g.intExpr(c, 2))
}

// print prints some printable variables in scope.
func (g *gen) print(c ctx) {
	if c.waits && g.f.Has(Pointers) && g.chance(0.15) {
		// Values put in interfaces before a call that changes what
		// they read, and a wait after it: gc evaluates the struct and
		// the bool before the call, the int after it.
		g.line("fmt.Println(%q, (pt{g1, g2}), (g1 < %s), g1+0, bump(&g1, %s), %s)",
			g.id("box"), g.lit(), g.lit(), g.waitExpr(c, kInt, 1))
		return
	}
	vs := g.vars(func(v *variable) bool { return v.k.printable() })
	args := []string{fmt.Sprintf("%q", g.id("p"))}
	for _, v := range vs {
		if g.chance(0.5) {
			args = append(args, v.name)
		}
	}
	// A struct or a bool put in an interface is evaluated in order with
	// the calls, an int after them (see boxedInOrder in transform): both
	// come before an int that may wait.
	if g.chance(0.3) {
		args = append(args, g.expr(c, kPt, 2))
	}
	if g.chance(0.3) {
		args = append(args, g.expr(c, kBool, 2))
	}
	if g.chance(0.5) {
		args = append(args, g.expr(c, kInt, 2))
	}
	g.line("fmt.Println(%s)", strings.Join(args, ", "))
}

// closure declares a func(int) int that shares a local.
func (g *gen) closure(c ctx) {
	name := g.local("f")
	k := g.local("k")
	body := ctx{mult: 1, closure: true, coroutine: c.coroutine, depth: c.depth}
	if v := g.pickVar(writable(kInt)); v != nil {
		g.line("%s := func(%s int) int {", name, k)
		g.line("\t%s += %s", v.name, k)
		g.line("\treturn %s * 2", v.name)
		g.line("}")
	} else if v := g.pickVar(writable(kString)); v != nil {
		g.line("%s := func(%s int) int {", name, k)
		g.line("\t%s += itoa(%s)", v.name, k)
		g.line("\treturn len(%s)", v.name)
		g.line("}")
	} else {
		g.push()
		g.newVar(k, kInt).used = true
		g.line("%s := func(%s int) int { return %s + %s }", name, k, k, g.intExpr(body, 1))
		g.popSilently()
	}
	g.newVar(name, kFunc)
}

// pointer declares a pointer to a local.
func (g *gen) pointer(c ctx) {
	name := g.local("ptr")
	if v := g.pickVarP(0.6, writable(kInt)); v != nil {
		g.line("%s := &%s", name, v.name)
		g.newVar(name, kPtrInt)
		return
	}
	if v := g.pickVar(writable(kPt)); v != nil {
		g.line("%s := &%s", name, v.name)
		g.newVar(name, kPtrPt)
		return
	}
	if v := g.pickVar(writable(kArr)); v != nil {
		g.line("%s := &%s[%d]", name, v.name, g.intn(4))
		g.newVar(name, kPtrInt)
		return
	}
	g.line("%s := new(int)", name)
	g.newVar(name, kPtrInt)
}

// goStmt runs a goroutine with waited arguments and joins it at once.
func (g *gen) goStmt(c ctx) {
	ch, res := g.local("done"), g.local("v")
	g.line("%s := make(chan int, 1)", ch)
	g.line("go func(a int, s string) { %s <- a*10 + len(s) }(%s, %s)", ch, g.intExpr(c, 2), g.strExpr(c, 2))
	g.line("%s := <-%s", res, ch)
	g.newVar(res, kInt)
}

func (g *gen) multiAssign(c ctx) {
	switch g.intn(3) {
	case 0:
		if !c.noDecl {
			k1, k2 := valueKinds[g.intn(len(valueKinds))], valueKinds[g.intn(len(valueKinds))]
			a, b := g.local("v"), g.local("v")
			g.line("%s, %s := %s, %s", a, b, g.expr(c, k1, 2), g.expr(c, k2, 2))
			g.newVar(a, k1)
			g.newVar(b, k2)
			return
		}
		fallthrough
	case 1:
		k1, k2 := []kind{kInt, kString, kPt}[g.intn(3)], []kind{kInt, kString, kPt}[g.intn(3)]
		t1, t2 := g.target(c, k1), g.target(c, k2)
		if t1 == "" || t2 == "" {
			g.assign(c)
			return
		}
		g.line("%s, %s = %s, %s", t1, t2, g.expr(c, k1, 2), g.expr(c, k2, 2))
	default: // a swap, with op-assignments around
		vs := g.vars(writable(kInt))
		if len(vs) < 2 {
			g.opAssign(c)
			return
		}
		a, b := vs[g.intn(len(vs))], vs[g.intn(len(vs))]
		a.used, b.used = true, true
		g.line("%s, %s = %s + %s, %s", a.name, b.name, b.name, g.intExpr(c, 1), a.name)
	}
}

// storeFuture keeps a future in a local, to be waited on later (or not).
func (g *gen) storeFuture(c ctx) {
	name := g.local("fu")
	k := []kind{kInt, kString, kPt}[g.intn(3)]
	if co := g.callee(c, k); co != nil && g.chance(0.6) {
		g.line("%s := %s", name, g.callExpr(c, co))
	} else {
		g.line("%s := after(%q, %d, %s)", name, g.id("w"), g.intn(4), g.expr(c, k, 1))
	}
	v := g.newVar(name, kFut)
	v.out = k
}

// multiWait waits on a coroutine with two results.
func (g *gen) multiWait(c ctx) {
	co := g.callee(c, kMulti)
	if co == nil {
		g.assign(c)
		return
	}
	a, b := g.local("a"), g.local("s")
	g.line("%s, %s := %s.wait", a, b, g.callExpr(c, co))
	g.newVar(a, kInt)
	g.newVar(b, kString)
}

// block writes n statements in a new scope; term, if not "", ends it
// (after the scope's variables are printed).
func (g *gen) block(c ctx, n int, term string) {
	g.ind++
	g.push()
	for i := 0; i < n; i++ {
		g.stmt(c)
	}
	g.pop()
	if term != "" {
		g.line("%s", term)
	}
	g.ind--
}

func (g *gen) nstmts() int { return 1 + g.intn(3) }

// flow writes a control-flow statement.
func (g *gen) flow(c ctx) {
	inCoro := c.coroutine && !c.closure
	g.choose(
		opt{4, func() string { g.ifStmt(c); return "" }},
		opt{3, func() string { g.forStmt(c); return "" }},
		opt{3, func() string { g.rangeStmt(c); return "" }},
		// More ranges with RangeFuncWaits, which makes most of them
		// ranges over functions.
		opt{w(g.f.Has(RangeFuncWaits), 2), func() string { g.rangeStmt(c); return "" }},
		opt{3, func() string { g.switchStmt(c); return "" }},
		opt{1, func() string { g.typeSwitch(c); return "" }},
		opt{1, func() string { g.selectStmt(c); return "" }},
		opt{1, func() string {
			b := c
			b.waits = c.waits && g.f.Has(WaitsInBlocks)
			b.depth++
			g.line("{")
			g.block(b, g.nstmts(), "")
			g.line("}")
			return ""
		}},
		opt{w(g.f.Has(LabeledLoops) && c.mult <= 3, 2), func() string { g.labeled(c); return "" }},
		opt{w(g.f.Has(PerIterationClosures) && c.mult <= 3 && inCoro, 2), func() string { g.perIteration(c); return "" }},
	)
}

func (g *gen) ifStmt(c ctx) {
	ic := g.inIf(c)
	if g.chance(0.3) && !c.noDecl {
		g.push()
		x := g.local("x")
		g.line("if %s := %s; %s > %s {", x, g.intExpr(ic, 2), x, g.intAtom(ic))
		g.newVar(x, kInt).used = true
		g.block(ic, g.nstmts(), "")
		g.popSilently()
	} else {
		g.line("if %s {", g.boolExpr(ic, 2))
		g.block(ic, g.nstmts(), "")
	}
	for g.chance(0.3) {
		g.line("} else if %s {", g.boolExpr(ic, 1))
		g.block(ic, g.nstmts(), "")
	}
	if g.chance(0.5) {
		g.line("} else {")
		g.block(ic, g.nstmts(), "")
	}
	g.line("}")
}

// branchCtx is the context of the clauses of a switch, type switch or
// select: one of them runs, and break leaves the statement.
func (g *gen) branchCtx(c ctx, feature Features) ctx {
	c.waits = c.waits && g.f.Has(feature)
	c.straight = false
	c.depth++
	c.brk = true
	return c
}

// loopCtx is the context of a loop body that runs up to n times.
func (g *gen) loopCtx(c ctx, feature Features, n int) ctx {
	c.waits = c.waits && g.f.Has(feature)
	c.straight = false
	c.mult *= n
	c.loop, c.brk = true, true
	c.depth++
	return c
}

func (g *gen) forStmt(c ctx) {
	body := g.loopCtx(c, WaitsInFor, 3)
	head := c
	head.waits = body.waits
	head.straight = false
	head.mult = c.mult * 4
	i := g.local("i")
	switch g.intn(4) {
	case 0:
		g.line("for %s := (%s)&1; %s < (%s)&3; %s++ {", i, g.intExpr(head, 1), i, g.intExpr(head, 1), i)
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	case 1:
		g.line("for %s := 0; %s < 3; %s += 1 + (%s)&1 {", i, i, i, g.intExpr(head, 1))
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	case 2:
		g.line("%s := 0", i)
		g.line("for %s < %s {", i, []string{"1", "2", "3"}[g.intn(3)])
		g.line("\t%s++", i)
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	default:
		g.line("%s := 0", i)
		g.line("for {")
		g.line("\tif %s >= (%s)&3 {", i, g.intExpr(head, 1))
		g.line("\t\tbreak")
		g.line("\t}")
		g.line("\t%s++", i)
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	}
	g.line("}")
}

// bodyWith writes a loop or clause body in which vars are declared.
func (g *gen) bodyWith(c ctx, vars ...*variable) {
	g.ind++
	g.push()
	for _, v := range vars {
		g.declare(v)
	}
	for i, n := 0, g.nstmts(); i < n; i++ {
		g.stmt(c)
	}
	g.pop()
	g.ind--
}

func (g *gen) rangeStmt(c ctx) {
	body := g.loopCtx(c, WaitsInRange, 4)
	head := c
	head.waits = body.waits
	i, v := g.local("i"), g.local("e")
	if g.f.Has(Unevaluated) && g.chance(0.15) {
		// The length is a constant: Go does not evaluate the range
		// expression, even a nil pointer's indirection.
		p := g.local("p")
		if a := g.pickVar(ofKind(kArr)); a != nil && g.chance(0.5) {
			g.line("%s := &%s", p, a.name)
		} else {
			g.line("var %s *[%d]int", p, 1+g.intn(3))
		}
		g.line("_ = %s", p)
		if g.chance(0.3) {
			g.line("for range *%s {", p)
			g.bodyWith(body)
		} else {
			g.line("for %s := range *%s {", i, p)
			g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
		}
		g.line("}")
		return
	}
	kind := g.intn(7)
	if g.f.Has(RangeFuncWaits) && g.chance(0.5) {
		kind = 6 // a function, which the machine pulls when the body waits
	}
	switch kind {
	case 0:
		g.line("for %s, %s := range %s {", i, v, g.expr(head, kSlice, 1))
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true}, &variable{name: v, k: kInt, ro: true})
	case 1:
		if a := g.pickVar(ofKind(kArr)); a != nil && g.f.Has(Pointers) {
			g.line("for %s, %s := range &%s {", i, v, a.name)
		} else {
			g.line("for %s, %s := range %s {", i, v, g.expr(head, kArr, 1))
		}
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true}, &variable{name: v, k: kInt, ro: true})
	case 2:
		g.line("for %s := range (%s)&3 {", i, g.intExpr(head, 1))
		g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	case 3:
		s := strLits[g.intn(len(strLits))]
		if g.chance(0.5) {
			s = fmt.Sprintf("(%s + \"\\xe6\\x97\" + %s)", s, strLits[g.intn(len(strLits))])
		}
		x := g.local("x")
		g.line("for %s, %s := range %s {", i, v, s)
		g.line("\t%s := %s*1000 + int(%s)", x, i, v)
		g.bodyWith(body, &variable{name: x, k: kInt})
	case 4: // a map: the body must not depend on the order
		m := g.pickVar(ofKind(kMap))
		mexpr := ""
		if m != nil {
			mexpr = m.name
		} else {
			mexpr = g.expr(head, kMap, 1)
		}
		acc := g.local("acc")
		g.line("%s := 0", acc)
		g.line("for %s, %s := range %s {", i, v, mexpr)
		g.ind++
		if body.waits && g.chance(0.7) {
			g.line("%s += %s * len(%s) * after(%q, %d, 1).wait", acc, v, i, g.id("w"), g.intn(4))
		} else {
			g.line("%s += %s * len(%s)", acc, v, i)
		}
		if m != nil && g.chance(0.3) {
			g.line("delete(%s, %s)", mexpr, i)
		}
		g.ind--
		g.line("}")
		g.line("fmt.Println(%q, %s)", g.id("acc"), acc)
		return
	case 5: // a channel, closed
		ch := g.local("ch")
		g.line("%s := make(chan int, 3)", ch)
		for k, n := 0, g.intn(4); k < n; k++ {
			g.line("%s <- %s", ch, g.intExpr(c, 1))
		}
		g.line("close(%s)", ch)
		g.line("for %s := range %s {", v, ch)
		g.bodyWith(body, &variable{name: v, k: kInt, ro: true})
	default: // a function
		body.waits = body.waits && g.f.Has(RangeFuncWaits)
		var vars []*variable
		switch shape := 0; {
		case g.f.Has(RangeFuncWaits):
			// With waits, the machine pulls the iterator: its one or
			// two values, or none.
			// The iterator's type or its yield's may have a name.
			if shape = g.intn(4); shape == 3 {
				g.line("for range %s((%s)&3) {", g.pickOf("seq", "nseq"), g.intExpr(head, 1))
				break
			}
			fallthrough
		default:
			if shape == 2 {
				g.line("for %s, %s := range %s((%s)&3) {", i, v, g.pickOf("seq2", "nseq2"), g.intExpr(head, 1))
				vars = append(vars, &variable{name: i, k: kInt, ro: true})
			} else {
				g.line("for %s := range %s((%s)&3) {", v, g.pickOf("seq", "nseq"), g.intExpr(head, 1))
			}
			vars = append(vars, &variable{name: v, k: kInt, ro: true})
		}
		v := v
		if len(vars) == 0 { // no value to test or print: another
			v = fmt.Sprintf("(%s)&3", g.intExpr(head, 1))
		}
		if c.coroutine && !c.closure && g.cur.name != "main" && !c.noDecl && g.f.Has(ControlFlow) && g.chance(0.4) {
			// A return from the body: the iterator says it stopped,
			// and ends, before the coroutine's deferred calls run, one
			// of them perhaps deferred in the body.
			g.ind++
			if g.f.Has(Defer) && g.chance(0.6) {
				g.line("defer fmt.Println(%q, %s)", g.id("deferred"), v)
			}
			g.line("if %s == %d {", v, []int{0, 1, 4}[g.intn(3)])
			g.ind++
			g.ret(body, !body.waits)
			g.ind--
			g.line("}")
			g.ind--
		}
		g.bodyWith(body, vars...)
	}
	g.line("}")
}

func (g *gen) switchStmt(c ctx) {
	sc := g.branchCtx(c, WaitsInSwitch)
	g.push()
	tagless := g.chance(0.3)
	// With InterfaceCases, a tagless switch's cases may be interfaces,
	// which Go compares with true, and a tag may be an interface.
	iface := g.f.Has(InterfaceCases) && g.chance(0.4)
	if g.chance(0.3) && !c.noDecl {
		x := g.local("x")
		init := fmt.Sprintf("%s := %s; ", x, g.intExpr(sc, 1))
		g.newVar(x, kInt).ro = true
		tagless, iface = false, false
		g.line("switch %s(%s ^ %s)&3 {", init, x, g.intExpr(sc, 2))
	} else if tagless {
		g.line("switch {")
	} else if iface {
		g.line("switch any((%s)&3) {", g.intExpr(sc, 2))
	} else {
		g.line("switch (%s)&3 {", g.intExpr(sc, 2))
	}
	n := 1 + g.intn(3)
	consts := g.r.Perm(4)
	var strs []int // the string constants of an interface tag's cases
	if iface {
		strs = g.r.Perm(4)
	}
	for k := 0; k < n; k++ {
		var cases []string
		for j, m := 0, 1+g.intn(2); j < m; j++ {
			switch {
			case tagless && iface && g.chance(0.5):
				if g.chance(0.7) {
					cases = append(cases, fmt.Sprintf("trace(%q, any(%s))", g.id("case"), g.boolExpr(sc, 1)))
				} else { // never true
					cases = append(cases, fmt.Sprintf("trace(%q, any(%s))", g.id("case"), g.intExpr(sc, 1)))
				}
			case tagless:
				cases = append(cases, fmt.Sprintf("trace(%q, %s)", g.id("case"), g.boolExpr(sc, 1)))
			case iface && len(strs) > 0 && g.chance(0.3):
				// A string constant, never equal to the int tag.
				cases = append(cases, fmt.Sprintf("%q", fmt.Sprint(strs[0])))
				strs = strs[1:]
			case len(consts) > 0 && g.chance(0.5):
				cases = append(cases, fmt.Sprint(consts[0]))
				consts = consts[1:]
			case sc.waits && g.chance(0.5):
				cases = append(cases, g.waitExpr(sc, kInt, 0))
			default: // not a constant, whose duplicates are errors
				cases = append(cases, fmt.Sprintf("trace(%q, %s)", g.id("case"), g.intExpr(sc, 1)))
			}
		}
		g.line("case %s:", strings.Join(cases, ", "))
		term := ""
		if k < n-1 && g.chance(0.25) {
			term = "fallthrough"
		}
		g.block(sc, g.nstmts(), term)
	}
	if g.chance(0.6) {
		g.line("default:")
		g.block(sc, g.nstmts(), "")
	}
	g.line("}")
	g.popSilently()
}

func (g *gen) typeSwitch(c ctx) {
	sc := g.branchCtx(c, WaitsInSwitch)
	k := []kind{kInt, kString, kPt, kBool}[g.intn(4)]
	x := g.local("x")
	g.line("switch %s := any(%s).(type) {", x, g.expr(sc, k, 2))
	for _, cs := range []string{"int", "string", "pt", "bool, []int"} {
		if g.chance(0.7) {
			g.line("case %s:", cs)
			g.bodyWith(sc, &variable{name: x, k: kNone, ro: true})
		}
	}
	g.line("default:")
	g.bodyWith(sc, &variable{name: x, k: kNone, ro: true})
	g.line("}")
}

// selectStmt writes a select with exactly one ready case (or the
// default), so that it is deterministic.
func (g *gen) selectStmt(c ctx) {
	sc := g.branchCtx(c, WaitsInSelect)
	head := sc
	head.straight = c.straight
	a, b := g.local("ra"), g.local("sb")
	g.line("%s, %s := make(chan int, 1), make(chan int, 1)", a, b)
	ready := g.intn(3) // 0: the receive, 1: the send, 2: the default
	if ready == 0 {
		g.line("%s <- %s", a, g.intExpr(c, 1))
	}
	if ready != 1 {
		g.line("%s <- 0", b)
	}
	x := g.local("x")
	form := 0
	if g.f.Has(ReceiveForms) {
		form = g.intn(6)
	}
	if form == 5 { // assigned to variables declared before
		g.line("var %s int", x)
		g.line("var %s bool", x+"ok")
	}
	g.line("select {")
	recv := fmt.Sprintf("<-pick(%s, %s)", a, g.intExpr(head, 1))
	switch form {
	case 0:
		g.line("case %s := %s:", x, recv)
	case 1:
		g.line("case _ = %s:", recv)
	case 2:
		g.line("case _, _ = %s:", recv)
	case 3:
		g.line("case _, %s := %s:", x+"ok", recv)
	case 4:
		g.line("case %s, _ := %s:", x, recv)
	case 5:
		g.line("case %s, %s = %s:", x, x+"ok", recv)
	}
	switch form {
	case 0, 4, 5:
		if form == 5 {
			g.line("\tfmt.Println(%q, %s, %s)", g.id("ok"), x, x+"ok")
		}
		g.bodyWith(sc, &variable{name: x, k: kInt, ro: true})
	case 3:
		g.line("\tfmt.Println(%q, %s)", g.id("ok"), x+"ok")
		g.block(sc, g.nstmts(), "")
	default:
		g.block(sc, g.nstmts(), "")
	}
	g.line("case %s <- %s:", b, g.intExpr(head, 2))
	g.block(sc, g.nstmts(), "")
	if ready == 2 || g.chance(0.5) {
		g.line("default:")
		g.block(sc, g.nstmts(), "")
	}
	g.line("}")
}

// labeled writes nested loops with labeled break and continue.
func (g *gen) labeled(c ctx) {
	body := g.loopCtx(c, WaitsInFor, 3)
	body = g.loopCtx(body, WaitsInFor, 3)
	label := strings.ToUpper(g.id("L"))
	i, j := g.local("i"), g.local("j")
	body.labels = append(append([]string(nil), c.labels...), label)
	g.line("%s:", label)
	g.line("for %s := 0; %s < 3; %s++ {", i, i, i)
	g.ind++
	g.line("for %s := 0; %s < 3; %s++ {", j, j, j)
	g.ind++
	g.line("if (%s+%s)&%d == 1 {", i, j, 1+g.intn(3))
	g.line("\tcontinue %s", label)
	g.line("}")
	g.push()
	g.declare(&variable{name: i, k: kInt, ro: true})
	g.declare(&variable{name: j, k: kInt, ro: true})
	for k, n := 0, g.nstmts(); k < n; k++ {
		g.stmt(body)
	}
	g.pop()
	g.line("if %s {", g.boolExpr(body, 1))
	g.line("\tbreak %s", label)
	g.line("}")
	g.ind--
	g.line("}")
	g.ind--
	g.line("}")
}

// perIteration captures per-iteration loop variables in closures and
// pointers, and calls them after the loop.
func (g *gen) perIteration(c ctx) {
	fs, ps := g.local("fs"), g.local("ps")
	g.line("var %s []func() int", fs)
	g.line("var %s []*int", ps)
	i := g.local("i")
	var body ctx
	if g.chance(0.5) {
		body = g.loopCtx(c, WaitsInFor, 3)
		body.loop, body.brk = false, false
		g.line("for %s := 0; %s < 3; %s++ {", i, i, i)
	} else {
		body = g.loopCtx(c, WaitsInRange, 3)
		body.loop, body.brk = false, false
		g.line("for %s := range 3 {", i)
	}
	g.ind++
	g.line("%s = append(%s, func() int { return %s * 10 })", fs, fs, i)
	g.line("%s = append(%s, &%s)", ps, ps, i)
	g.ind--
	g.bodyWith(body, &variable{name: i, k: kInt, ro: true})
	g.line("}")
	g.line("fmt.Println(%q, %s[0](), %s[1](), %s[2](), *%s[0], *%s[1], *%s[2])", g.id("iter"), fs, fs, fs, ps, ps, ps)
}

// gotoStmt writes a forward goto over some statements, or a backward
// goto that repeats some, across waits.
func (g *gen) gotoStmt(c ctx) {
	label := strings.ToUpper(g.id("G"))
	inner := c
	inner.noDecl = true
	if g.chance(0.5) {
		g.line("if %s {", g.boolExpr(g.inIf(c), 1))
		g.line("\tgoto %s", label)
		g.line("}")
		inner.straight = false
		for k, n := 0, g.nstmts(); k < n; k++ {
			g.stmt(inner)
		}
		g.ind--
		g.line("%s:", label)
		g.ind++
		g.line("fmt.Println(%q)", label)
		return
	}
	cnt := g.local("gc")
	g.line("%s := 0", cnt)
	g.ind--
	g.line("%s:", label)
	g.ind++
	inner.straight = false
	inner.mult *= 2
	g.line("%s++", cnt)
	for k, n := 0, g.nstmts(); k < n; k++ {
		g.stmt(inner)
	}
	g.line("if %s < 2 {", cnt)
	g.line("\tgoto %s", label)
	g.line("}")
}

// deferStmt defers a print with waited arguments or a closure that reads
// locals (and changes the named result).
func (g *gen) deferStmt(c ctx) {
	switch g.intn(4) {
	case 3: // a function value of a named func type (e2e/deferargs.txtar)
		if g.chance(0.5) {
			g.line("defer stopAt(%q)()", g.id("stop"))
		} else {
			st := g.local("st")
			g.line("%s := stopAt(%q)", st, g.id("stop"))
			g.line("defer %s()", st)
		}
	case 0:
		g.line("defer fmt.Println(%q, %s, %s)", g.id("defer"), g.intExpr(c, 2), g.strExpr(c, 2))
	case 1:
		vs := g.vars(func(v *variable) bool { return v.k.printable() })
		args := []string{fmt.Sprintf("%q", g.id("defer"))}
		for _, v := range vs {
			if g.chance(0.5) {
				v.used = true
				args = append(args, v.name)
			}
		}
		g.line("defer func() { fmt.Println(%s) }()", strings.Join(args, ", "))
	default:
		co := g.cur
		if co.named != "" && co.result == kInt {
			g.line("defer func() { %s = %s*3 + 1 }()", co.named, co.named)
		} else {
			g.line("defer show(%q, %s)", g.id("defer"), g.intExpr(c, 2))
		}
	}
}
