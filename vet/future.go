package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// checkFutures reports calls whose result is a future and is dropped: a
// call statement, a value assigned to _ in a function, and the result of
// a go or defer statement's call. A future does nothing until it is
// polled, so such a call does nothing at all.
func (a *pass) checkFutures() {
	types := []ast.Node{(*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.GoStmt)(nil), (*ast.DeferStmt)(nil)}
	for cur := range a.insp.Root().Preorder(types...) {
		switch n := cur.Node().(type) {
		case *ast.ExprStmt:
			if call, ok := unparen(n.X).(*ast.CallExpr); ok {
				a.dropped(cur, call, a.TypesInfo.TypeOf(call))
			}
		case *ast.GoStmt:
			a.droppedBy(cur, n.Call, a.TypesInfo.TypeOf(n.Call), true)
		case *ast.DeferStmt:
			a.droppedBy(cur, n.Call, a.TypesInfo.TypeOf(n.Call), true)
		case *ast.AssignStmt:
			if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
				a.droppedBlanks(cur, n.Lhs, n.Rhs)
			}
		case *ast.ValueSpec:
			// A package-level "var _ T = f()" is a compile-time
			// assertion, not a forgotten future.
			if inFunc(cur) {
				lhs := make([]ast.Expr, len(n.Names))
				for i, name := range n.Names {
					lhs[i] = name
				}
				a.droppedBlanks(cur, lhs, n.Values)
			}
		}
	}
}

// droppedBlanks checks the values of lhs = rhs that go to _.
func (a *pass) droppedBlanks(cur inspector.Cursor, lhs, rhs []ast.Expr) {
	switch {
	case len(lhs) == len(rhs):
		for i, l := range lhs {
			if call, ok := unparen(rhs[i]).(*ast.CallExpr); ok && isBlank(l) {
				a.dropped(cur, call, a.TypesInfo.TypeOf(call))
			}
		}
	case len(rhs) == 1:
		call, ok := unparen(rhs[0]).(*ast.CallExpr)
		if !ok {
			return
		}
		tuple, ok := a.TypesInfo.TypeOf(call).(*types.Tuple)
		if !ok {
			return
		}
		for i, l := range lhs {
			if i < tuple.Len() && isBlank(l) {
				a.dropped(cur, call, tuple.At(i).Type())
			}
		}
	}
}

func isBlank(e ast.Expr) bool {
	id, ok := unparen(e).(*ast.Ident)
	return ok && id.Name == "_"
}

// dropped reports call, whose result of type t is dropped, if t is a
// lazy future. Conversions and builtins are not calls that make futures;
// a method whose result has its receiver's type (a setter such as
// HTTPGetFuture.Limit, which returns its receiver) has done its work; and
// the output of a Poll is not a future made by the call (the JoinHandle
// of a SpawnFuture, dropped by "runtime.Spawn(f).wait").
func (a *pass) dropped(cur inspector.Cursor, call *ast.CallExpr, t types.Type) {
	a.droppedBy(cur, call, t, false)
}

// droppedBy is dropped; goDefer says the call is that of a go or defer
// statement.
func (a *pass) droppedBy(cur inspector.Cursor, call *ast.CallExpr, t types.Type, goDefer bool) {
	if !isFuture(t) {
		return
	}
	if tv, ok := a.TypesInfo.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return
	}
	if fn, ok := typeutil.Callee(a.TypesInfo, call).(*types.Func); ok {
		if recv := fn.Signature().Recv(); recv != nil && (types.Identical(recv.Type(), t) || fn.Name() == "Poll") {
			return
		}
	}
	m := a.enclosingMachine(cur)
	name, needle := calleeName(a, m, call), needleOf(m, call)
	if fun := m.boundFunc(a, call.Fun); fun != nil {
		// defer f(x) in a coroutine: fn := f, and fn(x) when it ends.
		name, needle = calleeName(a, m, &ast.CallExpr{Fun: fun}), needleOf(m, fun)
		goDefer = true
	}
	advice := "run it with runtime.BlockOn, spawn it with runtime.Spawn, or wait on it in a coroutine"
	switch {
	case m != nil && goDefer:
		advice = "wait on runtime.Spawn(...) to run it as a task of its own"
	case m != nil:
		advice = "add .wait, or wait on runtime.Spawn(...) to run it as a task of its own"
	}
	msg := fmt.Sprintf("%s returns a future that is never waited, polled or spawned: futures are lazy, so the call does nothing; %s", name, advice)
	a.report(cur, call, needle, msg)
}

// isFuture reports whether t is a lazy future: it has a method
// Poll(runtime.Waker) (T, bool), and it is not a runtime.JoinHandle,
// whose task runs whether the handle is waited or not.
func isFuture(t types.Type) bool {
	if t == nil {
		return false
	}
	if n := namedOf(t); n != nil && isRuntime(n.Obj(), "JoinHandle") {
		return false
	}
	if _, ok := t.(*types.Tuple); ok {
		return false
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		t = tp.Constraint()
	}
	sel := types.NewMethodSet(t).Lookup(nil, "Poll")
	if sel == nil {
		return false
	}
	sig, ok := sel.Type().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 2 {
		return false
	}
	named, ok := types.Unalias(sig.Params().At(0).Type()).(*types.Named)
	if !ok || !isRuntime(named.Obj(), "Waker") {
		return false
	}
	b, ok := sig.Results().At(1).Type().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Bool
}

// calleeName names the function call calls, as a reader of the source
// would: request, runtime.Spawn, Conn.Read, or the function expression.
func calleeName(a *pass, m *machine, call *ast.CallExpr) string {
	switch obj := typeutil.Callee(a.TypesInfo, call).(type) {
	case *types.Func:
		if recv := obj.Signature().Recv(); recv != nil {
			if n := namedOf(recv.Type()); n != nil {
				return n.Obj().Name() + "." + obj.Name()
			}
			return obj.Name()
		}
		if obj.Pkg() != nil && obj.Pkg() != a.Pkg {
			return obj.Pkg().Name() + "." + obj.Name()
		}
		return obj.Name()
	}
	return m.strip(types.ExprString(call.Fun))
}

// namedOf returns the named type t or *t is, or nil.
func namedOf(t types.Type) *types.Named {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// inFunc reports whether cur is inside a function.
func inFunc(cur inspector.Cursor) bool {
	for range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return true
	}
	return false
}
