package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/corofy/corofy/internal/explain"
	"github.com/corofy/corofy/internal/srcfile"
	"github.com/corofy/corofy/transform"
)

// runExplain is corofy explain: it writes the page of package
// github.com/corofy/corofy/internal/explain for one .gocoro file.
func runExplain(args []string, stderr io.Writer) int {
	logger := log.New(stderr, "corofy explain: ", 0)
	fs := flag.NewFlagSet("corofy explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	output := fs.String("o", "", "write the page to `file` (default: the input's name with .explain.html for .gocoro)")
	runIt := fs.Bool("run", false, "build and run the program with traced machines, and replay the trace in the page")
	timeout := fs.Duration("timeout", time.Minute, "with -run, end the program after this long")
	mainDir := fs.String("main", "", "with -run, build and run the command in `dir`, which imports the file's package (default: the file's package)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy explain [-o file] [-run [-timeout d] [-main dir]] file.gocoro [-- program arguments]\n\n"+
			"Writes one self-contained HTML page showing the .gocoro file, the state machines\n"+
			"corofy generates from it and their state graphs side by side, tied line to line.\n"+
			"With -run, the program (the file's package main, or the command -main names) is\n"+
			"built with traced machines and run, and the page replays each poll and wake step\n"+
			"by step.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return exitUsage
	}
	path, progArgs := rest[0], rest[1:]
	if len(progArgs) > 0 {
		if progArgs[0] != "--" {
			logger.Printf("one .gocoro file at a time; program arguments go after --")
			return exitUsage
		}
		progArgs = progArgs[1:]
		if !*runIt {
			logger.Printf("program arguments need -run")
			return exitUsage
		}
	}
	if *mainDir != "" && !*runIt {
		logger.Printf("-main needs -run")
		return exitUsage
	}
	if !strings.HasSuffix(path, ".gocoro") {
		logger.Printf("%s: not a .gocoro file", shown(path))
		return exitUsage
	}
	out := *output
	if out == "" {
		out = strings.TrimSuffix(path, ".gocoro") + ".explain.html"
	}
	if same(out, path) || same(out, transform.DefaultOutput(path)) {
		logger.Printf("%s: the page would overwrite the input or its generated file", shown(out))
		return exitUsage
	}
	if info, err := os.Stat(out); err == nil && !info.Mode().IsRegular() {
		logger.Printf("%s exists and is not a regular file (%s); not overwriting it", shown(out), srcfile.Kind(info.Mode()))
		return exitDiagnostics
	}
	page, err := explain.Page(path, explain.Options{Run: *runIt, Args: progArgs, Timeout: *timeout, Main: *mainDir})
	if err != nil {
		printError(stderr, logger, err)
		return exitDiagnostics
	}
	if err := replaceFile(out, page); err != nil {
		logger.Print(quotePaths(err))
		return exitDiagnostics
	}
	return exitOK
}
