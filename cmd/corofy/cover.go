package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"

	"github.com/corofy/corofy/internal/coverage"
)

// runCover is corofy cover: it reads a coverage profile of generated code
// and reports it on the .gocoro sources.
func runCover(args []string, stdout, stderr io.Writer) int {
	logger := log.New(stderr, "corofy cover: ", 0)
	fs := flag.NewFlagSet("corofy cover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	funcs := fs.Bool("func", false, "print the coverage of each function and coroutine, as go tool cover -func does")
	output := fs.String("o", "", "write the profile to `file` instead of standard output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy cover [-func] [-o file] profile\n\n"+
			"Reads a profile of go test -coverprofile and reports it on the .gocoro files:\n"+
			"with -func, per function; else as a profile for go tool cover -html.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	p, err := coverage.Read(fs.Arg(0), ".")
	if err != nil {
		logger.Print(err)
		return exitDiagnostics
	}
	if *funcs {
		if err := p.WriteFuncs(stdout); err != nil {
			logger.Print(err)
			return exitDiagnostics
		}
		return exitOK
	}
	var buf bytes.Buffer
	p.WriteProfile(&buf)
	if *output == "" {
		stdout.Write(buf.Bytes())
		return exitOK
	}
	if err := replaceFile(*output, buf.Bytes()); err != nil {
		logger.Print(err)
		return exitDiagnostics
	}
	return exitOK
}
