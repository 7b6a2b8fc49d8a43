package transform

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// This file moves the type and constant declarations of a coroutine's
// body to package level (see "Local types and constants" in doc.go).
//
// A declaration inside a function is visible from where it stands to the
// end of its block, but each state of the machine is a case of Poll's
// switch, a scope of its own, and the machine's fields are declared at
// package level: a type a stored variable has must be named there. So
// every local type and constant of the body (outside function literals)
// is declared at package level instead, under its own name where that
// name is free in the package and means nothing else in the coroutine (so
// that %T prints what Go prints), else under a fresh one. In a generic
// coroutine the moved types take the coroutine's type parameters, which
// is also how Go names a local type of a generic function (%T prints
// main.point[int]).

// liftedType is a local type declared at package level.
type liftedType struct {
	name     string
	typeArgs []string // the machine's type parameters, for a generic coroutine
}

// lift moves the local type and constant declarations of the body to
// m.lifted, renamed where needed. A declaration in a statement list that
// no wait cuts stays where it is (see staysLocal).
func (m *machine) lift() {
	var decls []*dst.GenDecl
	var from []dst.Stmt
	local := m.staysLocal()
	m.rewriteLists(m.decl.Body, func(s dst.Stmt) []dst.Stmt {
		d, ok := s.(*dst.DeclStmt)
		if !ok || local[d] {
			return nil
		}
		g, ok := d.Decl.(*dst.GenDecl)
		if !ok || g.Tok != token.TYPE && g.Tok != token.CONST {
			return nil
		}
		decls = append(decls, g)
		from = append(from, d)
		return []dst.Stmt{}
	})
	if len(decls) == 0 {
		return
	}
	others := m.namesInCoroutine()
	names := map[types.Object]string{}
	for _, g := range decls {
		for _, id := range declaredNames(g) {
			obj := m.objectOf(id)
			if obj == nil || id.Name == "_" {
				continue
			}
			// Poll's own locals are in scope wherever the moved
			// declaration's name is used in Poll.
			avoid := map[string]bool{m.recv: true, m.waker: true, m.state: true, m.ready: true, m.pollResult: true}
			for name, objs := range others {
				if len(objs) > 1 || !objs[obj] {
					avoid[name] = true
				}
			}
			name := m.file.names.claim(id.Name, avoid)
			m.locals.taken[name], m.fields.taken[name] = true, true
			names[obj] = name
			if tn, ok := obj.(*types.TypeName); ok {
				m.file.lifted[tn] = &liftedType{name: name, typeArgs: m.typeArgs}
				if name != id.Name && !tn.IsAlias() {
					// Go shows a local type by its own name; this one
					// cannot have it at package level. (An alias names
					// another type, which Go shows.)
					p := m.position(id)
					m.file.warnings = append(m.file.warnings, fmt.Sprintf("%d:%d: the local type %s is declared at package level as %s (%s is taken there): %%T, %%#v and reflection show %s where Go shows %s", p.Line, p.Column, id.Name, name, id.Name, name, id.Name))
				} else if use := m.typeArgUse(tn); use != nil {
					// Go numbers a local type in the name of a generic
					// type instantiated with it; a package-level type has
					// no number.
					p, q := m.position(id), m.position(use)
					m.file.warnings = append(m.file.warnings, fmt.Sprintf("%d:%d: the local type %s is declared at package level: as a type argument (%s, line %d) %%T, %%#v and reflection show %s.%s where Go shows it numbered, as %s.%s·N", p.Line, p.Column, id.Name, types.TypeString(m.typeOf(use), types.RelativeTo(tn.Pkg())), q.Line, tn.Pkg().Name(), id.Name, tn.Pkg().Name(), id.Name))
				}
			}
		}
	}
	m.warnRenumbered(decls, local)
	for i, g := range decls {
		if g.Tok == token.CONST && (m.refersToLocalVar(g) || usesOwnNames(g)) {
			m.constValues(g)
		}
		if g.Tok == token.TYPE && m.refersToLocalVar(g) {
			m.errorf(m.position(from[i]), "cannot declare this type at package level, where the machine's fields need it: its declaration refers to a local variable (write the constant it needs)")
		}
		if g.Tok == token.TYPE && m.typeParams != nil {
			for _, spec := range g.Specs {
				m.prependTypeParams(spec.(*dst.TypeSpec))
			}
		}
		decl := &dst.GenDecl{Tok: g.Tok, Lparen: g.Lparen, Specs: g.Specs, Rparen: g.Rparen}
		decl.Decs.Before = dst.EmptyLine
		decl.Decs.Start = from[i].Decorations().Start
		if m.file.cfg.LineDirectives {
			m.lineDirective(&decl.Decs.Tok, m.position(from[i]))
		}
		m.lifted = append(m.lifted, decl)
	}
	m.liftedNames = names
	m.renameLifted(m.decl, names, true)
	for _, d := range m.lifted {
		m.renameLifted(d, names, false)
	}
}

// prependTypeParams gives the lifted type spec of a generic coroutine the
// coroutine's type parameters, before its own where it is generic itself:
// type pair[U any] struct{ a T; b U } in gcell[T any] is pair[T any, U
// any] at package level. An own parameter named like one of the
// coroutine's (which it hid) is renamed in the spec.
func (m *machine) prependTypeParams(spec *dst.TypeSpec) {
	params := m.clone(m.typeParams).(*dst.FieldList)
	if own := spec.TypeParams; own != nil {
		taken := map[string]bool{}
		for _, f := range params.List {
			for _, n := range f.Names {
				taken[n.Name] = true
			}
		}
		dst.Inspect(spec, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok {
				taken[id.Name] = true
			}
			return true
		})
		renamed := map[types.Object]string{}
		for _, f := range own.List {
			for _, n := range f.Names {
				if !slices.Contains(m.typeArgs, n.Name) {
					continue
				}
				name := n.Name
				for i := 2; taken[name]; i++ {
					name = n.Name + strconv.Itoa(i)
				}
				taken[name] = true
				renamed[m.objectOf(n)] = name
			}
		}
		if len(renamed) > 0 {
			dst.Inspect(spec, func(n dst.Node) bool {
				if id, ok := n.(*dst.Ident); ok && id.Path == "" {
					if name, ok := renamed[m.objectOf(id)]; ok {
						id.Name = name
					}
				}
				return true
			})
		}
		params.List = append(params.List, own.List...)
	}
	spec.TypeParams = params
}

// warnRenumbered warns of the local types that stay local, after one that
// moved to package level, and are type arguments: Go numbers the local
// types of a function in order (main.Box[main.c·3]), and Poll has fewer.
func (m *machine) warnRenumbered(moved []*dst.GenDecl, local map[*dst.DeclStmt]bool) {
	var first token.Position
	for _, g := range moved {
		if g.Tok == token.TYPE {
			first = m.position(g)
			break
		}
	}
	if !first.IsValid() {
		return
	}
	after := func(p token.Position) bool {
		return p.Line > first.Line || p.Line == first.Line && p.Column > first.Column
	}
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false // a function of its own, which numbers its own local types
		case *dst.DeclStmt:
			g, ok := n.Decl.(*dst.GenDecl)
			if !ok || !local[n] || g.Tok != token.TYPE || !after(m.position(n)) {
				return true
			}
			for _, spec := range g.Specs {
				id := spec.(*dst.TypeSpec).Name
				tn, ok := m.objectOf(id).(*types.TypeName)
				if !ok {
					continue
				}
				if use := m.typeArgUse(tn); use != nil {
					p, q := m.position(id), m.position(use)
					m.file.warnings = append(m.file.warnings, fmt.Sprintf("%d:%d: the local type %s is numbered otherwise than in Go: as a type argument (%s, line %d) %%T, %%#v and reflection show %s.%s with another number than Go's, as local types declared before it are declared at package level", p.Line, p.Column, id.Name, types.TypeString(m.typeOf(use), types.RelativeTo(tn.Pkg())), q.Line, tn.Pkg().Name(), id.Name))
				}
			}
		}
		return true
	})
}

// typeArgUse returns the first expression of the body whose type has the
// local type tn in the type arguments of a generic type (Box[local], or a
// *Box[[]local]), or nil.
func (m *machine) typeArgUse(tn *types.TypeName) dst.Expr {
	var visit func(t types.Type, arg bool) bool
	visit = func(t types.Type, arg bool) bool {
		switch t := t.(type) {
		case *types.Alias:
			return visit(types.Unalias(t), arg)
		case *types.Named:
			if t.Obj() == tn {
				return arg
			}
			for ta := range t.TypeArgs().Types() {
				if visit(ta, true) {
					return true
				}
			}
		case *types.Pointer:
			return visit(t.Elem(), arg)
		case *types.Slice:
			return visit(t.Elem(), arg)
		case *types.Array:
			return visit(t.Elem(), arg)
		case *types.Chan:
			return visit(t.Elem(), arg)
		case *types.Map:
			return visit(t.Key(), arg) || visit(t.Elem(), arg)
		case *types.Signature:
			return visit(t.Params(), arg) || visit(t.Results(), arg)
		case *types.Tuple:
			for v := range t.Variables() {
				if visit(v.Type(), arg) {
					return true
				}
			}
		case *types.Struct:
			for f := range t.Fields() {
				if visit(f.Type(), arg) {
					return true
				}
			}
		}
		return false
	}
	var use dst.Expr
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		if e, ok := n.(dst.Expr); ok && use == nil {
			if t := m.typeOf(e); t != nil && visit(t, false) {
				use = e
			}
		}
		return use == nil
	})
	return use
}

// staysLocal returns the type and constant declarations that need not
// move: those of a statement list that holds no wait and no label a goto
// jumps to. Such a list is never cut into states (a wait-free statement is
// copied whole; the wait-free body of an if, loop or case that waits
// elsewhere goes into one state), so the declaration and every use of it
// stay in one case of Poll, a scope where it keeps its name: two blocks
// may each declare their C, a struct may embed it, and %T shows it as Go
// does. A declaration of a predeclared name (type bool int) moves all the
// same: in Poll's case it would hide the one the generated code writes.
func (m *machine) staysLocal() map[*dst.DeclStmt]bool {
	targets := map[string]bool{}
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		if b, ok := n.(*dst.BranchStmt); ok && b.Tok == token.GOTO && b.Label != nil {
			targets[b.Label.Name] = true
		}
		return true
	})
	local := map[*dst.DeclStmt]bool{}
	check := func(list []dst.Stmt) {
		for _, s := range list {
			if m.containsWait(s) {
				return
			}
			if l, ok := s.(*dst.LabeledStmt); ok && targets[l.Label.Name] {
				return
			}
		}
		for _, s := range list {
			d, ok := s.(*dst.DeclStmt)
			if !ok {
				continue
			}
			g, ok := d.Decl.(*dst.GenDecl)
			if !ok || g.Tok != token.TYPE && g.Tok != token.CONST {
				continue
			}
			predeclared := false
			for _, id := range declaredNames(g) {
				predeclared = predeclared || types.Universe.Lookup(id.Name) != nil
			}
			local[d] = !predeclared
		}
	}
	dst.Inspect(m.decl.Body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.FuncLit:
			return false
		case *dst.BlockStmt:
			if n != m.decl.Body {
				check(n.List)
			}
		case *dst.CaseClause:
			check(n.Body)
		case *dst.CommClause:
			check(n.Body)
		}
		return true
	})
	return local
}

// declaredNames returns the identifiers a type or const declaration
// declares.
func declaredNames(g *dst.GenDecl) []*dst.Ident {
	var out []*dst.Ident
	for _, spec := range g.Specs {
		switch spec := spec.(type) {
		case *dst.TypeSpec:
			out = append(out, spec.Name)
		case *dst.ValueSpec:
			out = append(out, spec.Names...)
		}
	}
	return out
}

// namesInCoroutine maps each name the coroutine's declaration uses to the
// objects it denotes there (nil for a name that denotes none, such as a
// label). Field names of selectors and composite literal keys are not
// looked up in scopes and do not count.
func (m *machine) namesInCoroutine() map[string]map[types.Object]bool {
	out := map[string]map[types.Object]bool{}
	dstutilApply(m.decl, func(id *dst.Ident, parent dst.Node, field string) {
		if sel, ok := parent.(*dst.SelectorExpr); ok && field == "Sel" && sel.Sel == id {
			return
		}
		if _, ok := parent.(*dst.KeyValueExpr); ok && field == "Key" {
			return
		}
		if out[id.Name] == nil {
			out[id.Name] = map[types.Object]bool{}
		}
		obj := m.objectOf(id)
		if t := m.embeddedType(id); t != nil {
			obj = t // struct{ deep }: the type deep, not the field
		}
		out[id.Name][obj] = true
	})
	return out
}

// refersToLocalVar reports whether a declaration names a variable of the
// coroutine (len(a) of a local array a is a constant).
func (m *machine) refersToLocalVar(g *dst.GenDecl) bool {
	found := false
	dst.Inspect(g, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && !m.isDef(id) { // a use: not a field's or a parameter's name
			if v, ok := m.objectOf(id).(*types.Var); ok && !v.IsField() && v.Parent() != m.file.pkg.Scope() {
				found = true
			}
		}
		return !found
	})
	return found
}

// usesOwnNames reports whether a constant declaration's expressions use a
// name it declares: const ( iota = iota; B ) or const ( X = X + X; Y ). An
// expression repeated implicitly (B, Y) is checked again where it is
// repeated, and there the name means the constant just declared, while
// the explicit one meant the name outside; the declaration at package
// level, renamed, cannot keep both apart, so it is written by value.
func usesOwnNames(g *dst.GenDecl) bool {
	declared := map[string]bool{}
	for _, id := range declaredNames(g) {
		declared[id.Name] = true
	}
	found := false
	for _, spec := range g.Specs {
		vs, ok := spec.(*dst.ValueSpec)
		if !ok {
			continue
		}
		for _, v := range vs.Values {
			dst.Inspect(v, func(n dst.Node) bool {
				if id, ok := n.(*dst.Ident); ok && declared[id.Name] {
					found = true
				}
				return !found
			})
		}
	}
	return found
}

// constValues rewrites each constant of g as its type and value, for a
// declaration that cannot stand at package level as written.
func (m *machine) constValues(g *dst.GenDecl) {
	for _, spec := range g.Specs {
		vs := spec.(*dst.ValueSpec)
		vs.Type, vs.Values = nil, nil
		for _, id := range vs.Names {
			c, ok := m.objectOf(id).(*types.Const)
			if !ok {
				continue
			}
			value, err := m.constValue(c.Val(), c.Type())
			if err != nil {
				m.errorf(m.position(id), "cannot declare the constant %s at package level: %v", id.Name, err)
				continue
			}
			vs.Values = append(vs.Values, value)
		}
	}
}

// constValue returns the constant v of type t as an expression: its
// literal, converted to t unless t is untyped.
func (m *machine) constValue(v constant.Value, t types.Type) (dst.Expr, error) {
	var kind types.BasicKind
	if b, ok := t.(*types.Basic); ok {
		kind = b.Kind()
	}
	lit, err := constLiteral(v, kind)
	if err != nil {
		return nil, err
	}
	if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		return lit, nil
	}
	x, err := typeExpr(t, m.file.tc)
	if err != nil {
		return nil, err
	}
	return &dst.CallExpr{Fun: x, Args: []dst.Expr{lit}}, nil
}

// constLiteral returns a literal of the exact value v, of a constant of
// basic kind kind (an untyped rune is written as a rune).
func constLiteral(v constant.Value, kind types.BasicKind) (dst.Expr, error) {
	switch v.Kind() {
	case constant.Bool:
		return dst.NewIdent(v.ExactString()), nil
	case constant.String:
		return &dst.BasicLit{Kind: token.STRING, Value: v.ExactString()}, nil
	case constant.Int:
		if kind == types.UntypedRune {
			// An untyped rune stays a rune: 'x', or '\x00' + n.
			if r, ok := constant.Int64Val(v); ok && r >= 0 && r <= unicode.MaxRune && utf8.ValidRune(rune(r)) {
				return &dst.BasicLit{Kind: token.CHAR, Value: strconv.QuoteRune(rune(r))}, nil
			}
			return &dst.BinaryExpr{X: &dst.BasicLit{Kind: token.CHAR, Value: `'\x00'`}, Op: token.ADD, Y: intLiteral(v)}, nil
		}
		return intLiteral(v), nil
	case constant.Float:
		return floatLiteral(v)
	case constant.Complex:
		re, err := floatLiteral(constant.ToFloat(constant.Real(v)))
		if err != nil {
			return nil, err
		}
		im, err := floatLiteral(constant.ToFloat(constant.Imag(v)))
		if err != nil {
			return nil, err
		}
		// re + im*1i: untyped constant arithmetic is exact.
		return &dst.BinaryExpr{X: re, Op: token.ADD, Y: &dst.BinaryExpr{X: im, Op: token.MUL, Y: &dst.BasicLit{Kind: token.IMAG, Value: "1i"}}}, nil
	}
	return nil, fmt.Errorf("its value %s has no exact literal", v)
}

// intLiteral returns the integer constant v as a literal, negated where
// it is negative.
func intLiteral(v constant.Value) dst.Expr {
	if constant.Sign(v) < 0 {
		return &dst.UnaryExpr{Op: token.SUB, X: &dst.BasicLit{Kind: token.INT, Value: constant.UnaryOp(token.SUB, v, 0).ExactString()}}
	}
	return &dst.BasicLit{Kind: token.INT, Value: v.ExactString()}
}

// floatLiteral returns the exact value of the float constant v: N.0, or
// N.0 / D for a fraction (untyped constant division is exact; the printer
// adds the parentheses an operand needs).
func floatLiteral(v constant.Value) (dst.Expr, error) {
	num, den := constant.Num(v), constant.Denom(v)
	if num.Kind() != constant.Int || den.Kind() != constant.Int {
		return nil, fmt.Errorf("its value %s has no exact literal", v)
	}
	neg := constant.Sign(num) < 0
	if neg {
		num = constant.UnaryOp(token.SUB, num, 0)
	}
	var x dst.Expr = &dst.BasicLit{Kind: token.FLOAT, Value: num.ExactString() + ".0"}
	if d := den.ExactString(); d != "1" {
		x = &dst.BinaryExpr{X: x, Op: token.QUO, Y: &dst.BasicLit{Kind: token.INT, Value: d}}
	}
	if neg {
		x = &dst.UnaryExpr{Op: token.SUB, X: x}
	}
	return x, nil
}

// renameLifted gives every identifier below n that denotes a lifted type
// or constant its package-level name; in a generic coroutine, a lifted
// type is instantiated with the type parameters where it is used.
//
// An embedded field is named after its type: where the type took another
// name, it would be another field. In the body (inBody), such a field
// keeps the type's own name, and the cases of Poll that embed it declare
// that name as an alias of the package-level one (embedAliases); in a
// lifted declaration, at package level, it cannot.
func (m *machine) renameLifted(n dst.Node, names map[types.Object]string, inBody bool) {
	// A generic local type of a generic coroutine, instantiated
	// (pair[int]), takes the coroutine's type arguments before its own
	// (pair[T, int]).
	instantiated := map[*dst.Ident]bool{}
	if m.typeParams != nil {
		dstutil.Apply(n, nil, func(c *dstutil.Cursor) bool {
			var x dst.Expr
			var indices []dst.Expr
			switch e := c.Node().(type) {
			case *dst.IndexExpr:
				x, indices = e.X, []dst.Expr{e.Index}
			case *dst.IndexListExpr:
				x, indices = e.X, e.Indices
			default:
				return true
			}
			id, ok := x.(*dst.Ident)
			if !ok {
				return true
			}
			obj := m.objectOf(id)
			if emb := m.embeddedType(id); emb != nil {
				obj = emb // struct{ pair[int] }
			}
			if _, ok := obj.(*types.TypeName); !ok || names[obj] == "" {
				return true
			}
			instantiated[id] = true
			c.Replace(&dst.IndexListExpr{X: id, Indices: append(idents(m.typeArgs), indices...), Decs: dst.IndexListExprDecorations{NodeDecs: *c.Node().Decorations()}})
			return true
		})
	}
	dstutil.Apply(n, func(c *dstutil.Cursor) bool {
		id, ok := c.Node().(*dst.Ident)
		if !ok {
			return true
		}
		obj := m.objectOf(id)
		embedded := m.embeddedType(id)
		if embedded != nil {
			obj = embedded
		}
		name, ok := names[obj]
		if !ok {
			return true
		}
		if embedded != nil && name != id.Name {
			if inBody && !instantiated[id] { // (an alias of pair2[T] cannot be instantiated)
				// The alias must not hide a variable of the case.
				m.flat.taken[id.Name] = true
				return true
			}
			m.errorf(m.position(id), "cannot declare the local type %s at package level under another name (%s is taken there): this struct embeds it, and its field would be named %s; rename the type", id.Name, id.Name, name)
			return true
		}
		id.Name = name
		if _, isType := obj.(*types.TypeName); !isType || m.typeParams == nil || m.isDef(id) && embedded == nil || instantiated[id] {
			return true
		}
		if !exprSlot(c) {
			return true
		}
		c.Replace(instantiate(id, idents(m.typeArgs)))
		return false
	}, nil)
}

// exprSlot reports whether the cursor's node sits where any expression
// may, not in a field of type *dst.Ident (a name being declared, a label,
// a selected field or method).
func exprSlot(c *dstutil.Cursor) bool {
	switch c.Name() {
	case "Names", "Name", "Label", "Sel":
		return false
	}
	return true
}

// embedAliases returns the declarations a case of Poll whose code is body
// needs before it: type C = C2 for each embedded field of a lifted type
// that took another name at package level (see renameLifted). The alias
// is in scope in the whole case, so no other identifier of the case may
// mean something else by that name (the package-level C, another local
// type C): corofy says so and writes nothing.
func (m *machine) embedAliases(body []dst.Stmt) []dst.Stmt {
	if len(m.liftedNames) == 0 {
		return nil
	}
	need := map[string]types.Object{} // by the name the alias declares
	at := map[string]*dst.Ident{}     // the first embedding of each, for messages
	inspectIdents(body, func(id *dst.Ident) {
		if emb := m.embeddedType(id); emb != nil && m.liftedNames[emb] != "" && m.liftedNames[emb] != id.Name {
			if need[id.Name] == nil {
				need[id.Name], at[id.Name] = emb, id
			} else if need[id.Name] != emb {
				m.aliasConflict(at[id.Name], m.liftedNames[need[id.Name]], id)
			}
		}
	})
	if len(need) == 0 {
		return nil
	}
	inspectIdents(body, func(id *dst.Ident) {
		emb, ok := need[id.Name]
		if !ok || m.embeddedType(id) == emb {
			return
		}
		switch obj := m.objectOf(id).(type) {
		case nil:
		case *types.Var:
			if !obj.IsField() {
				m.aliasConflict(at[id.Name], m.liftedNames[emb], id)
			}
		default:
			m.aliasConflict(at[id.Name], m.liftedNames[emb], id)
		}
	})
	var decls []dst.Stmt
	for _, name := range slices.Sorted(maps.Keys(need)) {
		x := instantiate(dst.NewIdent(m.liftedNames[need[name]]), idents(m.typeArgs))
		d := &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.TYPE, Specs: []dst.Spec{
			&dst.TypeSpec{Name: dst.NewIdent(name), Assign: true, Type: x},
		}}}
		d.Decs.End.Append(fmt.Sprintf("// the local type %s, which a struct embeds", name))
		decls = append(decls, d)
	}
	return decls
}

// aliasConflict reports that the embedded field id of a lifted type, named
// name at package level, cannot keep its name in its case of Poll, where
// other, in the same code, means something else by it.
func (m *machine) aliasConflict(id *dst.Ident, name string, other *dst.Ident) {
	p := m.position(other)
	m.errorf(m.position(id), "cannot embed the local type %s here under its own name: it is declared at package level as %s (%s is taken there), and named %s in this code between waits, where %s at line %d:%d means another %s; rename the type", id.Name, name, id.Name, id.Name, id.Name, p.Line, p.Column, id.Name)
}

// inspectIdents calls f for each identifier of the statements that sits
// where an expression may (see exprSlot) and names no package's member.
func inspectIdents(list []dst.Stmt, f func(*dst.Ident)) {
	for _, s := range list {
		dstutil.Apply(s, func(c *dstutil.Cursor) bool {
			if id, ok := c.Node().(*dst.Ident); ok && id.Path == "" && exprSlot(c) {
				f(id)
			}
			return true
		}, nil)
	}
}
