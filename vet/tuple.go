package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

const msgTuple = "%s is one value that holds the %d results%s: %s gets them as one struct%s; unpack them first (%s := %s)"

// msgTupleGo ends msgTuple's first part when the wait is the call's only
// argument, where Go's f(g()) would pass the results one by one.
const msgTupleGo = ", not one by one as Go's f(g()) passes them"

// checkTuples reports the waits of m's body for a coroutine with several
// results whose value goes, as it is, to a parameter of interface type:
// fmt.Println(divmod(7, 2).wait) prints {3 1}, where Go's
// fmt.Println(divmod(7, 2)) prints 3 1. A wait gives such results as one
// value (a, b := f().wait unpacks it); a parameter of another type that
// takes it, or several parameters, do not type-check, and corofy says so.
//
// Only a wait written in the call itself is reported, found in the
// generated code through what corofy makes of it: the result of the
// future's Poll (out1, ready := c.fut1.Poll(w)), perhaps kept in a field
// of the machine (c.out1 = out1) or bound with the function of a go or
// defer statement (fn, arg1 := fmt.Println, out1). A variable the user
// declared for the value says what it holds, and is not reported.
func (a *pass) checkTuples(m *machine) {
	decl, ok := a.insp.Root().FindNode(m.decl)
	if !ok {
		return
	}
	decl.ChildAt(edge.FuncDecl_Body, -1).Inspect([]ast.Node{(*ast.CallExpr)(nil)}, func(cur inspector.Cursor) bool {
		call := cur.Node().(*ast.CallExpr)
		t := a.TypesInfo.TypeOf(call.Fun)
		if t == nil {
			return true
		}
		sig, ok := t.Underlying().(*types.Signature)
		if !ok || a.TypesInfo.Types[call.Fun].IsType() {
			return true // a conversion or a builtin
		}
		fun := call.Fun
		if bound := m.boundFunc(a, fun); bound != nil {
			fun = bound
		}
		if fn, ok := a.TypesInfo.Uses[funcIdent(fun)].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == runtimePath {
			return true
		}
		for i, arg := range call.Args {
			n := tupleLen(a.TypesInfo.TypeOf(arg))
			if n == 0 || !types.IsInterface(paramType(sig, i, call.Ellipsis.IsValid())) {
				continue
			}
			wait, callee := m.waitOf(a, arg, 0)
			if wait == "" || !m.onLine(a, cur, wait) {
				continue
			}
			of := ""
			if callee != "" {
				of = " of " + callee
			}
			asGo := ""
			if len(call.Args) == 1 {
				asGo = msgTupleGo
			}
			names := []string{"a", "b", "c"}[:n]
			a.report(cur, arg, wait, fmt.Sprintf(msgTuple, wait, n, of, m.strip(types.ExprString(fun)), asGo, strings.Join(names, ", "), wait))
		}
		return true
	})
}

// tupleLen returns the number of results a runtime.Tuple2 or Tuple3
// holds, or 0 if t is not one.
func tupleLen(t types.Type) int {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return 0
	}
	switch obj := named.Origin().Obj(); {
	case isRuntime(obj, "Tuple2"):
		return 2
	case isRuntime(obj, "Tuple3"):
		return 3
	}
	return 0
}

// paramType returns the type of the parameter that takes a call's i-th
// argument: a variadic parameter's element, unless the call passes a
// slice with ...
func paramType(sig *types.Signature, i int, ellipsis bool) types.Type {
	params := sig.Params()
	if params.Len() == 0 {
		return nil
	}
	if sig.Variadic() && i >= params.Len()-1 {
		last := params.At(params.Len() - 1).Type()
		if ellipsis {
			return last
		}
		if s, ok := last.Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i < params.Len() {
		return params.At(i).Type()
	}
	return nil
}

// waitOf returns the source text of the wait whose value e is, as the
// field of its future says (fut1 ... // divmod(7, 2).wait), and the
// function whose call made the future (divmod), or "" if e is not the
// value of a wait: a result of Poll, a field that such a result is
// stored in, or a variable bound to one.
func (m *machine) waitOf(a *pass, e ast.Expr, depth int) (wait, callee string) {
	if depth > 3 {
		return "", ""
	}
	switch e := unparen(e).(type) {
	case *ast.Ident:
		rhs := m.definedBy(a, a.TypesInfo.ObjectOf(e))
		if rhs == nil {
			return "", ""
		}
		if call, ok := unparen(rhs).(*ast.CallExpr); ok {
			if sel, ok := unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Poll" {
				if field := m.field(a, sel.X); field != nil {
					return m.fieldWait(a, field)
				}
			}
			return "", ""
		}
		return m.waitOf(a, rhs, depth+1)
	case *ast.SelectorExpr:
		if field := m.field(a, e); field != nil {
			if rhs := m.storedIn(a, field); rhs != nil {
				return m.waitOf(a, rhs, depth+1)
			}
		}
	}
	return "", ""
}

// field returns the field of the machine that e selects (c.fut1), or nil.
func (m *machine) field(a *pass, e ast.Expr) *types.Var {
	sel, ok := unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != m.recv {
		return nil
	}
	v, _ := a.TypesInfo.ObjectOf(sel.Sel).(*types.Var)
	if v == nil || !v.IsField() {
		return nil
	}
	return v
}

// storedIn returns the first value Poll assigns to field (c.out1 =
// out1), or nil.
func (m *machine) storedIn(a *pass, field *types.Var) ast.Expr {
	var rhs ast.Expr
	ast.Inspect(m.decl.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if rhs != nil || !ok || as.Tok != token.ASSIGN || len(as.Lhs) != len(as.Rhs) {
			return rhs == nil
		}
		for i, l := range as.Lhs {
			if m.field(a, l) == field {
				rhs = as.Rhs[i]
			}
		}
		return rhs == nil
	})
	return rhs
}

// fieldWait returns the wait that the comment of field, a future of the
// machine, names (// divmod(7, 2).wait), and the function whose call
// Poll stores in the field (c.fut1 = divmod(7, 2)).
func (m *machine) fieldWait(a *pass, field *types.Var) (wait, callee string) {
	for _, d := range m.file.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			st, ok := s.(*ast.TypeSpec).Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, f := range st.Fields.List {
				for _, name := range f.Names {
					if a.TypesInfo.Defs[name] == field && f.Comment != nil {
						wait = strings.TrimSpace(f.Comment.Text())
					}
				}
			}
		}
	}
	if !strings.HasSuffix(wait, ".wait") || strings.Contains(wait, "\n") {
		return "", ""
	}
	if call, ok := unparen(m.storedIn(a, field)).(*ast.CallExpr); ok {
		if fn, ok := typeutil.Callee(a.TypesInfo, call).(*types.Func); ok {
			callee = fn.Name()
		}
	}
	return wait, callee
}

// onLine reports whether text is on the .gocoro line of the statement
// that holds cur, from its column on.
func (m *machine) onLine(a *pass, cur inspector.Cursor, text string) bool {
	for c := range cur.Enclosing() {
		st, ok := c.Node().(ast.Stmt)
		if !ok || !m.file.hasDirective(st) {
			continue
		}
		posn := a.Fset.Position(st.Pos())
		if posn.Line < 1 || posn.Line > len(m.file.lines) {
			return false
		}
		line := m.file.lines[posn.Line-1]
		return posn.Column >= 1 && posn.Column <= len(line)+1 && strings.Contains(line[posn.Column-1:], text)
	}
	return false
}
