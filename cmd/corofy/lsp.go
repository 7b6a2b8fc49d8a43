package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/corofy/corofy/lsp"
)

// runLSP is corofy lsp: a language server for .gocoro files in front of
// gopls (see package lsp), on standard input and output.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("corofy lsp", flag.ContinueOnError)
	flags.SetOutput(stderr)
	gopls := flags.String("gopls", "", "run gopls as `command` (words separated by spaces); default: gopls on PATH, else go tool gopls")
	logFile := flags.String("logfile", "", "append gopls's standard error and the server's log to `file` instead of standard error")
	cpuProfile := flags.String("cpuprofile", "", "write a CPU profile of the server (not of gopls) to `file` when the session ends")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy lsp [-gopls command] [-logfile file] [-cpuprofile file]\n\n"+
			"Speaks the Language Server Protocol on standard input and output for\n"+
			".gocoro and .go files, in front of gopls. Editors start it; see the README.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "corofy lsp: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	opts := lsp.Options{Log: stderr}
	if *gopls != "" {
		opts.Gopls = strings.Fields(*gopls)
	}
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "corofy lsp: %v\n", err)
			return exitDiagnostics
		}
		defer f.Close()
		opts.Log = f
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "corofy lsp: %v\n", err)
			return exitDiagnostics
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "corofy lsp: %v\n", err)
			f.Close()
			return exitDiagnostics
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	if err := lsp.Serve(stdin, stdout, opts); err != nil {
		fmt.Fprintf(stderr, "corofy lsp: %v\n", err)
		return exitDiagnostics
	}
	return exitOK
}
