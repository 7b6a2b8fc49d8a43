package transform

import (
	"fmt"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
)

// typeContext is where typeExpr writes types: a package, and the local
// types moved to its package level (see lift.go).
type typeContext struct {
	pkg    *types.Package
	lifted map[*types.TypeName]*liftedType
	// typeParams renames type parameters written "_" in a receiver
	// (see typeParameters).
	typeParams map[*types.TypeName]string
}

// typeExpr returns a dst expression that denotes t in the package tc.pkg.
// Identifiers of other packages carry their path, so the restorer writes
// the imports. It fails for types that cannot be named there (unexported
// types of other packages).
func typeExpr(t types.Type, tc *typeContext) (dst.Expr, error) {
	switch t := t.(type) {
	case *types.Basic:
		if t.Kind() == types.UnsafePointer {
			return &dst.Ident{Name: "Pointer", Path: "unsafe"}, nil
		}
		return dst.NewIdent(t.Name()), nil
	case *types.Alias:
		return namedExpr(t.Obj(), t.TypeArgs(), tc)
	case *types.Named:
		return namedExpr(t.Obj(), t.TypeArgs(), tc)
	case *types.TypeParam:
		if name, ok := tc.typeParams[t.Obj()]; ok {
			return dst.NewIdent(name), nil
		}
		return dst.NewIdent(t.Obj().Name()), nil
	case *types.Pointer:
		x, err := typeExpr(t.Elem(), tc)
		return &dst.StarExpr{X: x}, err
	case *types.Slice:
		x, err := typeExpr(t.Elem(), tc)
		return &dst.ArrayType{Elt: x}, err
	case *types.Array:
		x, err := typeExpr(t.Elem(), tc)
		return &dst.ArrayType{Len: &dst.BasicLit{Kind: token.INT, Value: strconv.FormatInt(t.Len(), 10)}, Elt: x}, err
	case *types.Map:
		k, err := typeExpr(t.Key(), tc)
		if err != nil {
			return nil, err
		}
		v, err := typeExpr(t.Elem(), tc)
		return &dst.MapType{Key: k, Value: v}, err
	case *types.Chan:
		x, err := typeExpr(t.Elem(), tc)
		dir := dst.SEND | dst.RECV
		switch t.Dir() {
		case types.SendOnly:
			dir = dst.SEND
		case types.RecvOnly:
			dir = dst.RECV
		}
		if c, ok := t.Elem().(*types.Chan); ok && c.Dir() == types.RecvOnly && t.Dir() == types.SendRecv && x != nil {
			x = &dst.ParenExpr{X: x} // chan (<-chan T): "chan <-chan T" is chan<- chan T
		}
		return &dst.ChanType{Dir: dir, Value: x}, err
	case *types.Signature:
		return funcTypeExpr(t, tc)
	case *types.Struct:
		fields := &dst.FieldList{Opening: true, Closing: true}
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			if !f.Exported() && f.Pkg() != nil && f.Pkg() != tc.pkg {
				// Written here, the field would belong to this package:
				// another type.
				return nil, fmt.Errorf("type %s has field %s, which package %s does not export", types.TypeString(t, types.RelativeTo(tc.pkg)), f.Name(), f.Pkg().Name())
			}
			x, err := typeExpr(f.Type(), tc)
			if err != nil {
				return nil, err
			}
			field := &dst.Field{Type: x}
			if !f.Embedded() {
				field.Names = []*dst.Ident{dst.NewIdent(f.Name())}
			} else if name := embeddedName(x); name != f.Name() {
				// An embedded field is named after its type: a local
				// type declared at package level under another name
				// would make it another field.
				return nil, fmt.Errorf("type %s embeds the local type %s, which is declared at package level as %s (%s is taken there), and its field would be named %s; rename the type", types.TypeString(t, types.RelativeTo(tc.pkg)), f.Name(), name, f.Name(), name)
			}
			if tag := t.Tag(i); tag != "" {
				field.Tag = &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(tag)}
			}
			fields.List = append(fields.List, field)
		}
		return &dst.StructType{Fields: fields}, nil
	case *types.Interface:
		if t.Empty() {
			return dst.NewIdent("any"), nil
		}
		if t.IsImplicit() && t.NumEmbeddeds() == 1 && t.NumExplicitMethods() == 0 {
			// A constraint written without interface{...}: ~int | ~string.
			return typeExpr(t.EmbeddedType(0), tc)
		}
		methods := &dst.FieldList{Opening: true, Closing: true}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			x, err := typeExpr(t.EmbeddedType(i), tc)
			if err != nil {
				return nil, err
			}
			methods.List = append(methods.List, &dst.Field{Type: x})
		}
		for i := 0; i < t.NumExplicitMethods(); i++ {
			m := t.ExplicitMethod(i)
			if !m.Exported() && m.Pkg() != nil && m.Pkg() != tc.pkg {
				return nil, fmt.Errorf("type %s has method %s, which package %s does not export", types.TypeString(t, types.RelativeTo(tc.pkg)), m.Name(), m.Pkg().Name())
			}
			x, err := funcTypeExpr(m.Type().(*types.Signature), tc)
			if err != nil {
				return nil, err
			}
			methods.List = append(methods.List, &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.Name())}, Type: x})
		}
		return &dst.InterfaceType{Methods: methods}, nil
	case *types.Union: // a constraint's type set: ~int | ~string
		var x dst.Expr
		for i := 0; i < t.Len(); i++ {
			term, err := typeExpr(t.Term(i).Type(), tc)
			if err != nil {
				return nil, err
			}
			if t.Term(i).Tilde() {
				term = &dst.UnaryExpr{Op: token.TILDE, X: term}
			}
			if x == nil {
				x = term
			} else {
				x = &dst.BinaryExpr{X: x, Op: token.OR, Y: term}
			}
		}
		return x, nil
	}
	return nil, fmt.Errorf("cannot write type %s", t)
}

func namedExpr(obj *types.TypeName, args *types.TypeList, tc *typeContext) (dst.Expr, error) {
	var x dst.Expr
	var indices []dst.Expr
	switch {
	case tc.lifted[obj] != nil:
		// A local type of a generic coroutine takes the machine's type
		// parameters first, then its own (type pair[U any] in gcell[T]
		// is pair[T, U] at package level).
		l := tc.lifted[obj]
		x = dst.NewIdent(l.name)
		indices = idents(l.typeArgs)
	case obj.Pkg() == nil || obj.Pkg() == tc.pkg:
		if obj.Parent() != nil && obj.Parent() != types.Universe && obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
			return nil, fmt.Errorf("type %s is local to a function", obj.Name())
		}
		x = dst.NewIdent(obj.Name())
	case !obj.Exported():
		return nil, fmt.Errorf("type %s.%s is not exported", obj.Pkg().Name(), obj.Name())
	default:
		x = &dst.Ident{Name: obj.Name(), Path: obj.Pkg().Path()}
	}
	if len(indices) == 0 && (args == nil || args.Len() == 0) {
		return x, nil
	}
	for i := 0; args != nil && i < args.Len(); i++ {
		a, err := typeExpr(args.At(i), tc)
		if err != nil {
			return nil, err
		}
		indices = append(indices, a)
	}
	return instantiate(x, indices), nil
}

// instantiate returns x with the type arguments args: x, x[A] or x[A, B].
func instantiate(x dst.Expr, args []dst.Expr) dst.Expr {
	switch len(args) {
	case 0:
		return x
	case 1:
		return &dst.IndexExpr{X: x, Index: args[0]}
	}
	return &dst.IndexListExpr{X: x, Indices: args}
}

func funcTypeExpr(sig *types.Signature, tc *typeContext) (*dst.FuncType, error) {
	list := func(tuple *types.Tuple, variadic bool) (*dst.FieldList, error) {
		// With its parentheses, which the restorer then places: without,
		// the printer put a comment after the type before the ")" of an
		// empty list ("func( // parameter\n)").
		fl := &dst.FieldList{Opening: true, Closing: true}
		for i := 0; i < tuple.Len(); i++ {
			v := tuple.At(i)
			var x dst.Expr
			var err error
			if variadic && i == tuple.Len()-1 {
				var elt dst.Expr
				elt, err = typeExpr(v.Type().(*types.Slice).Elem(), tc)
				x = &dst.Ellipsis{Elt: elt}
			} else {
				x, err = typeExpr(v.Type(), tc)
			}
			if err != nil {
				return nil, err
			}
			fl.List = append(fl.List, &dst.Field{Type: x})
		}
		return fl, nil
	}
	params, err := list(sig.Params(), sig.Variadic())
	if err != nil {
		return nil, err
	}
	results, err := list(sig.Results(), false)
	if err != nil {
		return nil, err
	}
	if len(results.List) == 0 {
		results = nil
	} else if len(results.List) == 1 {
		results.Opening, results.Closing = false, false // no parentheses
	}
	return &dst.FuncType{Func: true, Params: params, Results: results}, nil
}

// zeroExpr returns an expression for the zero value of t, readable where
// possible (0, "", false, nil, T{}), *new(T) otherwise.
func zeroExpr(t types.Type, tc *typeContext) (dst.Expr, error) {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return dst.NewIdent("false"), nil
		case u.Info()&types.IsString != 0:
			return conv(t, &dst.BasicLit{Kind: token.STRING, Value: `""`}, tc)
		case u.Info()&types.IsNumeric != 0:
			return conv(t, &dst.BasicLit{Kind: token.INT, Value: "0"}, tc)
		case u.Kind() == types.UnsafePointer:
			return dst.NewIdent("nil"), nil
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		if _, isParam := t.(*types.TypeParam); !isParam {
			return dst.NewIdent("nil"), nil
		}
	case *types.Struct, *types.Array:
		x, err := typeExpr(t, tc)
		if err != nil {
			return nil, err
		}
		return &dst.CompositeLit{Type: x}, nil
	}
	x, err := typeExpr(t, tc)
	if err != nil {
		return nil, err
	}
	return &dst.StarExpr{X: &dst.CallExpr{Fun: dst.NewIdent("new"), Args: []dst.Expr{x}}}, nil
}

// conv returns lit, converted to t when t is a named type, so that the zero
// value has the right type in a return statement.
func conv(t types.Type, lit dst.Expr, tc *typeContext) (dst.Expr, error) {
	if _, ok := t.(*types.Basic); ok {
		return lit, nil
	}
	x, err := typeExpr(t, tc)
	if err != nil {
		return nil, err
	}
	return &dst.CallExpr{Fun: x, Args: []dst.Expr{lit}}, nil
}

// hasPointers reports whether a value of type t can refer to other memory.
func hasPointers(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.String || u.Kind() == types.UnsafePointer
	case *types.Array:
		return hasPointers(u.Elem())
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if hasPointers(u.Field(i).Type()) {
				return true
			}
		}
		return false
	}
	return true
}

// embeddedName returns the name of the field that embeds the type x: T,
// *T, T[A], pkg.T.
func embeddedName(x dst.Expr) string {
	switch x := x.(type) {
	case *dst.Ident:
		return x.Name
	case *dst.StarExpr:
		return embeddedName(x.X)
	case *dst.IndexExpr:
		return embeddedName(x.X)
	case *dst.IndexListExpr:
		return embeddedName(x.X)
	case *dst.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}
