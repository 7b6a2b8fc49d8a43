package randprog

import (
	"fmt"
	"sort"
	"strings"
)

// Receivers.

// receiversSrc declares the types that promote box's methods.
const receiversSrc = `
// pbox and vbox promote box's methods (pbox all of them, vbox those on a
// box value).
type pbox struct{ *box }

type vbox struct{ box }
`

// receiver picks the receiver of a call of a method coroutine: a box
// variable in scope (a *box, or the box of a value method's receiver),
// gb, or a literal. It returns the receiver as it is written before .m,
// and as a *box and a box.
func (g *gen) receiver(c ctx, co *coro) (recv, ptr, val string) {
	if v := g.pickVarP(0.7, ofKind(kBox)); v != nil {
		if v.value {
			return v.name, "&" + v.name, v.name
		}
		return v.name, v.name, "*" + v.name
	}
	if g.chance(0.3) {
		lit := fmt.Sprintf("box{n: %s}", g.expr(c, kInt, 1))
		if co.valueRecv && g.chance(0.5) {
			return lit, "(&" + lit + ")", lit // a value method of a literal
		}
		return "(&" + lit + ")", "(&" + lit + ")", lit
	}
	return "gb", "gb", "*gb"
}

// methodCall returns a call of the method coroutine co with arguments
// args, in one of the forms Receivers lists.
func (g *gen) methodCall(c ctx, co *coro, args []string) string {
	recv, ptr, val := g.receiver(c, co)
	a := strings.Join(args, ", ")
	first := func(r string) string { // the receiver as the first argument
		if a == "" {
			return r
		}
		return r + ", " + a
	}
	return g.choose(
		opt{4, func() string { return fmt.Sprintf("%s.%s(%s)", recv, co.name, a) }},
		opt{1, func() string { return fmt.Sprintf("(*box).%s(%s)", co.name, first(ptr)) }},
		opt{w(co.valueRecv, 1), func() string { return fmt.Sprintf("box.%s(%s)", co.name, first(val)) }},
		opt{1, func() string { return fmt.Sprintf("pbox{%s}.%s(%s)", ptr, co.name, a) }},
		opt{w(co.valueRecv, 1), func() string { return fmt.Sprintf("vbox{%s}.%s(%s)", val, co.name, a) }},
		opt{w(g.ifaceable(co), 2), func() string {
			r := ptr
			if co.valueRecv && g.chance(0.5) {
				r = val
			}
			return fmt.Sprintf("%s(%s).%s(%s)", g.iface(co), r, co.name, a)
		}},
	)
}

// ifaceable reports whether the method co can be called through an
// interface of the program: one whose result is one value (a future's
// type written without the runtime's tuples).
func (g *gen) ifaceable(co *coro) bool {
	return len(co.results) == 0 && co.result != kMulti && co.result != kTriple
}

// iface returns the name of an interface type with the method co,
// declared after main.
func (g *gen) iface(co *coro) string {
	name := fmt.Sprintf("im%d", co.idx)
	if g.ifaces == nil {
		g.ifaces = map[string]string{}
	}
	if _, ok := g.ifaces[name]; ok {
		return name
	}
	var params []string
	for _, p := range co.params {
		params = append(params, p.name+" "+p.k.goType())
	}
	result := co.resultType()
	if !g.plain {
		t := "struct{}"
		if co.result != kNone {
			t = co.result.goType()
		}
		result = "runtime.Future[" + t + "]"
	}
	g.ifaces[name] = fmt.Sprintf("// %s is the interface of %s.\ntype %s interface {\n\t%s(%s) %s\n}\n", name, co.name, name, co.name, strings.Join(params, ", "), result)
	return name
}

// ifaceDecls returns the declarations of the interfaces iface made.
func (g *gen) ifaceDecls() string {
	var names []string
	for name := range g.ifaces {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString("\n" + g.ifaces[name])
	}
	return b.String()
}

// methodValue binds a method coroutine's method value (or its method
// expression) before a wait and a change of the receiver, and calls it
// after them: a value method's receiver is copied when the method value
// is made; a method expression's when it is called.
func (g *gen) methodValue(c ctx) {
	co := g.calleeWhere(c, func(co *coro) bool { return co.method && g.ifaceable(co) })
	if co == nil {
		return
	}
	recv, ptr, val := g.receiver(c, co)
	if strings.HasPrefix(recv, "(&box") || strings.HasPrefix(recv, "box{") {
		recv, ptr, val = "gb", "gb", "*gb"
	}
	name := g.local("mv")
	var args []string
	for _, p := range co.params {
		args = append(args, g.expr(c, p.k, 1))
	}
	switch {
	case g.chance(0.6):
		g.line("%s := %s.%s", name, recv, co.name)
	case co.valueRecv && g.chance(0.5):
		g.line("%s := box.%s", name, co.name)
		args = append([]string{val}, args...)
	default:
		g.line("%s := (*box).%s", name, co.name)
		args = append([]string{ptr}, args...)
	}
	g.line("%s.n += %d", recv, 1+g.intn(9))
	g.line("%s", g.waitExpr(c, kNone, 1))
	call := fmt.Sprintf("%s(%s).wait", name, strings.Join(args, ", "))
	if co.result == kNone {
		g.line("%s", call)
	} else {
		g.line("fmt.Println(%q, %s)", g.id("mv"), call)
	}
}
