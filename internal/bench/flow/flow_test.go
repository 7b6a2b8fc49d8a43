package flow

import (
	"testing"

	"github.com/corofy/corofy/runtime"
)

// never is a future that is never ready.
type never struct{}

func (never) Poll(runtime.Waker) (int, bool) { return 0, false }

// TestSteadyPollAllocs: a machine with a loop, a switch and a defer
// allocates when the defer is registered (as Go's defer may), and nothing
// per Poll after that.
func TestSteadyPollAllocs(t *testing.T) {
	w := runtime.NoopWaker()
	f := loop(never{}, 3)
	f.Poll(w) // registers the defer, suspends at the wait
	if n := testing.AllocsPerRun(1000, func() { f.Poll(w) }); n != 0 {
		t.Errorf("steady-state Poll allocates %v times, want 0", n)
	}
}

// TestRuns checks the machine's result over a future that is ready.
func TestRuns(t *testing.T) {
	Sink = 0
	if got := runtime.BlockOn(loop(runtime.Ready(20), 1)); got != 20 || Sink != 1 {
		t.Errorf("loop(20, 1) = %d with Sink %d, want 20 and 1", got, Sink)
	}
}
