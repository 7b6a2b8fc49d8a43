package transform

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	cparser "github.com/corofy/corofy/parser"
)

// This file words the type checker's errors about the lowered file as
// errors about the .gocoro source: no message shows the lowering (the
// runtime.Await calls that stand for waits, the runtime.TupleN that
// carries several results).

// waitMessage rewords a type error that mentions a lowered
// runtime.Await(x) call of lf. An error of the call itself becomes ".wait
// on a value that is not a future", or, for a wait that must give several
// values, an assignment mismatch; in any other error, such as a mismatched
// operand, the call is written back as the user wrote it, x.wait.
func waitMessage(lf *loadedFile, info *types.Info, pos token.Pos, msg string) string {
	if !strings.Contains(msg, "Await") {
		return msg
	}
	// An error of a call itself: of the waits around pos (x.wait.wait
	// nests one in another), the one whose operand the message names,
	// "type int of x does not match": the longest such operand, as an
	// inner wait's operand is part of the outer's.
	var co *cparser.Coroutine
	var w *cparser.Wait
	operand := ""
	for _, c := range lf.lowered.Coroutines {
		for _, cw := range c.Waits {
			x := cw.Call.Args[0]
			fun := types.ExprString(cw.Call.Fun)
			if pos < cw.Call.Pos() || pos > cw.Call.End() || !strings.HasPrefix(msg, "in call to "+fun) && !strings.HasPrefix(msg, "too many arguments in call to "+fun) {
				continue
			}
			if text := types.ExprString(x); w == nil || strings.Contains(msg, " "+text+" ") && len(text) > len(operand) {
				co, w, operand = c, cw, text
			}
		}
	}
	if w != nil {
		return waitCallMessage(lf, info, co, w)
	}
	return unlowered(lf, msg)
}

// unlowered writes every lowered wait in s, runtime.Await(x), as the
// user wrote it, x.wait.
func unlowered(lf *loadedFile, s string) string {
	if !strings.Contains(s, "Await") {
		return s
	}
	type lowered struct{ call, wait string }
	var calls []lowered
	for _, co := range lf.lowered.Coroutines {
		for _, w := range co.Waits {
			calls = append(calls, lowered{types.ExprString(w.Call), types.ExprString(w.Call.Args[0]) + ".wait"})
		}
	}
	// Outer calls first: their text holds that of the calls inside them,
	// which the later replacements write back in turn.
	sort.SliceStable(calls, func(i, j int) bool { return len(calls[i].call) > len(calls[j].call) })
	for _, c := range calls {
		s = strings.ReplaceAll(s, c.call, c.wait)
	}
	return s
}

// waitCallMessage explains why the wait w cannot be typed: x is not a
// future, or it gives another number of values than its place needs.
func waitCallMessage(lf *loadedFile, info *types.Info, co *cparser.Coroutine, w *cparser.Wait) string {
	x := w.Call.Args[0]
	what := unlowered(lf, types.ExprString(x))
	t := info.TypeOf(x)
	if t == nil {
		return fmt.Sprintf("'.wait' on %s, which is not a runtime.Future", what)
	}
	if tuple, ok := t.(*types.Tuple); ok { // a call with several results
		var ts []string
		for v := range tuple.Variables() {
			ts = append(ts, typeString(v.Type(), lf.types))
		}
		return fmt.Sprintf("'.wait' on %s, which gives %d values (%s): .wait takes one future (assign them first, then wait on the future)", what, tuple.Len(), strings.Join(ts, ", "))
	}
	if hint := futureHint(t, what, lf.types); hint != "" {
		return hint
	}
	out := pollOutput(t)
	if out == nil || w.N < 2 {
		msg := fmt.Sprintf("'.wait' on %s of type %s, which is not a runtime.Future (it needs a method Poll(runtime.Waker) (T, bool))", what, typeString(t, lf.types))
		if obj := waitMember(t); obj != nil {
			// x.wait always waits in a .gocoro file: the field or
			// method cannot be selected there.
			kind := "field"
			if _, ok := obj.(*types.Func); ok {
				kind = "method"
			}
			msg += fmt.Sprintf("; in a .gocoro file .wait always waits, so the %s wait of %s cannot be selected: rename it, or use it from a .go file", kind, typeString(t, lf.types))
		}
		return msg
	}
	have := values(out)
	switch waitPlace(co, w) {
	case "return":
		return fmt.Sprintf("wrong number of return values: %s.wait has %s, the coroutine returns %d", what, plural(have, "value"), w.N)
	default:
		return fmt.Sprintf("assignment mismatch: %s but %s.wait has %s", plural(w.N, "variable"), what, plural(have, "value"))
	}
}

// futureHint words the mistakes of a wait on something next to a future:
// a value whose Poll has a pointer receiver, a pointer to a future of
// interface type, a function that returns a future, not called; or "".
func futureHint(t types.Type, what string, pkg *types.Package) string {
	ts := typeString(t, pkg)
	if obj, _, _ := types.LookupFieldOrMethod(t, false, nil, "Poll"); obj == nil && pollOutput(types.NewPointer(t)) != nil {
		return fmt.Sprintf("'.wait' on %s of type %s, whose method Poll has a pointer receiver: only a *%s is a runtime.Future (wait on &%s)", what, ts, ts, what)
	}
	if p, ok := t.Underlying().(*types.Pointer); ok && types.IsInterface(p.Elem()) && pollOutput(p.Elem()) != nil {
		return fmt.Sprintf("'.wait' on %s of type %s, a pointer to a future: wait on the future, (*%s).wait", what, ts, what)
	}
	if sig, ok := t.Underlying().(*types.Signature); ok && sig.Results().Len() == 1 && pollOutput(sig.Results().At(0).Type()) != nil {
		return fmt.Sprintf("'.wait' on %s of type %s, a function that returns a future: call it, %s(...).wait", what, ts, what)
	}
	return ""
}

// waitMember returns t's field or method named wait, or nil.
func waitMember(t types.Type) types.Object {
	var pkg *types.Package // of t: a field wait is not exported
	base := t
	if p, ok := base.(*types.Pointer); ok {
		base = p.Elem()
	}
	if n, ok := types.Unalias(base).(*types.Named); ok {
		pkg = n.Obj().Pkg()
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, pkg, "wait")
	return obj
}

// values returns how many values a wait on a future of output t gives: n
// for a runtime.TupleN, else 1.
func values(t types.Type) int {
	if named, ok := t.(*types.Named); ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == runtimePath {
		switch named.Obj().Name() {
		case "Tuple2":
			return 2
		case "Tuple3":
			return 3
		}
	}
	return 1
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// waitPlace returns "return" when the wait w is what a return statement
// of co returns, and "" otherwise.
func waitPlace(co *cparser.Coroutine, w *cparser.Wait) string {
	place := ""
	ast.Inspect(co.Body(), func(n ast.Node) bool {
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 && r.Results[0] == w.Call {
			place = "return"
		}
		return place == ""
	})
	return place
}

// typeString writes t with package names, not paths, as a user reads it.
func typeString(t types.Type, pkg *types.Package) string {
	return carrierTypes(types.TypeString(t, func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}))
}

// carrierTypes writes the runtime's carriers of several results in msg as
// the results they carry, (int, string) for runtime.Tuple2[int, string],
// and the runtime's path as its name.
func carrierTypes(msg string) string {
	for _, q := range []string{`"` + runtimePath + `".`, runtimePath + "."} {
		msg = strings.ReplaceAll(msg, q, "runtime.")
	}
	msg = strings.ReplaceAll(msg, "struct type runtime.Tuple", "type runtime.Tuple")
	for _, name := range []string{"runtime.Tuple2[", "runtime.Tuple3["} {
		for {
			i := strings.Index(msg, name)
			if i < 0 {
				break
			}
			start := i + len(name)
			depth, end := 1, -1
			for j := start; j < len(msg) && end < 0; j++ {
				switch msg[j] {
				case '[':
					depth++
				case ']':
					if depth--; depth == 0 {
						end = j
					}
				}
			}
			if end < 0 {
				break
			}
			msg = msg[:i] + "(" + msg[start:end] + ")" + msg[end+1:]
		}
	}
	return msg
}
