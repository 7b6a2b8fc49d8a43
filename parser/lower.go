package parser

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"reflect"
	"strconv"
)

// lowerer turns a parsed .gocoro file into its reference form.
type lowerer struct {
	file *File
	fset *token.FileSet
	errs *scanner.ErrorList
}

func (l *lowerer) errorf(pos token.Pos, msg string) {
	l.errs.Add(l.fset.Position(pos), msg)
}

// run marks the coroutines, checks and lowers every .wait, and rewrites the
// coroutine declarations.
func (l *lowerer) run(keywords []Keyword) {
	f := l.file.AST
	tf := l.fset.File(f.Pos())
	keywordOf := map[int]int{} // offset of func -> offset of its "coroutine"
	for _, kw := range keywords {
		keywordOf[kw.Func] = kw.Offset
	}
	var addImport bool
	l.file.RuntimeName, addImport = l.runtimeName()
	defer func() {
		// A file without coroutines does not refer to the runtime.
		if addImport && len(l.file.Coroutines) > 0 {
			l.addRuntimeImport()
		}
	}()
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok {
			l.lowerWaits(decl, nil)
			continue
		}
		kw, ok := keywordOf[tf.Offset(fd.Type.Func)]
		if !ok {
			l.lowerWaits(fd, nil)
			continue
		}
		if fd.Body == nil {
			l.errorf(fd.Type.Func, "coroutine "+fd.Name.Name+" has no body")
			continue
		}
		co := &Coroutine{Keyword: tf.Pos(kw), Decl: fd, Results: fd.Type.Results}
		l.lowerWaits(fd.Body, co)
		l.lowerDecl(co)
		l.file.Coroutines = append(l.file.Coroutines, co)
	}
}

// runtimeName returns the name under which the lowering refers to the
// runtime package: the file's own import of it, unless some identifier of
// the file other than a package qualifier has that name (a local named
// runtime would hide the package from the lowered code), or else a name
// no identifier of the file has, under which addRuntimeImport imports it.
func (l *lowerer) runtimeName() (name string, added bool) {
	f := l.file.AST
	used := map[string]bool{}
	notQualifier := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				used[id.Name] = true
				used[n.Sel.Name] = true
				notQualifier[n.Sel.Name] = true
				return false
			}
		case *ast.Ident:
			used[n.Name] = true
			notQualifier[n.Name] = true
		}
		return true
	})
	for _, imp := range f.Imports {
		if imp.Name != nil {
			used[imp.Name.Name] = true
		}
		if path, _ := strconv.Unquote(imp.Path.Value); path == RuntimePath {
			own := "runtime"
			if imp.Name != nil {
				own = imp.Name.Name
			}
			if own != "_" && own != "." && !notQualifier[own] {
				return own, false
			}
		}
	}
	name = "corofyruntime"
	for i := 2; used[name]; i++ {
		name = "corofyruntime" + strconv.Itoa(i)
	}
	return name, true
}

// addRuntimeImport imports the runtime package under the name the
// lowering chose for it.
func (l *lowerer) addRuntimeImport() {
	f := l.file.AST
	spec := &ast.ImportSpec{Name: ast.NewIdent(l.file.RuntimeName), Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(RuntimePath)}}
	l.file.AddedImport = spec
	f.Imports = append(f.Imports, spec)
	f.Decls = append([]ast.Decl{&ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{spec}}}, f.Decls...)
}

// lowerWaits replaces every x.wait below n with runtime.Await(x). co is the
// coroutine whose body n is, or nil outside coroutines: there, and inside
// function literals, .wait is an error.
func (l *lowerer) lowerWaits(n ast.Node, co *Coroutine) {
	var walk func(v reflect.Value, inLit bool)
	walk = func(v reflect.Value, inLit bool) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			if _, ok := v.Interface().(*ast.FuncLit); ok {
				inLit = true
			}
			walk(v.Elem(), inLit)
		case reflect.Interface:
			if v.IsNil() {
				return
			}
			if sel, ok := v.Interface().(*ast.SelectorExpr); ok && sel.Sel.Name == "wait" {
				walk(reflect.ValueOf(sel), inLit) // waits inside the future expression
				if call := l.lowerWait(sel, co, inLit); call != nil && v.CanSet() {
					v.Set(reflect.ValueOf(ast.Expr(call)))
				}
				return
			}
			walk(v.Elem(), inLit)
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), inLit)
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), inLit)
			}
		}
	}
	walk(reflect.ValueOf(&n).Elem(), false)
}

// lowerWait checks one x.wait and returns its lowered form, or nil after
// reporting an error.
func (l *lowerer) lowerWait(sel *ast.SelectorExpr, co *Coroutine, inLit bool) *ast.CallExpr {
	pos := sel.Sel.Pos()
	switch {
	case co == nil:
		l.errorf(pos, "'.wait' outside a coroutine (only the body of a 'coroutine func' can wait; in a .gocoro file .wait always waits, so a field or method named wait is used from a .go file)")
		return nil
	case inLit:
		l.errorf(pos, "'.wait' inside a function literal (a closure cannot wait; make it a coroutine func, or wait in the coroutine and pass the value)")
		return nil
	}
	call := &ast.CallExpr{
		Fun: &ast.SelectorExpr{
			X:   &ast.Ident{Name: l.file.RuntimeName, NamePos: sel.X.Pos()},
			Sel: &ast.Ident{Name: "Await", NamePos: sel.X.Pos()},
		},
		Lparen: sel.X.Pos(),
		Args:   []ast.Expr{sel.X},
		Rparen: sel.Sel.End() - 1,
	}
	co.Waits = append(co.Waits, &Wait{Call: call, Pos: pos})
	return call
}

// lowerDecl rewrites the coroutine declaration into its reference form:
// func F(p) runtime.Future[R] { return runtime.Lazy(func() R { body }) }.
func (l *lowerer) lowerDecl(co *Coroutine) {
	fd := co.Decl
	rt := func(name string, pos token.Pos) ast.Expr {
		return &ast.SelectorExpr{X: &ast.Ident{Name: l.file.RuntimeName, NamePos: pos}, Sel: &ast.Ident{Name: name, NamePos: pos}}
	}
	if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && l.file.AST.Name.Name == "main") {
		// Go runs them and wants nothing back: a coroutine returns a future.
		l.errorf(fd.Name.Pos(), fmt.Sprintf("%s cannot be a coroutine (Go calls it and takes no result, and a coroutine's call returns a future): declare a plain func %s that runs a coroutine with runtime.BlockOn", fd.Name.Name, fd.Name.Name))
	}
	pos := fd.Type.Func
	lazy := "Lazy"
	var out ast.Expr = &ast.StructType{Struct: pos, Fields: &ast.FieldList{Opening: pos, Closing: pos}}
	switch n := co.Results.NumFields(); {
	case co.Results == nil || n == 0:
		lazy = "Lazy0"
	case n == 1:
		out = co.Results.List[0].Type
	case n <= maxResults:
		// Several results travel in a runtime.TupleN.
		lazy = "Lazy" + strconv.Itoa(n)
		var types []ast.Expr
		for _, f := range co.Results.List {
			for range max(len(f.Names), 1) {
				types = append(types, f.Type)
			}
		}
		out = &ast.IndexListExpr{X: rt("Tuple"+strconv.Itoa(n), pos), Lbrack: pos, Indices: types, Rbrack: pos}
	default:
		out = &ast.BadExpr{From: co.Results.Pos(), To: co.Results.End()}
		l.errorf(co.Results.Pos(), fmt.Sprintf("coroutine %s has %d results: at most %d are supported (return a struct)", fd.Name.Name, n, maxResults))
	}
	l.multiValueWaits(co)
	co.Lit = &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}, Results: co.Results},
		Body: fd.Body,
	}
	future := &ast.IndexExpr{X: rt("Future", pos), Lbrack: pos, Index: out, Rbrack: pos}
	fd.Type = &ast.FuncType{
		Func:       fd.Type.Func,
		TypeParams: fd.Type.TypeParams,
		Params:     fd.Type.Params,
		Results:    &ast.FieldList{List: []*ast.Field{{Type: future}}},
	}
	fd.Body = &ast.BlockStmt{
		Lbrace: co.Lit.Body.Lbrace,
		List: []ast.Stmt{&ast.ReturnStmt{
			Return:  co.Lit.Body.Lbrace,
			Results: []ast.Expr{&ast.CallExpr{Fun: rt(lazy, pos), Lparen: pos, Args: []ast.Expr{co.Lit}, Rparen: co.Lit.Body.Rbrace}},
		}},
		Rbrace: co.Lit.Body.Rbrace,
	}
}

// maxResults is the most results a coroutine may have (runtime.Tuple2 and
// Tuple3 carry them).
const maxResults = 3

// multiValueWaits lowers the waits that stand for several values to
// runtime.AwaitN: "a, b := f.wait", "var a, b = f.wait", and "return
// f.wait" in a coroutine with several results.
func (l *lowerer) multiValueWaits(co *Coroutine) {
	mark := func(rhs []ast.Expr, n int) {
		if len(rhs) != 1 || n < 2 || n > maxResults {
			return
		}
		for _, w := range co.Waits {
			if w.Call == rhs[0] {
				w.N = n
				w.Call.Fun.(*ast.SelectorExpr).Sel.Name = "Await" + strconv.Itoa(n)
			}
		}
	}
	results := co.Results.NumFields()
	ast.Inspect(co.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			mark(n.Rhs, len(n.Lhs))
		case *ast.ValueSpec:
			mark(n.Values, len(n.Names))
		case *ast.ReturnStmt:
			mark(n.Results, results)
		}
		return true
	})
}
