package runtime

import (
	"fmt"
	"iter"
	"reflect"
	"strings"
	"testing"
)

// The tests of pull.go run each iterator twice: under Go's own range, and
// pulled as a machine pulls it (Pull, Next, Stop, StopPulls and
// UnwindPulls where generated code calls them), and compare what each
// prints: the events of the iterator and of the body, and the panic that
// comes out, by its message.

// events is a trace the iterators and bodies write to.
type events []string

func (e *events) add(format string, args ...any) { *e = append(*e, fmt.Sprintf(format, args...)) }

// counting yields 1..n, telling what its yields return; it defers a line.
func counting(ev *events, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer ev.add("iterator's deferred call")
		for i := 1; i <= n; i++ {
			if !yield(i) {
				ev.add("yield(%d) returned false", i)
				return
			}
		}
		ev.add("iterator done")
	}
}

// stubborn goes on yielding after a yield returned false.
func stubborn(ev *events) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= 3; i++ {
			ev.add("yield(%d) = %v", i, yield(i))
		}
	}
}

// swallowing recovers the body's panic and returns.
func swallowing(ev *events) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() { ev.add("iterator recovered %v", recover()) }()
		yield(1)
	}
}

// catching recovers the body's panic and yields again.
func catching(ev *events) iter.Seq[int] {
	return func(yield func(int) bool) {
		func() {
			defer func() { ev.add("iterator recovered %v", recover()) }()
			yield(1)
		}()
		yield(2)
	}
}

// panicking panics itself after its first value.
func panicking(ev *events) iter.Seq[int] {
	return func(yield func(int) bool) {
		yield(1)
		panic("iterator's own panic")
	}
}

// A body is what a loop does with the value x: nothing, break (leave),
// return (leave, in a function), or panic.
type body func(ev *events, x int) (leave bool)

func breakAt(n int) body {
	return func(ev *events, x int) bool { ev.add("body %d", x); return x == n }
}

func panicAt(n int) body {
	return func(ev *events, x int) bool {
		ev.add("body %d", x)
		if x == n {
			panic(fmt.Sprintf("body panic at %d", x))
		}
		return false
	}
}

// native runs the loop with Go's range; leaving is a return.
func native(ev *events, seq iter.Seq[int], b body) {
	defer func() {
		if r := recover(); r != nil {
			ev.add("panic: %v", r)
		}
	}()
	for x := range seq {
		if b(ev, x) {
			return
		}
	}
	ev.add("after the loop")
}

// pulled runs the loop as a machine does: a return stops every pulled
// loop (StopPulls), a panic unwinds them (UnwindPulls) before it goes on.
func pulled(ev *events, seq iter.Seq[int], b body) {
	ps := &Pulls{}
	defer func() {
		if r := recover(); r != nil {
			ev.add("panic: %v", r)
		}
		if len(ps.active) != 0 {
			ev.add("%d loops left on the stack", len(ps.active))
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			panic(UnwindPulls(ps, r))
		}
	}()
	it := Pull(ps, seq)
	for {
		x, ok := it.Next()
		if !ok {
			break
		}
		if b(ev, x) {
			StopPulls(ps)
			return
		}
	}
	ev.add("after the loop")
}

func TestPullAsRange(t *testing.T) {
	tests := []struct {
		name string
		seq  func(*events) iter.Seq[int]
		body body
	}{
		{"to the end", func(ev *events) iter.Seq[int] { return counting(ev, 3) }, breakAt(0)},
		{"empty", func(ev *events) iter.Seq[int] { return counting(ev, 0) }, breakAt(0)},
		{"return", func(ev *events) iter.Seq[int] { return counting(ev, 3) }, breakAt(2)},
		{"body panics", func(ev *events) iter.Seq[int] { return counting(ev, 3) }, panicAt(2)},
		{"goes on after false", stubborn, breakAt(1)},
		{"swallows the panic", swallowing, panicAt(1)},
		{"yields after the panic", catching, panicAt(1)},
		{"panics itself", panicking, breakAt(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want, got events
			native(&want, tt.seq(&want), tt.body)
			pulled(&got, tt.seq(&got), tt.body)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pulled:\n\t%s\nGo's range:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

// TestPullNested: a panic in the inner body goes through both iterators,
// the inner first, and a return stops both, the inner first.
func TestPullNested(t *testing.T) {
	for _, b := range []struct {
		name string
		body body
	}{{"return", breakAt(2)}, {"panic", panicAt(2)}} {
		t.Run(b.name, func(t *testing.T) {
			var want, got events
			func() {
				defer func() { want.add("panic: %v", recover()) }()
				for x := range counting(&want, 2) {
					for y := range counting(&want, 3) {
						if b.body(&want, 10*x+y) {
							return
						}
					}
				}
			}()
			func() {
				ps := &Pulls{}
				defer func() { got.add("panic: %v", recover()) }()
				defer func() {
					if r := recover(); r != nil {
						panic(UnwindPulls(ps, r))
					}
				}()
				outer := Pull(ps, counting(&got, 2))
				for {
					x, ok := outer.Next()
					if !ok {
						break
					}
					inner := Pull(ps, counting(&got, 3))
					for {
						y, ok := inner.Next()
						if !ok {
							break
						}
						if b.body(&got, 10*x+y) {
							StopPulls(ps)
							return
						}
					}
				}
			}()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pulled:\n\t%s\nGo's range:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

// TestPullArities: Pull0 and Pull2 give what their iterators yield, and
// Stop leaves the loop.
func TestPullArities(t *testing.T) {
	ps := &Pulls{}
	n := 0
	it0 := Pull0(ps, func(yield func() bool) {
		for range 3 {
			if !yield() {
				return
			}
		}
	})
	for it0.Next() {
		n++
	}
	if n != 3 || len(ps.active) != 0 {
		t.Errorf("Pull0: %d iterations, %d loops on the stack; want 3, 0", n, len(ps.active))
	}
	var got []string
	it2 := Pull2(ps, func(yield func(string, int) bool) {
		defer func() { got = append(got, "iterator returned") }()
		for i, s := range []string{"a", "b", "c"} {
			if !yield(s, i) {
				return
			}
		}
	})
	for {
		k, v, ok := it2.Next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s %d", k, v))
		if v == 1 {
			it2.Stop()
			break
		}
	}
	if want := []string{"a 0", "b 1", "iterator returned"}; !reflect.DeepEqual(got, want) || len(ps.active) != 0 {
		t.Errorf("Pull2 and Stop: %q, %d loops on the stack; want %q, 0", got, len(ps.active), want)
	}
}

// Yield types with names, as Go's range allows: func(pairYield) where
// type pairYield func(int, string) bool is not a func(func(int, string)
// bool), and Pull2 calls it through an adapter.
type (
	noYield   func() bool
	oneYield  func(int) bool
	pairYield func(int, string) bool
)

func TestPullNamedYields(t *testing.T) {
	ps := &Pulls{}
	n := 0
	it0 := Pull0(ps, func(yield noYield) { _ = yield() && yield() })
	for it0.Next() {
		n++
	}
	sum := 0
	it1 := Pull[int](ps, func(yield oneYield) { _ = yield(4) && yield(5) })
	for x, ok := it1.Next(); ok; x, ok = it1.Next() {
		sum += x
	}
	var got []string
	it2 := Pull2[int, string](ps, func(yield pairYield) {
		if yield(1, "a") && yield(2, "b") {
			got = append(got, "iterator exhausted")
		}
	})
	for k, v, ok := it2.Next(); ok; k, v, ok = it2.Next() {
		got = append(got, fmt.Sprintf("%d %s", k, v))
	}
	if want := []string{"1 a", "2 b", "iterator exhausted"}; n != 2 || sum != 9 || !reflect.DeepEqual(got, want) || len(ps.active) != 0 {
		t.Errorf("got %d, %d, %q, %d loops on the stack; want 2, 9, %q, 0", n, sum, got, len(ps.active), want)
	}
}
