package models

import (
	"strings"
	"testing"
	"time"
)

// TestPark checks each model's Park function, which the measure command
// uses: it calls parked once, while the tasks wait, and returns after all
// of them have finished (so not before d has passed).
func TestPark(t *testing.T) {
	parks := []struct {
		name string
		park func(n int, d time.Duration, parked func())
	}{
		{"threads", ParkThreads},
		{"fibers", ParkFibers},
		{"callbacks", ParkCallbacks},
		{"coroutines", ParkCoroutines},
	}
	const n, d = 20, 50 * time.Millisecond
	for _, p := range parks {
		t.Run(p.name, func(t *testing.T) {
			calls := 0
			start := time.Now()
			p.park(n, d, func() { calls++ })
			if took := time.Since(start); calls != 1 || took < d {
				t.Errorf("Park%s(%d, %v, parked) called parked %d times and returned after %v; want once, after %v or more",
					strings.ToUpper(p.name[:1])+p.name[1:], n, d, calls, took, d)
			}
		})
	}
}
