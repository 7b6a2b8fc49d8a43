package vet_test

import (
	"fmt"
	"path/filepath"

	"github.com/corofy/corofy/vet"
)

// Check reports, at .gocoro positions, the bugs of coroutine code that
// compile: here a time.Sleep that would block the executor's thread, and a
// future that is made and dropped, so that it never runs.
func ExampleCheck() {
	findings, pkgErrs, err := vet.Check("", "./testdata/example")
	if err != nil || len(pkgErrs) > 0 {
		fmt.Println(err, pkgErrs)
		return
	}
	for _, f := range findings {
		// Positions name files as the go command does: absolute paths.
		fmt.Printf("%s:%d:%d: %s\n", filepath.Base(f.Pos.Filename), f.Pos.Line, f.Pos.Column, f.Message)
	}
	// Output:
	// nap.gocoro:11:2: time.Sleep in a coroutine blocks its executor's thread and every task on it: use runtime.Sleep(d).wait
	// nap.gocoro:16:2: nap returns a future that is never waited, polled or spawned: futures are lazy, so the call does nothing; add .wait, or wait on runtime.Spawn(...) to run it as a task of its own
}
