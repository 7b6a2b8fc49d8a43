package runtime

// The carriers of coroutines with several results. A coroutine declared
//
//	coroutine func F() (A, B)
//
// is a Future[Tuple2[A, B]], and in a coroutine "a, b := F().wait"
// unpacks it. Outside coroutines, Unpack does. Keep in sync with
// transform/names.go and parser/lower.go.

// Tuple2 carries the two results of a coroutine.
type Tuple2[A, B any] struct {
	R0 A
	R1 B
}

// Unpack returns the results.
func (t Tuple2[A, B]) Unpack() (A, B) { return t.R0, t.R1 }

// Tuple2Of returns a Tuple2 of its arguments (so Tuple2Of(f()) takes the
// two results of f).
func Tuple2Of[A, B any](a A, b B) Tuple2[A, B] { return Tuple2[A, B]{a, b} }

// Tuple3 carries the three results of a coroutine.
type Tuple3[A, B, C any] struct {
	R0 A
	R1 B
	R2 C
}

// Unpack returns the results.
func (t Tuple3[A, B, C]) Unpack() (A, B, C) { return t.R0, t.R1, t.R2 }

// Tuple3Of returns a Tuple3 of its arguments.
func Tuple3Of[A, B, C any](a A, b B, c C) Tuple3[A, B, C] { return Tuple3[A, B, C]{a, b, c} }

// Lazy2 is Lazy for a body with two results.
func Lazy2[A, B any](body func() (A, B)) Future[Tuple2[A, B]] {
	return Lazy(func() Tuple2[A, B] { return Tuple2Of(body()) })
}

// Lazy3 is Lazy for a body with three results.
func Lazy3[A, B, C any](body func() (A, B, C)) Future[Tuple3[A, B, C]] {
	return Lazy(func() Tuple3[A, B, C] { return Tuple3Of(body()) })
}

// Await2 is what "a, b := f.wait" means (see Await).
func Await2[A, B any](f Future[Tuple2[A, B]]) (A, B) { return Await(f).Unpack() }

// Await3 is what "a, b, c := f.wait" means (see Await).
func Await3[A, B, C any](f Future[Tuple3[A, B, C]]) (A, B, C) { return Await(f).Unpack() }
