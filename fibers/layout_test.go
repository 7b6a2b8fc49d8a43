//go:build (amd64 || arm64) && (linux || darwin) && go1.26 && !go1.28

package fibers

import (
	"strings"
	"testing"
	"unsafe"
)

// TestCheckLayoutRejects checks that the start-up check refuses a g whose
// fields are not where the switch expects them: each case copies the running
// goroutine's g and breaks one word.
func TestCheckLayoutRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  uintptr
		bad  func(w uintptr) uintptr
		want string
	}{
		{"stack.lo", gStackLo, func(w uintptr) uintptr { return w + 1<<20 }, "g.stack"},
		{"stack.hi", gStackHi, func(w uintptr) uintptr { return w + 3 }, "g.stack"},
		{"stackguard0", gStackguard0, func(w uintptr) uintptr { return w + 8 }, "g.stackguard0"},
		{"stackguard1", gStackguard1, func(w uintptr) uintptr { return 0 }, "g.stackguard1"},
		{"m", gM, func(w uintptr) uintptr { return 0 }, "g.m"},
		{"stktopsp", gStktopsp, func(w uintptr) uintptr { return w - 4096 }, "g.stktopsp"},
		{"_panic", gPanic, func(w uintptr) uintptr { return 1 }, "g._panic"},
		{"_defer (no record seen)", 0, nil, "g._defer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error)
			go func() {
				var fake [gStktopsp/8 + 1]uintptr
				for i := range fake {
					fake[i] = word(getgp(), uintptr(i)*8)
				}
				if tc.bad != nil {
					fake[tc.off/8] = tc.bad(fake[tc.off/8])
				}
				done <- checkLayout(unsafe.Pointer(&fake))
			}()
			err := <-done
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("checkLayout(g with %s broken) = %v, want an error about %s", tc.name, err, tc.want)
			}
		})
	}
}
