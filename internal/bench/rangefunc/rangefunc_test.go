package rangefunc

import (
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/corofy/corofy/runtime"
)

// TestSums: the three loops give the sum of the values.
func TestSums(t *testing.T) {
	xs := []int{3, 1, 4, 1, 5}
	w := runtime.NoopWaker()
	for name, f := range map[string]runtime.Future[int]{
		"pulled":    pulled(slices.Values(xs)),
		"collected": collected(slices.Values(xs)),
		"overSlice": overSlice(xs),
	} {
		if got, ok := f.Poll(w); !ok || got != 14 {
			t.Errorf("%s = %d, %v; want 14, true", name, got, ok)
		}
	}
}

// BenchmarkRange runs each loop to completion over n values, ready waits
// in its body: ns/op divided by n is the cost of an iteration.
func BenchmarkRange(b *testing.B) {
	w := runtime.NoopWaker()
	for _, n := range []int{1, 100, 10000} {
		xs := make([]int, n)
		for i := range xs {
			xs[i] = i
		}
		seq := slices.Values(xs)
		for _, c := range []struct {
			name string
			make func() runtime.Future[int]
		}{
			{"pulled", func() runtime.Future[int] { return pulled(seq) }},
			{"collected", func() runtime.Future[int] { return collected(seq) }},
			{"slice", func() runtime.Future[int] { return overSlice(xs) }},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, c.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, ok := c.make().Poll(w); !ok {
						b.Fatal("not ready")
					}
				}
			})
		}
	}
}

// BenchmarkIterPull is what iter.Pull itself costs, without a machine:
// the same n values pulled in a plain loop, next until it reports none,
// then stop. BenchmarkRange's pulled loop pays this and its own work.
func BenchmarkIterPull(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		xs := make([]int, n)
		for i := range xs {
			xs[i] = i
		}
		seq := slices.Values(xs)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				next, stop := iter.Pull(seq)
				total := 0
				for x, ok := next(); ok; x, ok = next() {
					total += x
				}
				stop()
				if total != n*(n-1)/2 {
					b.Fatalf("total %d, want %d", total, n*(n-1)/2)
				}
			}
		})
	}
}
