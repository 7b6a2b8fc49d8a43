package transform_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// asCoroutines returns the Go program src with its main and every
// function and method main calls by name, directly or not, as coroutines:
// each such function F gets a coroutine twin, coroF (F stays, for the
// calls that cannot wait: in function literals, F as a value, through an
// interface, the call of a go or defer statement), and a call of F in a
// coroutine body becomes coroF(...).wait; x.M() becomes x.coroM().wait.
// Every statement of a coroutine body is preceded by a wait on a ready
// future (so that the variables live in the machine), and a new main runs
// main's coroutine. The waits are where a Go user could put them: in
// conditions, operands, arguments, composite literals, loop posts, the
// arguments of go and defer statements, at any depth.
//
// What is left plain: the iteration variables of ranges over functions
// (assigned in the yield function, where no wait is), the operands of unsafe's
// functions (not evaluated), and calls of functions with several results
// that are not unpacked by an assignment or returned as they are (a wait
// gives them as one value). False if src has no plain main or does not
// type-check.
func asCoroutines(src []byte) ([]byte, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Defs:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	conf := types.Config{Importer: importer.Default(), Error: func(error) {}}
	if _, err := conf.Check("main", fset, []*ast.File{f}, info); err != nil {
		return nil, false
	}
	funcs := map[types.Object]*ast.FuncDecl{}
	var main *ast.FuncDecl
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		switch {
		case fd.Recv == nil && fd.Name.Name == "main":
			main = fd
		case fd.Recv == nil && fd.Name.Name == "init", fd.Name.Name == "_":
		default:
			funcs[info.Defs[fd.Name]] = fd
		}
	}
	if main == nil || main.Type.Params.NumFields() > 0 || main.Type.Results != nil || main.Type.TypeParams != nil {
		return nil, false
	}
	taken := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			taken[fd.Name.Name] = true
		}
	}
	twin := map[*ast.FuncDecl]string{}
	for obj, fd := range funcs {
		name := "coro" + fd.Name.Name
		if recv := obj.Type().(*types.Signature).Recv(); recv != nil {
			// A method's twin is a method of the same type, named
			// unlike its fields and methods.
			for {
				if o, _, _ := types.LookupFieldOrMethod(recv.Type(), true, obj.Pkg(), name); o == nil {
					break
				}
				name += "_"
			}
		} else {
			for taken[name] {
				name += "_"
			}
			taken[name] = true
		}
		twin[fd] = name
	}

	off := func(p token.Pos) int { return fset.Position(p).Offset }
	r := &deepRewriter{info: info, funcs: funcs, twin: twin, off: off}
	out := slices.Clone(src)
	var twins []string
	r.body(main, main.Body)
	mainEdits := r.edits
	// The twins main reaches, and the ones they reach.
	done := map[*ast.FuncDecl]bool{}
	for len(r.reached) > 0 {
		fd := r.reached[0]
		r.reached = r.reached[1:]
		if done[fd] {
			continue
		}
		done[fd] = true
		r.edits = nil
		r.body(fd, fd.Body)
		recv := ""
		if fd.Recv != nil {
			recv = string(src[off(fd.Recv.Opening):off(fd.Recv.Closing)+1]) + " "
		}
		start, end := off(fd.Name.End()), off(fd.End())
		text := applyEdits(src[start:end], r.edits, start)
		twins = append(twins, "\ncoroutine func "+recv+twin[fd]+string(text)+"\n")
	}
	mainEdits = append(mainEdits,
		// On the package clause's line: no line of the program moves.
		deepEdit{off(f.Name.End()), "; import corofyrt \"github.com/corofy/corofy/runtime\""},
		deepEdit{off(main.Type.Func), "coroutine "},
		deepEdit{off(main.Name.Pos()), "coro"})
	out = applyEdits(out, mainEdits, 0)
	out = append(out, strings.Join(twins, "")...)
	return append(out, "\nfunc main() { corofyrt.BlockOn(coromain()) }\n"...), true
}

type deepEdit struct {
	off  int
	text string
}

// applyEdits inserts the edits into src, whose first byte is at offset
// base of the file. Edits at the same offset are put in the order they
// come in.
func applyEdits(src []byte, edits []deepEdit, base int) []byte {
	edits = slices.Clone(edits)
	slices.Reverse(edits)
	slices.SortStableFunc(edits, func(a, b deepEdit) int { return b.off - a.off })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Insert(out, e.off-base, []byte(e.text)...)
	}
	return out
}

type deepRewriter struct {
	info    *types.Info
	funcs   map[types.Object]*ast.FuncDecl
	twin    map[*ast.FuncDecl]string
	off     func(token.Pos) int
	edits   []deepEdit
	reached []*ast.FuncDecl
}

// body rewrites the body of the coroutine made of fd.
func (r *deepRewriter) body(fd *ast.FuncDecl, body *ast.BlockStmt) {
	var results *types.Tuple
	if obj, ok := r.info.Defs[fd.Name].(*types.Func); ok {
		results = obj.Type().(*types.Signature).Results()
	}
	// multi are the calls of functions with several results that a wait
	// may replace: the sole value of an assignment to as many variables,
	// or of a return of the same types.
	multi := map[*ast.CallExpr]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && len(n.Lhs) > 1 {
				if c, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
					multi[c] = true
				}
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 && len(n.Names) > 1 {
				if c, ok := ast.Unparen(n.Values[0]).(*ast.CallExpr); ok {
					multi[c] = true
				}
			}
		case *ast.ReturnStmt:
			if len(n.Results) == 1 && results != nil && results.Len() > 1 {
				if c, ok := ast.Unparen(n.Results[0]).(*ast.CallExpr); ok {
					if t, ok := r.info.Types[c].Type.(*types.Tuple); ok && identicalTuples(t, results) {
						multi[c] = true
					}
				}
			}
		}
		return true
	})
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.RangeStmt:
			r.wait(n.Body.Lbrace + 1)
			if _, ok := r.info.Types[n.X].Type.Underlying().(*types.Signature); ok {
				// Its iteration variables are assigned in the yield
				// function, for *f() = range seq: they stay plain.
				ast.Inspect(n.X, walk)
				ast.Inspect(n.Body, walk)
				return false
			}
		case *ast.ForStmt:
			r.wait(n.Body.Lbrace + 1)
		case *ast.GoStmt:
			r.args(n.Call, walk)
			return false
		case *ast.DeferStmt:
			r.args(n.Call, walk)
			return false
		case *ast.BlockStmt:
			r.list(n.List)
		case *ast.CaseClause:
			r.list(n.Body)
		case *ast.CommClause:
			r.list(n.Body)
		case *ast.CallExpr:
			if fun, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				if pkg, ok := fun.X.(*ast.Ident); ok {
					if _, ok := r.info.Uses[pkg].(*types.PkgName); ok && r.info.Uses[pkg].(*types.PkgName).Imported().Path() == "unsafe" {
						return false
					}
				}
			}
			id := r.called(n.Fun)
			if id == nil {
				break
			}
			fd := r.funcs[r.info.Uses[id].(*types.Func).Origin()]
			if fd == nil {
				break
			}
			if t, ok := r.info.Types[n].Type.(*types.Tuple); ok && t.Len() > 1 && !multi[n] {
				break
			}
			// coroF is "coro" + F + as many "_" as make it a new name.
			r.edits = append(r.edits,
				deepEdit{r.off(id.Pos()), "coro"},
				deepEdit{r.off(id.End()), r.twin[fd][len("coro")+len(id.Name):]},
				deepEdit{r.off(n.Rparen) + 1, ".wait"})
			r.reached = append(r.reached, fd)
		}
		return true
	}
	ast.Inspect(body, walk)
}

// args walks the function and arguments of the call of a go or defer
// statement, but not the call itself.
func (r *deepRewriter) args(call *ast.CallExpr, walk func(ast.Node) bool) {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
	case *ast.IndexExpr:
		ast.Inspect(fun.Index, walk)
	case *ast.IndexListExpr:
		for _, x := range fun.Indices {
			ast.Inspect(x, walk)
		}
	default:
		ast.Inspect(fun, walk)
	}
	for _, a := range call.Args {
		ast.Inspect(a, walk)
	}
}

// list puts a wait before each statement of a list.
func (r *deepRewriter) list(list []ast.Stmt) {
	for _, s := range list {
		switch s.(type) {
		case *ast.EmptyStmt, *ast.CaseClause, *ast.CommClause:
			continue
		}
		r.wait(s.Pos())
	}
}

func (r *deepRewriter) wait(p token.Pos) {
	r.edits = append(r.edits, deepEdit{r.off(p), "corofyrt.Ready(0).wait;"})
}

// called returns the name of the function or method a call calls by
// name, F, F[T], F[T, U] or x.M (not an interface's), or nil.
func (r *deepRewriter) called(fun ast.Expr) *ast.Ident {
	var id *ast.Ident
	switch fun := fun.(type) {
	case *ast.Ident:
		id = fun
	case *ast.IndexExpr:
		id, _ = fun.X.(*ast.Ident)
	case *ast.IndexListExpr:
		id, _ = fun.X.(*ast.Ident)
	case *ast.SelectorExpr:
		if sel := r.info.Selections[fun]; sel != nil && sel.Kind() == types.MethodVal {
			id = fun.Sel
		}
	}
	if _, ok := r.info.Uses[id].(*types.Func); !ok {
		return nil
	}
	return id
}

func identicalTuples(a, b *types.Tuple) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		if !types.Identical(a.At(i).Type(), b.At(i).Type()) {
			return false
		}
	}
	return true
}
