package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
)

// BenchmarkCost compares corofy with go vet on one package as it grows:
// a file of n coroutines of five waits each, n from 10 to 10,000, and a
// file of 20 MB of plain Go with one coroutine. Both run as commands, as a
// user runs them, with a warm build cache, on a package that changed since
// the last run (each run edits a small file of the package first, so go
// vet's cached result does not count): corofy -check (load, type check,
// transform, print, compare), and go vet on the package with its
// generated file. ns/op is the median of the runs (-benchtime 3x: three,
// after one package setup, which costs as much again); peak-MiB is the
// peak memory of the largest process of any run (Linux). BENCHMARKS.md
// has the table and the fitted exponents, made with
//
//	go test -run '^$' -bench Cost -benchtime 3x -timeout 2h ./cmd/corofy | go run ./internal/cmd/benchmedian -fit -fitunits peak-MiB
func BenchmarkCost(b *testing.B) {
	bin := buildCorofy(b)
	mod := testmod.New(b)
	type input struct {
		name string
		src  func() []byte
	}
	var inputs []input
	for _, n := range []int{10, 100, 1000, 10000} {
		inputs = append(inputs, input{fmt.Sprintf("n=%d", n), func() []byte { return coroutinesSource(n) }})
	}
	inputs = append(inputs, input{"plain-20MB", func() []byte { return plainSource(20 << 20) }})
	for _, in := range inputs {
		dir := filepath.Join(mod, strings.ReplaceAll(in.name, "=", ""))
		var once sync.Once
		setup := func(b *testing.B) {
			once.Do(func() { setupCostPackage(b, bin, dir, in.src()) })
		}
		for _, c := range []struct {
			name string
			cmd  []string
		}{
			{"corofy", []string{bin, "-check", "main.gocoro"}},
			{"govet", []string{testmod.GoTool(), "vet", "."}},
		} {
			b.Run(c.name+"/"+in.name, func(b *testing.B) {
				setup(b)
				var peak int64
				var times []time.Duration
				for b.Loop() {
					b.StopTimer()
					touchPackage(b, dir, len(times)+1)
					b.StartTimer()
					start := time.Now()
					peak = max(peak, runCommand(b, dir, c.cmd))
					times = append(times, time.Since(start))
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2]), "ns/op")
				if peak > 0 {
					b.ReportMetric(float64(peak)/1024, "peak-MiB")
				}
			})
		}
	}
}

// buildCorofy builds this command into a temporary directory.
func buildCorofy(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "corofy")
	if out, err := exec.Command(testmod.GoTool(), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// setupCostPackage writes src as dir/main.gocoro, generates its output,
// and runs go vet once, so that the runs measured find the dependencies
// compiled and the output up to date.
func setupCostPackage(b *testing.B, bin, dir string, src []byte) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.gocoro"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	runCommand(b, dir, []string{bin, "main.gocoro"})
	touchPackage(b, dir, 0)
	runCommand(b, dir, []string{testmod.GoTool(), "vet", "."})
}

// touchPackage rewrites a small Go file of the package in dir with new
// contents, as an edit would, so that the go command's cached results for
// the package no longer hold. The contents are new to the build cache
// too: the run number alone repeats from one -count to the next, and go
// vet would find its result of an earlier benchmark run.
func touchPackage(b *testing.B, dir string, run int) {
	src := fmt.Sprintf("package main\n\n// edit is changed before each run.\nconst edit = %d\n\n// %d\n", run, time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(dir, "edit.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
}

// runCommand runs cmd in dir and returns the peak resident memory in KiB
// of the largest process of the run (0 where the system does not say).
func runCommand(b *testing.B, dir string, args []string) int64 {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = testmod.Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return peakKiB(cmd.ProcessState)
}

// coroutinesSource returns a .gocoro file of n coroutines of five waits
// each: four on ready futures and one on the coroutine before, with a
// variable live across the waits.
func coroutinesSource(n int) []byte {
	var s strings.Builder
	s.WriteString("package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/corofy/corofy/runtime\"\n)\n")
	for i := range n {
		prev := fmt.Sprintf("runtime.Ready(%d)", i)
		if i > 0 {
			prev = fmt.Sprintf("step%d(a - 1)", i-1)
		}
		fmt.Fprintf(&s, `
// step%[1]d adds the numbers it waits for.
coroutine func step%[1]d(a int) int {
	x := a
	x += runtime.Ready(1).wait
	label := fmt.Sprint(x)
	if x > %[1]d {
		x += runtime.Ready(len(label)).wait
	}
	for i := range 2 {
		x += runtime.Ready(i).wait
	}
	x += %[2]s.wait
	return x + len(label)
}
`, i, prev)
	}
	fmt.Fprintf(&s, "\nfunc main() { fmt.Println(runtime.BlockOn(step%d(3))) }\n", n-1)
	return []byte(s.String())
}

// plainSource returns a .gocoro file of about size bytes of plain Go
// functions, types and methods, with one coroutine.
func plainSource(size int) []byte {
	var s strings.Builder
	s.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\n\t\"github.com/corofy/corofy/runtime\"\n)\n")
	s.WriteString(`
// only waits once.
coroutine func only(a int) int {
	return runtime.Ready(a).wait + plain0(a, 1)
}

func main() { fmt.Println(runtime.BlockOn(only(3))) }
`)
	for i := 0; s.Len() < size; i++ {
		fmt.Fprintf(&s, `
// plain%[1]d counts, in a loop, what plain%[1]d counts.
func plain%[1]d(a, b int) int {
	s := 0
	for i := range a {
		if i%%3 == 0 { // every third
			s += b
		}
	}
	return s + %[1]d
}

// record%[1]d is a record.
type record%[1]d struct {
	name  string
	count int
}

func (r *record%[1]d) String() string {
	return strings.Repeat(r.name, r.count)
}
`, i)
	}
	return []byte(s.String())
}
