package fibers_test

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"testing"
	"time"

	"github.com/corofy/corofy/fibers"
)

// TestProfilerAndTracer runs fibers under the CPU profiler (SIGPROF
// tracebacks can land in the middle of a switch) and the execution tracer
// (frame-pointer tracebacks of fiber stacks at every blocking event), with
// forced GCs. It checks that nothing crashes and the work is done.
func TestProfilerAndTracer(t *testing.T) {
	forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
		var prof, tr bytes.Buffer
		if err := pprof.StartCPUProfile(&prof); err != nil {
			t.Skipf("CPU profiler unavailable: %v", err)
		}
		defer pprof.StopCPUProfile()
		if err := trace.Start(&tr); err != nil {
			t.Skipf("tracer unavailable: %v", err)
		}
		defer trace.Stop()
		yields := 0
		for range 8 {
			rt.Spawn(func(f *fibers.Fiber) {
				for i := range 20_000 {
					spin(50)
					if i%1000 == 0 {
						time.Sleep(time.Microsecond) // a blocking event, traced with a stack
						runtime.GC()
					}
					yields++
					f.Yield()
				}
			})
		}
		rt.Run()
		if yields != 8*20_000 {
			t.Fatalf("%d yields, want %d", yields, 8*20_000)
		}
	})
}
