package runtime

import "testing"

// The rules of order.go, type by type. testdata/e2e/genericorder.txtar
// checks them against what gc does, in programs built both ways.
func TestOrderRules(t *testing.T) {
	type (
		one    struct{ n int }
		i8x2   struct{ a, b int8 }
		i16    struct{ a int16 }
		str    struct{ s string }
		slc    struct{ s []int }
		ptr    struct{ p *int }
		padded struct {
			a int8
			b int16
		}
		bools struct{ a, b, c, d bool }
		blank struct {
			_ int32
			n int32
		}
		flt struct{ f float64 }
		big [17]int64
	)
	check := func(name string, got, want bool) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("ConvertsByAddress[int]", ConvertsByAddress[int](), false)
	check("ConvertsByAddress[int8]", ConvertsByAddress[int8](), true)
	check("ConvertsByAddress[int16]", ConvertsByAddress[int16](), false)
	check("ConvertsByAddress[bool]", ConvertsByAddress[bool](), true)
	check("ConvertsByAddress[float64]", ConvertsByAddress[float64](), false)
	check("ConvertsByAddress[complex128]", ConvertsByAddress[complex128](), true)
	check("ConvertsByAddress[string]", ConvertsByAddress[string](), false)
	check("ConvertsByAddress[[]int]", ConvertsByAddress[[]int](), false)
	check("ConvertsByAddress[*int]", ConvertsByAddress[*int](), true)
	check("ConvertsByAddress[any]", ConvertsByAddress[any](), false)
	check("ConvertsByAddress[one]", ConvertsByAddress[one](), false)
	check("ConvertsByAddress[i8x2]", ConvertsByAddress[i8x2](), true)
	check("ConvertsByAddress[i16]", ConvertsByAddress[i16](), false)
	check("ConvertsByAddress[str]", ConvertsByAddress[str](), false)
	check("ConvertsByAddress[slc]", ConvertsByAddress[slc](), false)
	check("ConvertsByAddress[ptr]", ConvertsByAddress[ptr](), true)
	check("ConvertsByAddress[[2]int]", ConvertsByAddress[[2]int](), true)
	check("ConvertsByAddress[[1]string]", ConvertsByAddress[[1]string](), false)

	check("ComparesByAddress[int]", ComparesByAddress[int](), false)
	check("ComparesByAddress[any]", ComparesByAddress[any](), false)
	check("ComparesByAddress[one]", ComparesByAddress[one](), true)
	check("ComparesByAddress[[1]int]", ComparesByAddress[[1]int](), true)

	// Keys not addressable: copied unless a fast path takes them by value.
	check("KeyCopied[int, string]", KeyCopied[int, string](false), false)
	check("KeyCopied[string, string]", KeyCopied[string, string](false), false)
	check("KeyCopied[*int, string]", KeyCopied[*int, string](false), false)
	check("KeyCopied[int8, string]", KeyCopied[int8, string](false), true)
	check("KeyCopied[float64, string]", KeyCopied[float64, string](false), true)
	check("KeyCopied[any, string]", KeyCopied[any, string](false), true)
	check("KeyCopied[int, big]", KeyCopied[int, big](false), true)
	// Addressable keys: copied only by a fast path of a struct or array.
	check("KeyCopied[int, string](addressable)", KeyCopied[int, string](true), false)
	check("KeyCopied[one, string](addressable)", KeyCopied[one, string](true), true)
	check("KeyCopied[str, string](addressable)", KeyCopied[str, string](true), true)
	check("KeyCopied[bools, string](addressable)", KeyCopied[bools, string](true), true)
	check("KeyCopied[[2]int32, string](addressable)", KeyCopied[[2]int32, string](true), true)
	check("KeyCopied[padded, string](addressable)", KeyCopied[padded, string](true), false)
	check("KeyCopied[blank, string](addressable)", KeyCopied[blank, string](true), false)
	check("KeyCopied[flt, string](addressable)", KeyCopied[flt, string](true), false)
	check("KeyCopied[[2]int, string](addressable)", KeyCopied[[2]int, string](true), false)
	check("KeyCopied[one, big](addressable)", KeyCopied[one, big](true), false)
}

// The rules run in Poll, which allocates nothing in its steady state.
func TestOrderRulesDoNotAllocate(t *testing.T) {
	type key struct {
		a int32
		b [2]int16
	}
	n := testing.AllocsPerRun(100, func() {
		_ = ConvertsByAddress[key]() || ConvertsByAddress[[1]string]() || ComparesByAddress[key]()
		_ = KeyCopied[key, [3]string](false) || KeyCopied[any, int](true)
	})
	if n != 0 {
		t.Errorf("%v allocations per run of the rules, want 0", n)
	}
}
