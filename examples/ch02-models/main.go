// Command ch02-models runs the book's first program, three timed tasks, in
// each of the four models of chapter 2 (package models): OS threads,
// fibers, callbacks and coroutines. Each prints the same five lines in the
// same order:
//
//	go run ./examples/ch02-models                    # all four, one after the other
//	go run ./examples/ch02-models -model=coroutines  # one of them
//	go run ./examples/ch02-models -scale=4           # the delays 4 times longer
//
// The order of the lines depends on the delays: the chained task ends 50 ms
// before the long-running one. On a machine so loaded that a thread can
// wake 50 ms late, -scale widens the margin; the examples test runs the
// program with -scale=4.
//
// go run ./examples/ch02-models/measure prints what each model costs.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/corofy/corofy/examples/ch02-models/models"
)

// programs are the four versions of the program, in the book's order.
var programs = []struct {
	name string
	run  func(io.Writer, models.Delays)
}{
	{"threads", models.Threads},
	{"fibers", models.Fibers},
	{"callbacks", models.Callbacks},
	{"coroutines", models.Coroutines},
}

func main() {
	var names []string
	for _, p := range programs {
		names = append(names, p.name)
	}
	model := flag.String("model", "all", "the model to run: all, or one of "+strings.Join(names, ", "))
	scale := flag.Int("scale", 1, "multiply the book's delays (200, 100 and 50 ms) by `k`")
	flag.Parse()
	if flag.NArg() != 0 || (*model != "all" && !slices.Contains(names, *model)) || *scale < 1 {
		fmt.Fprintf(os.Stderr, "usage: ch02-models [-model=all|%s] [-scale=k]\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	delays := models.BookDelays.Times(*scale)
	for _, p := range programs {
		if *model == "all" {
			fmt.Printf("== %s\n", p.name)
		}
		if *model == "all" || *model == p.name {
			p.run(os.Stdout, delays)
		}
	}
}
