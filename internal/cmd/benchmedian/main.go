// Command benchmedian reads the output of go test -bench (usually with
// -count 5) on standard input and prints, as a Markdown table, the median
// of every metric of every benchmark: ns/op, B/op, allocs/op and any
// metric a benchmark reports. BENCHMARKS.md is made with it:
//
//	go test -run '^$' -bench . -count 5 ./internal/bench/ch07 | go run ./internal/cmd/benchmedian
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
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
	return nil
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
