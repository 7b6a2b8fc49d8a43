package ch07

import (
	goruntime "runtime"
	"testing"
	"unsafe"

	"github.com/corofy/corofy/transform"
)

// TestReportedSize: the size corofy reports for a machine (BENCHMARKS.md,
// internal/cmd/machinesizes) is the size of the type it generated.
func TestReportedSize(t *testing.T) {
	if goruntime.GOARCH != "amd64" {
		t.Skipf("corofy reports machine sizes as gc lays them out on amd64 (BENCHMARKS.md); unsafe.Sizeof on %s may differ", goruntime.GOARCH)
	}
	res, err := transform.Transform(transform.Config{Command: "corofy"}, []transform.Input{{Path: "machine.gocoro", Output: "machine_corofied.go"}})
	if err != nil {
		t.Fatal(err)
	}
	got := res[0].Machines[0].Bytes
	if want := int64(unsafe.Sizeof(asyncMainCoroutine{})); got != want {
		t.Errorf("reported size %d, unsafe.Sizeof(asyncMainCoroutine{}) = %d", got, want)
	}
}
