package transform

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// span identifies an expression of a file by its byte offsets and node
// type, so that the type information computed on the lowered AST can be
// found from the clean AST that dst decorates (both come from the same
// bytes).
type span struct {
	start, end int
	kind       reflect.Type
}

// index is the type information of one .gocoro file, keyed by offsets.
type index struct {
	objects  map[int]types.Object        // ident offset -> object (defs and uses)
	defs     map[int]bool                // ident offset is a definition
	exprs    map[span]types.TypeAndValue // expression -> type and value
	waits    map[[2]int]types.Type       // x.wait span -> T
	waitN    map[[2]int]int              // x.wait span -> values, for runtime.AwaitN
	implicit map[int]types.Object        // offset of a case clause -> implicit object
	// embedded maps an embedded field's identifier, whose object is the
	// field, to the type it names: struct{ deep } declares the field deep
	// and uses the type deep.
	embedded map[int]types.Object
	// covered are the offsets [start, end) of the coroutines, sorted: the
	// expressions and implicit objects are indexed there
	// only (the passes ask about nothing else, and on a large file of
	// plain Go indexing every expression cost more than the passes), the
	// objects of identifiers everywhere (splice needs them).
	covered [][2]int
}

// covers reports whether the offset o is in a coroutine.
func (ix *index) covers(o int) bool {
	k, _ := slices.BinarySearchFunc(ix.covered, o, func(r [2]int, o int) int { return r[1] - o })
	return k < len(ix.covered) && ix.covered[k][0] <= o && o < ix.covered[k][1]
}

// mustCover panics, as an internal error, unless the offset o is in a
// coroutine: a question about an expression elsewhere would find no
// answer in the index, and a pass would take that for no type.
func (ix *index) mustCover(o int) {
	if !ix.covers(o) && len(ix.covered) > 0 {
		panic(fmt.Sprintf("transform: internal error: a type question about offset %d, outside the coroutines", o))
	}
}

// newIndex indexes info, the type checker's record of the lowered file f
// (file, in the loader's file set), whose source is src and whose
// coroutines are those of coroutines. It is keyed by the offsets of the
// clean parse of c, the compact text of src, and holds the identifiers of
// the declarations c keeps, and the expressions and implicit objects of
// the coroutines. Identifiers the lowering made (runtime.Await and the
// like) are left out: they do not stand in src.
//
// It looks up each node of those declarations in info (on a large file
// of plain Go, going through all of info cost more than the passes).
func newIndex(file *token.File, f *ast.File, src []byte, info *types.Info, waitCalls map[*ast.CallExpr]bool, coroutines map[*ast.FuncDecl]bool, c *compaction) *index {
	coroutineBytes := 0
	for fd := range coroutines {
		coroutineBytes += int(fd.End() - fd.Pos())
	}
	ix := &index{
		objects:  make(map[int]types.Object, c.keptBytes()/usesBytes),
		embedded: map[int]types.Object{},
		defs:     map[int]bool{},
		exprs:    make(map[span]types.TypeAndValue, coroutineBytes/typesBytes),
		waits:    map[[2]int]types.Type{},
		waitN:    map[[2]int]int{},
		implicit: map[int]types.Object{},
	}
	// An offset in the clean parse, for a position in f: no line and
	// column to compute (fset.Position did, for every identifier and
	// expression).
	base := file.Base()
	off := func(p token.Pos) int { return c.clean(int(p) - base) }
	for fd := range coroutines {
		ix.covered = append(ix.covered, [2]int{off(fd.Pos()), off(fd.End())})
	}
	slices.SortFunc(ix.covered, func(a, b [2]int) int { return a[0] - b[0] })
	inSource := func(id *ast.Ident) bool {
		o := int(id.Pos()) - base
		return id.Pos().IsValid() && o >= 0 && o+len(id.Name) <= len(src) && string(src[o:o+len(id.Name)]) == id.Name
	}
	for _, d := range f.Decls {
		if !c.keeps(int(d.Pos()) - base) {
			continue // copied as text
		}
		fd, _ := d.(*ast.FuncDecl)
		inCoroutine := coroutines[fd]
		ast.Inspect(d, func(n ast.Node) bool {
			switch n := n.(type) {
			case nil:
				return false
			case *ast.Ident:
				if !inSource(n) {
					break
				}
				o := off(n.Pos())
				if obj := info.Defs[n]; obj != nil {
					ix.objects[o] = obj
					ix.defs[o] = true
					if use, ok := info.Uses[n]; ok {
						if v, ok := obj.(*types.Var); ok && v.Embedded() {
							ix.embedded[o] = use
						}
					}
				} else if use, ok := info.Uses[n]; ok {
					ix.objects[o] = use
				}
			case *ast.CaseClause, *ast.ImportSpec, *ast.Field:
				if obj, ok := info.Implicits[n]; ok && inCoroutine {
					ix.implicit[off(n.Pos())] = obj
				}
			}
			if e, ok := n.(ast.Expr); ok && inCoroutine && e.Pos().IsValid() {
				if tv, ok := info.Types[e]; ok {
					ix.expr(e, tv, info, waitCalls, off)
				}
			}
			return true
		})
	}
	return ix
}

// expr indexes the expression e of a coroutine, whose type and value are
// tv.
func (ix *index) expr(e ast.Expr, tv types.TypeAndValue, info *types.Info, waitCalls map[*ast.CallExpr]bool, off func(token.Pos) int) {
	if call, ok := e.(*ast.CallExpr); ok && waitCalls[call] {
		t := tv.Type
		if tuple, several := t.(*types.Tuple); several { // runtime.AwaitN: the TupleN the future carries
			t = pollOutput(info.TypeOf(call.Args[0]))
			ix.waitN[[2]int{off(call.Args[0].Pos()), off(call.End())}] = tuple.Len()
		}
		ix.waits[[2]int{off(call.Args[0].Pos()), off(call.End())}] = t
		return
	}
	ix.exprs[span{off(e.Pos()), off(e.End()), reflect.TypeOf(e)}] = tv
}

// typed answers type questions about the dst nodes of a decorated file.
type typed struct {
	ix   *index
	dec  *decorator.Decorator
	fset *token.FileSet // the clean parse's file set
	// synth holds the objects of identifiers this package creates.
	synth map[*dst.Ident]types.Object
}

func (t *typed) astOf(n dst.Node) ast.Node { return t.dec.Ast.Nodes[n] }

func (t *typed) offsets(n ast.Node) (int, int) {
	return offsetOf(t.fset, n.Pos()), offsetOf(t.fset, n.End())
}

// offsetOf returns the offset of p in its file, as fset.Position(p).Offset
// does, without computing the line and column.
func offsetOf(fset *token.FileSet, p token.Pos) int {
	f := fset.File(p)
	if f == nil {
		return 0
	}
	return f.Offset(p)
}

// objectOf returns the object an identifier denotes, or nil.
func (t *typed) objectOf(id *dst.Ident) types.Object {
	if obj, ok := t.synth[id]; ok {
		return obj
	}
	a := t.astOf(id)
	if a == nil {
		return nil
	}
	if sel, ok := a.(*ast.SelectorExpr); ok { // a qualified identifier pkg.Name
		a = sel.Sel
	}
	start, _ := t.offsets(a)
	return t.ix.objects[start]
}

// embeddedType returns the type an embedded field's identifier names, or
// nil when id is not one.
func (t *typed) embeddedType(id *dst.Ident) types.Object {
	a, ok := t.astOf(id).(*ast.Ident)
	if !ok {
		return nil
	}
	start, _ := t.offsets(a)
	return t.ix.embedded[start]
}

// isDef reports whether id is the defining occurrence of its object.
func (t *typed) isDef(id *dst.Ident) bool {
	a, ok := t.astOf(id).(*ast.Ident)
	if !ok {
		return false
	}
	start, _ := t.offsets(a)
	return t.ix.defs[start]
}

// typeAndValue returns what the type checker recorded for e.
func (t *typed) typeAndValue(e dst.Expr) (types.TypeAndValue, bool) {
	a := t.astOf(e)
	if a == nil {
		return types.TypeAndValue{}, false
	}
	start, end := t.offsets(a)
	t.ix.mustCover(start)
	tv, ok := t.ix.exprs[span{start, end, reflect.TypeOf(a)}]
	return tv, ok
}

// typeOf returns the type of e, or nil.
func (t *typed) typeOf(e dst.Expr) types.Type {
	if id, ok := e.(*dst.Ident); ok {
		if obj := t.objectOf(id); obj != nil {
			if _, isVar := obj.(*types.Var); isVar {
				return obj.Type()
			}
		}
	}
	if sel, ok := e.(*dst.SelectorExpr); ok && sel.Sel.Name == "wait" {
		if wt := t.waitType(sel); wt != nil {
			return wt
		}
	}
	tv, _ := t.typeAndValue(e)
	return tv.Type
}

// waitType returns T for a .wait selector on a Future[T], or nil if sel is
// not a wait.
func (t *typed) waitType(sel *dst.SelectorExpr) types.Type {
	a, ok := t.astOf(sel).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "wait" {
		return nil
	}
	start, end := t.offsets(a)
	t.ix.mustCover(start)
	return t.ix.waits[[2]int{start, end}]
}

// isWait reports whether e is an x.wait expression.
func (t *typed) isWait(e dst.Node) bool {
	sel, ok := e.(*dst.SelectorExpr)
	return ok && t.waitType(sel) != nil
}

// position returns the source position of a node of the clean parse.
func (t *typed) position(n dst.Node) token.Position {
	if a := t.astOf(n); a != nil {
		return t.fset.Position(a.Pos())
	}
	return token.Position{}
}

// pollOutput returns T for a type with a method Poll(Waker) (T, bool), or nil.
func pollOutput(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Poll")
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	if sig.Results().Len() != 2 {
		return nil
	}
	return sig.Results().At(0).Type()
}

// clone returns a deep copy of n that keeps what every node of n denotes:
// its object, its type and its source position (see "Resolve" in doc.go).
// The transform never copies a node of the body any other way, so a
// moved or duplicated expression never loses its binding.
func (t *typed) clone(n dst.Node) dst.Node {
	c := dst.Clone(n)
	var from, to []dst.Node
	dst.Inspect(n, func(x dst.Node) bool {
		if x != nil {
			from = append(from, x)
		}
		return true
	})
	dst.Inspect(c, func(x dst.Node) bool {
		if x != nil {
			to = append(to, x)
		}
		return true
	})
	if len(from) != len(to) {
		panic("transform: internal error: a clone has another shape than its original")
	}
	for i, x := range from {
		if a, ok := t.dec.Ast.Nodes[x]; ok {
			t.dec.Ast.Nodes[to[i]] = a
		}
		if id, ok := x.(*dst.Ident); ok {
			if obj, ok := t.synth[id]; ok {
				t.synth[to[i].(*dst.Ident)] = obj
			}
		}
	}
	return c
}
