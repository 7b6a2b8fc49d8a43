package ch07

import (
	"fmt"
	"testing"

	"github.com/corofy/corofy/runtime"
)

// drive polls f until it is ready and returns the number of polls.
func drive(f runtime.Future[struct{}], w runtime.Waker) int {
	n := 1
	for {
		if _, ok := f.Poll(w); ok {
			return n
		}
		n++
	}
}

// BenchmarkMachine runs the whole coroutine (construction, both leaves,
// every poll) generated and hand-written, with leaves ready after k polls.
func BenchmarkMachine(b *testing.B) {
	w := runtime.NoopWaker()
	for _, k := range []int{0, 1, 8} {
		for _, impl := range []struct {
			name string
			make func() runtime.Future[struct{}]
		}{{"generated", asyncMain}, {"handwritten", newHandwritten}} {
			b.Run(fmt.Sprintf("k=%d/%s", k, impl.name), func(b *testing.B) {
				Polls = k
				b.ReportAllocs()
				for b.Loop() {
					drive(impl.make(), w)
				}
			})
		}
	}
}

// BenchmarkSteadyPoll polls a machine suspended at a wait whose leaf is
// never ready: the cost of one steady-state Poll.
func BenchmarkSteadyPoll(b *testing.B) {
	w := runtime.NoopWaker()
	for _, impl := range []struct {
		name string
		make func() runtime.Future[struct{}]
	}{{"generated", asyncMain}, {"handwritten", newHandwritten}} {
		b.Run(impl.name, func(b *testing.B) {
			Polls = 1 << 62
			f := impl.make()
			f.Poll(w)
			b.ReportAllocs()
			for b.Loop() {
				f.Poll(w)
			}
		})
	}
}

// TestSteadyPollAllocs: a Poll that finds its child not ready allocates
// nothing: only making the machine and its children allocates. Allocation counts are deterministic, so
// this is a test, not a benchmark.
func TestSteadyPollAllocs(t *testing.T) {
	w := runtime.NoopWaker()
	Polls = 1 << 62
	f := asyncMain()
	f.Poll(w)
	if n := testing.AllocsPerRun(1000, func() { f.Poll(w) }); n != 0 {
		t.Errorf("steady-state Poll allocates %v times, want 0", n)
	}
}

// TestSameBehaviour: both machines take the same number of polls and
// leave the same output.
func TestSameBehaviour(t *testing.T) {
	w := runtime.NoopWaker()
	for k := 0; k < 4; k++ {
		Polls = k
		g := drive(asyncMain(), w)
		gs := Sink
		h := drive(newHandwritten(), w)
		if g != h || gs != Sink || g != 2*k+1 {
			t.Errorf("k=%d: generated took %d polls (last output %q), hand-written %d (%q); want %d", k, g, gs, h, Sink, 2*k+1)
		}
	}
}
