// Command benchtable turns the output of the fibers benchmarks into the
// markdown tables of BENCHMARKS.md (section "Fibers"): the median of each metric over the
// -count runs, per benchmark.
//
//	go test -run '^$' -bench . -count 5 ./fibers | go run ./fibers/internal/benchtable
//
// It reads "go test -bench" output on standard input and writes markdown on
// standard output.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchtable: ")
	// samples[benchmark][unit] = values, in first-seen order of benchmarks.
	samples := map[string]map[string][]float64{}
	var order []string
	var header []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if k, _, ok := strings.Cut(line, ": "); ok && (k == "goos" || k == "goarch" || k == "cpu") {
			header = append(header, line)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if _, seen := samples[name]; !seen {
			samples[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				log.Fatalf("bad value %q in %q", fields[i], line)
			}
			samples[name][fields[i+1]] = append(samples[name][fields[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	if len(order) == 0 {
		log.Fatal("no benchmark results on standard input")
	}
	for _, h := range header {
		fmt.Printf("%s  \n", h)
	}
	table(order, samples, "BenchmarkRoundTrip/", "one resume+yield round trip", []string{"ns/op"})
	table(order, samples, "BenchmarkSpawn/", "spawn, run to completion, release", []string{"ns/op", "B/op", "allocs/op"})
	table(order, samples, "BenchmarkMemory/", "per suspended task, 100,000 tasks", []string{"rss-B/task", "go-B/task"})
}

// table prints one markdown table of the medians of units for the
// benchmarks whose names start with prefix.
func table(order []string, samples map[string]map[string][]float64, prefix, title string, units []string) {
	fmt.Printf("\n| %s | %s | runs |\n|---|%s---|\n", title, strings.Join(units, " | "), strings.Repeat("---:|", len(units)))
	for _, name := range order {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		short := strings.TrimPrefix(name, prefix)
		if i := strings.LastIndex(short, "-"); i > 0 { // GOMAXPROCS suffix
			short = short[:i]
		}
		row := []string{short}
		runs := 0
		for _, u := range units {
			vs := samples[name][u]
			if len(vs) == 0 {
				row = append(row, "")
				continue
			}
			runs = len(vs)
			row = append(row, format(median(vs)))
		}
		fmt.Printf("| %s | %d |\n", strings.Join(row, " | "), runs)
	}
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func format(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
