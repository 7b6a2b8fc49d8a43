package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	in := `goos: linux
BenchmarkA/x-2   100  10.0 ns/op  0 B/op  0 allocs/op
BenchmarkA/x-2   100  30.0 ns/op  0 B/op  0 allocs/op
BenchmarkA/x-2   100  20.0 ns/op  0 B/op  0 allocs/op
BenchmarkB-2     1    5 ns/op  7.5 widgets
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := "| benchmark | runs | ns/op | B/op | allocs/op | widgets |\n|---|---|---|---|---|---|\n" +
		"| A/x | 3 | 20.0 | 0.00 | 0.00 |  |\n| B | 1 | 5.00 |  |  | 7.50 |\n"
	if out.String() != want {
		t.Errorf("run printed:\n%s\nwant:\n%s", out.String(), want)
	}
	if err := run(strings.NewReader("nothing"), &out); err == nil {
		t.Error("run with no results: want an error")
	}
}

func TestFit(t *testing.T) {
	*fit = true
	defer func() { *fit = false }()
	// ns/op = 3 N^2 for one group, 5 N for the other.
	in := `BenchmarkS/quad/n=10-2 1 300 ns/op
BenchmarkS/quad/n=100-2 1 30000 ns/op
BenchmarkS/quad/n=1000-2 1 3000000 ns/op
BenchmarkS/lin/n=10-2 1 50 ns/op
BenchmarkS/lin/n=1000-2 1 5000 ns/op
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| S/quad | 3 | 2.00 |", "| S/lin | 2 | 1.00 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run -fit printed:\n%s\nwant a line %q", out.String(), want)
		}
	}

	// peak-MiB = 2 N^0.5, fitted with -fitunits; its ns/op is linear.
	*fitUnits = "peak-MiB"
	defer func() { *fitUnits = "" }()
	in = `BenchmarkM/n=100-2 1 100 ns/op 20 peak-MiB
BenchmarkM/n=10000-2 1 10000 ns/op 200 peak-MiB
`
	out.Reset()
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| benchmark | sizes | fitted exponent of peak-MiB |", "| M | 2 | 0.50 |", "| M | 2 | 1.00 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run -fit -fitunits peak-MiB printed:\n%s\nwant a line %q", out.String(), want)
		}
	}
}
