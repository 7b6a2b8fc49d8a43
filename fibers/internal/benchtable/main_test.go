package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestMain lets TestTable run the command on a sample of go test output.
func TestMain(m *testing.M) {
	if os.Getenv("BENCHTABLE_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestTable(t *testing.T) {
	const in = `goos: linux
goarch: amd64
cpu: AMD EPYC
BenchmarkRoundTrip/fiber=asm-2   100   31.0 ns/op
BenchmarkRoundTrip/fiber=asm-2   100   45.5 ns/op
BenchmarkRoundTrip/fiber=asm-2   100   30.0 ns/op
BenchmarkSpawn/goroutine-2   10   333 ns/op   24 B/op   1 allocs/op
BenchmarkMemory/asm-2   1   5 ns/op   178.0 go-B/task   4285 rss-B/task
PASS
`
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BENCHTABLE_RUN_MAIN=1")
	cmd.Stdin = strings.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("benchtable: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"| fiber=asm | 31.0 | 3 |",
		"| goroutine | 333 | 24.0 | 1.00 | 1 |",
		"| asm | 4285 | 178 | 1 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("benchtable output lacks %q:\n%s", want, out.String())
		}
	}
}
