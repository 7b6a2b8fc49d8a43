// Command randprog prints the random program of a seed, as
// TestRandomPrograms generates it:
//
//	go run ./internal/randprog/cmd/randprog -seed 1196 > main.gocoro
//
// The program's other file is testdata/e2e/common.go.txt (copy it as
// common.go). -features takes the list TestRandomPrograms's
// -random.features takes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/corofy/corofy/internal/randprog"
)

func main() {
	seed := flag.Int64("seed", 1, "the program's seed")
	features := flag.String("features", "supported", "the constructs allowed (see randprog.ParseFeatures)")
	helpers := flag.Bool("helpers", false, "print the helper file (common.go) instead of main.gocoro")
	flag.Parse()
	f, err := randprog.ParseFeatures(*features)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	p := randprog.Generate(*seed, f)
	if *helpers {
		os.Stdout.Write(p.Helpers)
		return
	}
	os.Stdout.Write(p.Main)
}
