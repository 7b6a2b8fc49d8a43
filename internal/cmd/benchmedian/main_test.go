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
