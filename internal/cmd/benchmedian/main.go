// Command benchmedian reads the output of go test -bench (usually with
// -count 5) on standard input and prints, as a Markdown table, the median
// of every metric of every benchmark: ns/op, B/op, allocs/op and any
// metric a benchmark reports. BENCHMARKS.md is made with it:
//
//	go test -run '^$' -bench . -count 5 ./internal/bench/ch07 | go run ./internal/cmd/benchmedian
//
// With -fit, benchmarks named NAME/n=N (one per size N) also get the
// exponent k of the power law ns/op ~ N^k fitted to their medians by least
// squares on logarithms: 1 for a cost linear in N, 2 for a quadratic one.
// -fitunits names other metrics to fit the same way (peak-MiB, say).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	fit      = flag.Bool("fit", false, "fit the exponent of ns/op against N for benchmarks named NAME/n=N")
	fitUnits = flag.String("fitunits", "", "with -fit, the comma-separated `metrics` to fit besides ns/op")
)

func main() {
	flag.Parse()
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchmedian:", err)
		os.Exit(1)
	}
}

var gomaxprocs = regexp.MustCompile(`-\d+$`)

func run(in io.Reader, out io.Writer) error {
	values := map[string]map[string][]float64{} // benchmark -> unit -> values
	var names, units []string
	seenUnit := map[string]bool{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := gomaxprocs.ReplaceAllString(strings.TrimPrefix(fields[0], "Benchmark"), "")
		if values[name] == nil {
			values[name] = map[string][]float64{}
			names = append(names, name)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			unit := fields[i+1]
			values[name][unit] = append(values[name][unit], v)
			if !seenUnit[unit] {
				seenUnit[unit] = true
				units = append(units, unit)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no benchmark results on standard input")
	}
	fmt.Fprintf(out, "| benchmark | runs | %s |\n|---|---|%s\n", strings.Join(units, " | "), strings.Repeat("---|", len(units)))
	for _, name := range names {
		runs := 0
		var cells []string
		for _, u := range units {
			vs := values[name][u]
			runs = max(runs, len(vs))
			if len(vs) == 0 {
				cells = append(cells, "")
				continue
			}
			cells = append(cells, format(median(vs)))
		}
		fmt.Fprintf(out, "| %s | %d | %s |\n", name, runs, strings.Join(cells, " | "))
	}
	if *fit {
		printFits(out, names, values, "ns/op")
		for _, u := range strings.Split(*fitUnits, ",") {
			if u != "" && u != "ns/op" {
				printFits(out, names, values, u)
			}
		}
	}
	return nil
}

var sizeSuffix = regexp.MustCompile(`^(.*)/n=(\d+)$`)

// printFits prints, for each group of benchmarks NAME/n=N, the exponent k
// of unit ~ N^k fitted to the medians.
func printFits(out io.Writer, names []string, values map[string]map[string][]float64, unit string) {
	type point struct{ x, y float64 }
	groups := map[string][]point{}
	var order []string
	for _, name := range names {
		m := sizeSuffix.FindStringSubmatch(name)
		vs := values[name][unit]
		if m == nil || len(vs) == 0 {
			continue
		}
		n, _ := strconv.ParseFloat(m[2], 64)
		if groups[m[1]] == nil {
			order = append(order, m[1])
		}
		groups[m[1]] = append(groups[m[1]], point{math.Log(n), math.Log(median(vs))})
	}
	if len(order) == 0 {
		return
	}
	what := "fitted exponent"
	if unit != "ns/op" {
		what += " of " + unit
	}
	fmt.Fprintf(out, "\n| benchmark | sizes | %s |\n|---|---|---|\n", what)
	for _, g := range order {
		ps := groups[g]
		if len(ps) < 2 {
			continue
		}
		var sx, sy, sxx, sxy float64
		for _, p := range ps {
			sx, sy, sxx, sxy = sx+p.x, sy+p.y, sxx+p.x*p.x, sxy+p.x*p.y
		}
		k := float64(len(ps))
		slope := (k*sxy - sx*sy) / (k*sxx - sx*sx)
		fmt.Fprintf(out, "| %s | %d | %.2f |\n", g, len(ps), slope)
	}
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func format(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}
