package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/corofy/corofy/vet"
	"golang.org/x/tools/go/packages"
)

// runVet is corofy vet: it runs the analyzer of package
// github.com/corofy/corofy/vet on packages and prints its diagnostics, at
// .gocoro positions, as go vet does.
func runVet(args []string, stderr io.Writer) int {
	logger := log.New(stderr, "corofy vet: ", 0)
	fs := flag.NewFlagSet("corofy vet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy vet [packages]\n\n"+
			"Reports futures that are never waited, calls in coroutines that block the\n"+
			"executor, and generated files whose .gocoro source changed, at .gocoro\n"+
			"positions. With no package, vets the package in the current directory.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	findings, pkgErrs, err := vet.Check("", patterns...)
	if err != nil {
		logger.Print(err)
		return exitDiagnostics
	}
	for _, e := range pkgErrs {
		var pe packages.Error
		if errors.As(e, &pe) && pe.Pos != "" {
			fmt.Fprintf(stderr, "%s: %s\n", relativePos(pe.Pos), pe.Msg)
			continue
		}
		fmt.Fprintln(stderr, e)
	}
	for _, f := range findings {
		f.Pos.Filename = relative(f.Pos.Filename)
		fmt.Fprintln(stderr, f)
	}
	if len(findings) > 0 || len(pkgErrs) > 0 {
		return exitDiagnostics
	}
	return exitOK
}

// relativePos returns pos, file:line:col, with the file relative to the
// working directory.
func relativePos(pos string) string {
	file, rest := pos, ""
	for range 2 {
		if i := strings.LastIndexByte(file, ':'); i >= 0 {
			file, rest = file[:i], file[i:]+rest
		}
	}
	return relative(file) + rest
}
