package runtime

import (
	"math"
	"testing"
)

// TestMapLookup checks what a generated range over a map whose keys may be
// NaN produces for each entry of MapEntries: the current value of an
// ordinary key, nothing for a deleted one, the starting value of a NaN key
// while the map holds a NaN key, nothing once clear removed them.
func TestMapLookup(t *testing.T) {
	nan := math.NaN()
	m := map[float64]string{nan: "a", 1: "b", 2: "c"}
	keys, values := MapEntries(m)
	if len(keys) != 3 || len(values) != 3 {
		t.Fatalf("MapEntries gave %d keys and %d values, want 3 of each", len(keys), len(values))
	}
	m[1] = "B"
	delete(m, 2)
	got := map[string]bool{}
	for i, k := range keys {
		if v, ok := MapLookup(m, k, values[i]); ok {
			got[v] = true
		}
	}
	if want := map[string]bool{"a": true, "B": true}; len(got) != len(want) || !got["a"] || !got["B"] {
		t.Errorf("produced %v, want %v", got, want)
	}
	clear(m)
	m[3] = "d"
	for i, k := range keys {
		if v, ok := MapLookup(m, k, values[i]); ok {
			t.Errorf("after clear, key %v produced %q", k, v)
		}
	}
	// An interface key holding a NaN is not equal to itself either.
	a := map[any]int{nan: 1, "x": 2}
	ak, av := MapEntries(a)
	sum := 0
	for i, k := range ak {
		v, ok := MapLookup(a, k, av[i])
		if !ok {
			t.Errorf("key %v not produced", k)
		}
		sum += v
	}
	if sum != 3 {
		t.Errorf("values add up to %d, want 3", sum)
	}
}
