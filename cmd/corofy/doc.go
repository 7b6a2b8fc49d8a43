// Corofy turns Go code with coroutines into plain Go. A .gocoro file is a
// Go source file with two extra words: "coroutine func" declares a
// function that can stop and be resumed, and a postfix ".wait" inside one
// suspends it until a future is ready. Corofy rewrites each coroutine into
// a state machine, a struct with one state per .wait and a Poll method,
// that implements runtime.Future from github.com/corofy/corofy/runtime.
// Everything else in the file is copied through unchanged.
//
// For example, given this file, main.gocoro,
//
//	package main
//
//	import (
//		"fmt"
//
//		"github.com/corofy/corofy/runtime"
//	)
//
//	coroutine func request(path string) string {
//		resp := runtime.HTTPGet("localhost:8080", path).wait
//		return resp.Body()
//	}
//
//	func main() {
//		fmt.Println(runtime.BlockOn(request("/600/HelloWorld")))
//	}
//
// running this command
//
//	corofy main.gocoro
//
// in the same directory creates the file main_corofied.go, in which
// request returns a runtime.Future[string] backed by a generated
// requestCoroutine state machine.
//
// Typically corofy is a tool dependency of the module (go get -tool
// github.com/corofy/corofy/cmd/corofy) that go generate runs, from a
// directive in a .go file of the package such as this gen.go:
//
//	package main
//
//	//go:generate go tool corofy
//
//	// For go mod tidy, which reads only .go files: the generated code imports it.
//	import _ "github.com/corofy/corofy/runtime"
//
// With no argument corofy transforms the package in the current directory,
// which is where go generate runs it. The directive must be in a .go file
// because go generate reads no other: a //go:generate line in a .gocoro
// file is copied into its generated file, so it runs only once that file
// exists. The blank import keeps go mod tidy from leaving out what the
// generated code needs while no generated file exists. The "Using corofy in
// your module" section of the repository's README.md goes from go mod init
// to go test step by step.
//
// Corofy type-checks each .gocoro file as part of its package, so a
// coroutine can use the package's other Go files, other .gocoro files
// named in the same run, and anything the module can import. The output
// file of an input does not take part: it is the file being replaced.
//
// The output of x.gocoro is x_corofied.go in the same directory, and that
// of x_test.gocoro is x_corofied_test.go. Corofy writes it through a
// temporary file and a rename: a run that fails writes nothing, never
// leaves a partial file and never touches the input. It refuses to
// overwrite a file that is not generated code by Go's rule (that of
// go/ast.IsGenerated): a line comment "// Code generated ... DO NOT EDIT."
// before the package clause. The line in a string, or after the package
// clause, does not make a hand-written file generated.
//
// Inputs and outputs are regular files (or symbolic links to them). A
// device, a named pipe, a socket or a directory in the place of one is
// refused with a message saying what it is, without reading it or waiting
// on it: corofy never reads /dev/zero forever, nor replaces a device. A
// .gocoro file is at most 64 MiB, and so is what corofy fmt reads of its
// standard input: no hand-written source is that large, and a larger input
// is refused at once rather than read.
//
// The temporary file of an output is .corofy-PID-N.go.tmp in its
// directory, PID being the process of the run. While the go command lists
// the package, the files it reads in place of the package's Go files are
// in a directory corofy-overlay-PID-N of the temporary directory
// ($TMPDIR). A run that a signal ends (SIGINT, SIGTERM, SIGHUP, SIGQUIT)
// removes its temporary files first, then ends as the signal ends a
// process (SIGQUIT: with exit status 131, without Go's goroutine dump).
// One that a SIGKILL left is removed by a later run writing to its
// directory (an overlay: by any later run), once its process is gone and
// it was last modified more than 10 minutes ago; until then it may be a
// live run's on another machine or in a container, whose PID means
// nothing here, and a run stopped with ^Z keeps its own however long.
//
// Any file name works, within what the go command takes. A name that a
// Go comment cannot hold (one with a newline, a carriage return or bytes
// that are not UTF-8, or a path from the output to the input with "*/")
// gets no line directives, with a warning: positions in compiler errors
// and stack traces are then the generated file's. The header's record of
// the source quotes a name with a space or such characters as a Go string.
// An output that the go command would not accept among a package's files
// (a name with a newline or bytes that are not UTF-8, or starting with an
// ASCII character other than a letter, a digit, '.' or '_') is refused:
// rename the input, or name the output with -o. Messages quote, as a Go
// string, a name with characters that would garble them.
//
// Errors are printed as file:line:col: message, at the position in the
// .gocoro file: misuse of .wait (outside a coroutine, inside a function
// literal, on a value that is not a future), "coroutine" not followed by
// "func", constructs this version cannot transform (with what to write
// instead), and every Go syntax and type error.
//
// Usage:
//
//	corofy [flags] [packages | file.gocoro...]
//	corofy cover [-func] [-o file] profile
//	corofy fmt [-l] [-w] [-d] [-e] [path ...]
//	corofy vet [packages]
//	corofy lsp [-gopls command] [-logfile file] [-cpuprofile file]
//	corofy explain [-o file] [-run [-timeout d] [-main dir]] file.gocoro [-- args]
//
// The arguments are .gocoro files, or packages named as the go command
// names them: directories (".", "./b"), import paths of the main module,
// and either with "/..." for every package below it (testdata, vendor,
// and directories starting with "." or "_" are skipped). With no argument
// corofy transforms the package in the current directory. All the files
// of a run are type-checked together, a package after the packages of the
// run it imports: a package whose coroutines wait on another's sees them
// as this run generates them, even when neither has a generated file yet.
//
// Each generated file starts with two lines: Go's marker of generated
// code, naming the command that regenerates it (run in the file's
// directory), and a record of its source:
//
//	// Code generated by "corofy main.gocoro"; DO NOT EDIT.
//	//corofy:source main.gocoro sha256:9cb31eda057256a1 version:0.12
//
// The hash is of the .gocoro file's contents, and the version is that of
// the code corofy generates: a tool can tell a stale file without
// generating it again, and -check says why a file is stale (its source
// changed, or another version of corofy wrote it).
//
// The flags are:
//
//	-o file
//		Write the output to file instead of the default name. Only with
//		one input.
//	-l
//		Do not write /*line file.gocoro:L:C*/ directives. By default
//		they make compiler errors, panics, stack traces and coverage
//		point at the .gocoro source.
//	-sparse
//		Write only the directives a panic's line needs: the code reads
//		almost as with -l, and panics and stack traces show the same
//		.gocoro lines as with every directive (columns, coverage blocks
//		and debugger breakpoints need them all). For code people read:
//		the repository's examples are generated with it.
//	-check
//		Write nothing. Exit with status 1 if an output file is missing
//		or differs from what corofy would write, naming it with the
//		reason and the command that regenerates it: for CI
//		("corofy -check ./...").
//	-graph, -graph=dot, -graph=mermaid
//		Write no file; print the state graph of every coroutine to
//		standard output, as a Graphviz digraph (render it with
//		"dot -Tsvg") or a Mermaid state diagram (GitHub renders it in a
//		mermaid code block). A node is a case of Poll, named by what
//		it is ("loop at line 14") or by the .wait it resumes at; an edge
//		is a jump within one Poll, labelled with the condition under
//		which the generated code takes it; a "not ready" edge from a
//		wait to itself is Poll returning and the next Poll coming back.
//	-reference
//		Write the reference-semantics program instead of state machines:
//		each coroutine runs its body at its first poll and each .wait is
//		runtime.Await, a loop that polls until ready. Generated machines
//		must print what it prints; it is for testing corofy. It never
//		replaces a file that holds corofy's state machines: use -o.
//
// The exit status is 0 on success, 1 when there were diagnostics (or
// -check found a stale file), and 2 for usage errors.
//
// # Coverage
//
// The line directives make go test -coverprofile name the .gocoro files
// and their lines, but not columns a tool can show (a generated statement
// is longer than the source it stands for), and go tool cover -func cannot
// parse a .gocoro file. corofy cover reads such a profile:
//
//	go test -coverprofile=c.out ./...
//	corofy cover -func c.out            # per function and coroutine
//	corofy cover -o fixed.out c.out     # one block per .gocoro statement
//	go tool cover -html=fixed.out
//
// Each statement of a .gocoro file gets the count of the generated code
// that runs it; other files are copied as they are. Run it in the module
// the profile comes from: it finds the files with go list.
//
// # Formatting
//
// gofmt cannot parse a .gocoro file. corofy fmt formats one as gofmt
// formats Go, with gofmt's flags, output and exit status:
//
//	corofy fmt main.gocoro    # print the formatted file
//	corofy fmt -l ./...       # list the files whose formatting differs
//	corofy fmt -d ./...       # print their diffs
//	corofy fmt -w ./...       # rewrite them
//
// A path is a file (formatted whatever its name), a directory (every
// .gocoro file below it, as gofmt walks a directory) or a pattern dir/...
// (the .gocoro files of the packages it matches, as the go command matches
// them: testdata, vendor, directories starting with . or _ and other
// modules left out). With no path, corofy fmt formats its standard input
// to its standard output, and accepts a list of declarations or statements
// there too: an editor can run it on save as the formatter of .gocoro
// files.
//
// The flags are:
//
//	-l
//		List the files whose formatting differs.
//	-w
//		Write the result to the file, through a temporary file in its
//		directory and a rename, keeping its permissions. A file that
//		would not change, or that has a syntax error, is not written.
//	-d
//		Print a unified diff of each file that would change, as gofmt -d
//		prints it.
//	-e
//		Report all syntax errors, not only the first 10 on different
//		lines.
//
// The output is gofmt's for the same file in Go: spacing, indentation,
// alignment, sorted imports, comments kept, CRLF line endings and a
// leading byte order mark dropped, with exactly one space in "coroutine
// func". The word counts in the layout for its width, as a keyword would:
// one-line functions next to a one-line coroutine are aligned with it, and
// a one-line coroutine is split at gofmt's 100 characters, word included.
// A comment between "coroutine" and "func" moves to the line before the
// declaration, where gofmt puts a comment that precedes a func on its
// line. Elsewhere "coroutine" is an ordinary identifier. Formatting twice
// changes nothing (where a second gofmt would still change gofmt's
// output, corofy fmt gives that of the second; see package
// github.com/corofy/corofy/format).
//
// Syntax errors are printed as file:line:col: message, at the position in
// the .gocoro file; "<standard input>" names the standard input. The exit
// status is 2 if there was any error, 1 if -d printed a diff, and 0
// otherwise.
//
// # Vet
//
// corofy vet reports the bugs of coroutine code that compile, at the
// positions of the .gocoro files, as go vet prints its reports:
//
//	corofy vet ./...
//	main.gocoro:16:2: time.Sleep in a coroutine blocks its executor's thread and every task on it: use runtime.Sleep(d).wait
//	main.gocoro:25:2: work returns a future that is never waited, polled or spawned: futures are lazy, so the call does nothing; run it with runtime.BlockOn, spawn it with runtime.Spawn, or wait on it in a coroutine
//
// It reports a future that is made and dropped (never waited, polled,
// spawned or stored: the call does nothing), a call in a coroutine that
// blocks the executor's thread, and with it every task of the executor
// (time.Sleep, a channel operation outside a select with a default case,
// a mutex locked across a .wait, a blocking network or process call),
// with what the runtime offers instead, and a generated file whose
// .gocoro source changed since. The packages are named as the go command
// names them, "." by default; they are analyzed as the go command sees
// them, with their test files: generate the .gocoro files first. The exit
// status is 1 if anything was reported or a package has errors.
//
// The analyzer is package github.com/corofy/corofy/vet, which documents
// each check; cmd/corofy-vet is the same analyzer as a tool for go vet:
//
//	go install github.com/corofy/corofy/cmd/corofy-vet
//	go vet -vettool=$(go env GOPATH)/bin/corofy-vet ./...
//
// # Explain
//
// corofy explain writes one HTML page for a .gocoro file, to see what
// corofy makes of it: the source, the generated code and the state graph
// of each coroutine side by side. Hovering or clicking a source line
// lights up the generated statements that run it and the states they are
// in; a generated line or a state lights up the others the same way. The
// page is self-contained (inline style and script, the graphs drawn as
// SVG by corofy itself): it opens from disk, with no network and no
// Graphviz.
//
//	corofy explain main.gocoro              # writes main.explain.html
//	corofy explain -run main.gocoro         # and replays a run of it
//	corofy explain -run -o p.html main.gocoro -- -server localhost:8080
//	corofy explain -run -main ./cmd/app lib/lib.gocoro
//
// With -run the program is built with the go command with its machines
// instrumented and run in its directory, with the arguments after --. The
// program is the file's package, which must then be a command (package
// main), or the command in the directory -main names, which imports the
// file's package. Each poll of a machine is
// recorded: Poll called and the state it resumes at, each state entered,
// each wait not ready and the state it will resume at, the completion,
// with the values of the machine's fields (fmt's %v, cut at 160
// characters); and each wake: each Poll hands on a Waker wrapping its own,
// whose Wake (from a timer, a socket, a task that completed, on whatever
// thread) records that the machine was woken in the state it waits in,
// without blocking, before the poll it causes. The wrapper has an Unwrap
// method, through which runtime.Spawn still finds its executor. The page
// replays them step by step, moving through the code and the graphs,
// with the fields and the standard output the program had written at
// that step; a woken machine's state is outlined until it is polled
// again. The instrumentation is given to go build as an overlay: no file
// of the package is written. A poll that does exactly what the poll
// before it did, as in a busy loop, is counted rather than recorded
// again. A program that
// fails or outlives -timeout (one minute by default) still gets its page,
// which says how it ended; the trace is cut at 20,000 events.
//
// The page is written through a temporary file and a rename, to
// file.explain.html beside the input or to -o's file, never over the input
// or its generated file. Errors in the .gocoro file are printed as
// file:line:col: message and write no page.
//
// See the package doc of github.com/corofy/corofy/transform for how each
// construct is rewritten.
package main
