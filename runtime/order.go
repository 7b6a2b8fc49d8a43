package runtime

import (
	"reflect"
	goruntime "runtime"
)

// The functions of this file answer, for the type arguments of a generic
// coroutine, a question the compiler answers for every other coroutine:
// does gc read an operand of a statement before the statement's later
// calls (in order with them), or after all of them? The spec leaves it
// open; gc's order pass (cmd/compile/internal/walk/order.go) decides by
// the operand's representation, and generated code keeps gc's order.
// In a generic coroutine the representation is the type argument's, so
// the generated machine asks at run time. For a value of type T converted
// to an interface in
//
//	fmt.Println(T(x), f.wait)
//
// the machine's Poll reads x before the wait if gc would, and after it
// otherwise:
//
//	if runtime.ConvertsByAddress[T]() {
//		c.tmp1 = T(c.x)
//	}
//	... the wait ...
//	if !runtime.ConvertsByAddress[T]() {
//		c.tmp1 = T(c.x)
//	}
//	fmt.Println(c.tmp1, out1)
//
// Measured with gc 1.26; testdata/e2e/genericorder.txtar runs the boxing
// rule with 43 type arguments, the map key rule with 39 and the
// comparison rule with 14.

// ConvertsByAddress reports whether gc converts a value of type T to an
// interface through its address, and so copies an operand of type T
// that is not addressable when it orders the statement (OCONVIFACE in
// order.go): T is not an interface, and has no conversion that takes it
// by value (dataWordFuncName in cmd/compile/internal/walk/convert.go:
// 2-byte values of alignment 2, pointer-free 4- and 8-byte values of
// their size's alignment, and types whose sole component is a string or
// a slice).
func ConvertsByAddress[T any]() bool {
	t := reflect.TypeFor[T]()
	if t.Kind() == reflect.Interface {
		return false
	}
	size, align := t.Size(), uintptr(t.Align())
	switch {
	case size == 2 && align == 2:
		return false
	case size == 4 && align == 4 && !hasPointers(t):
		return false
	case size == 8 && align == uintptr(reflect.TypeFor[uint64]().Align()) && !hasPointers(t):
		return false
	}
	if sc := soleComponent(t); sc != nil && (sc.Kind() == reflect.String || sc.Kind() == reflect.Slice) {
		return false
	}
	return true
}

// ComparesByAddress reports whether gc compares two values of type T
// through their addresses, and so copies an operand of == or != of type
// T that is not addressable once both operands are evaluated (OEQ in
// order.go): T is a struct or an array.
func ComparesByAddress[T comparable]() bool {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Struct, reflect.Array:
		return true
	}
	return false
}

// KeyCopied reports whether gc copies a key of a map[K]V where it orders
// a statement that looks it up, assigns or deletes it (mapKeyTemp in
// order.go), addressable telling whether the key's expression is
// addressable. The general path takes the key by address and copies one
// that is not addressable; the fast paths (mapfast in
// cmd/compile/internal/walk: pointer-free 4- and 8-byte keys compared as
// plain memory, pointers, strings, for elements of at most 128 bytes)
// take it by value, and go through a copy when the key is a struct or an
// array.
func KeyCopied[K comparable, V any](addressable bool) bool {
	k := reflect.TypeFor[K]()
	if !mapFast(k, reflect.TypeFor[V]()) {
		return !addressable
	}
	switch k.Kind() {
	case reflect.Struct, reflect.Array:
		return true
	}
	return false
}

// mapFast reports whether gc looks keys of a map[k]v up by value (mapfast
// does not return mapslow).
func mapFast(k, v reflect.Type) bool {
	if v.Size() > 128 { // abi.MapMaxElemBytes
		return false
	}
	switch alg(k) {
	case algString:
		return true
	case algMem:
		if k.Align() < archAlignment() && uintptr(k.Align()) < k.Size() {
			return false // not taken as a 4- or 8-byte word (reflectdata.AlgType)
		}
		ptrSize := reflect.TypeFor[uintptr]().Size()
		switch k.Size() {
		case 4:
			return !hasPointers(k) || ptrSize == 4
		case 8:
			return !hasPointers(k) || ptrSize == 8
		}
	}
	return false
}

// An algorithm is how gc compares and hashes values of a type
// (types.AlgKind): as plain memory, as strings, or some other way.
type algorithm int

const (
	algOther algorithm = iota
	algMem
	algString
)

// alg returns the algorithm of t, as cmd/compile/internal/types computes
// it in CalcSize: a struct of one field that is not blank, and an array of
// one element, are compared as that field or element; other structs and
// arrays as memory when all they hold is, with no blank field and no
// padding.
func alg(t reflect.Type) algorithm {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Pointer, reflect.UnsafePointer, reflect.Chan:
		return algMem
	case reflect.String:
		return algString
	case reflect.Array:
		switch {
		case t.Len() == 0:
			return algMem
		case t.Len() == 1:
			return alg(t.Elem())
		case alg(t.Elem()) == algMem:
			return algMem
		}
	case reflect.Struct:
		if t.NumField() == 1 && t.Field(0).Name != "_" {
			return alg(t.Field(0).Type)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			end := t.Size()
			if i+1 < t.NumField() {
				end = t.Field(i + 1).Offset
			}
			if f.Name == "_" || alg(f.Type) != algMem || f.Offset+f.Type.Size() != end {
				return algOther
			}
		}
		return algMem
	}
	return algOther
}

// archAlignment is the alignment gc requires of a word it loads whole
// (cmd/internal/sys.Arch.Alignment).
func archAlignment() int {
	switch goruntime.GOARCH {
	case "arm", "mips", "mipsle":
		return 4
	case "loong64", "mips64", "mips64le", "riscv64":
		return 8
	}
	return 1
}

// hasPointers reports whether values of t hold pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Chan, reflect.Map, reflect.Func,
		reflect.Interface, reflect.String, reflect.Slice:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// soleComponent returns the one element a struct or array type is made of,
// as gc's types.Type.SoleComponent does: through structs of one field and
// arrays of one element; t itself for other types; nil when there is none.
func soleComponent(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Struct:
		if t.NumField() != 1 {
			return nil
		}
		return soleComponent(t.Field(0).Type)
	case reflect.Array:
		if t.Len() != 1 {
			return nil
		}
		return soleComponent(t.Elem())
	}
	return t
}
