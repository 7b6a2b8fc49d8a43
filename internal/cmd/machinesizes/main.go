// Command machinesizes prints, as a Markdown table, the size of every
// state machine corofy generates for the given .gocoro files: as generated,
// without fields shared between temporaries, and without liveness (every
// local variable of the coroutine a field). BENCHMARKS.md is made with it:
//
//	go run ./internal/cmd/machinesizes $(git ls-files 'examples/*.gocoro')
package main

import (
	"fmt"
	"os"

	"github.com/corofy/corofy/transform"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: machinesizes file.gocoro...")
		os.Exit(2)
	}
	fmt.Println("| file | coroutine | bytes | without sharing | without liveness |")
	fmt.Println("|---|---|---:|---:|---:|")
	var total, noShare, noLive int64
	for _, path := range os.Args[1:] {
		res, err := transform.Transform(transform.Config{Command: "corofy"}, []transform.Input{{Path: path, Output: os.DevNull}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, m := range res[0].Machines {
			fmt.Printf("| %s | %s | %d | %d | %d |\n", path, m.Coroutine, m.Bytes, m.NoSharing, m.NoLiveness)
			total, noShare, noLive = total+m.Bytes, noShare+m.NoSharing, noLive+m.NoLiveness
		}
	}
	fmt.Printf("| all | | %d | %d | %d |\n", total, noShare, noLive)
}
