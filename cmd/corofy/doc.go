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
//	//go:generate go run github.com/corofy/corofy/cmd/corofy main.gocoro
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
// requestCoroutine state machine. The //go:generate line is copied into the
// generated file too, so that "go generate" runs corofy again once the
// first main_corofied.go exists (go generate only reads .go files).
//
// Typically this process would be run using go generate, from any package
// of a module that requires github.com/corofy/corofy:
//
//	//go:generate go run github.com/corofy/corofy/cmd/corofy main.gocoro
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
// overwrite a file that does not start with a "Code generated ... DO NOT
// EDIT." header.
//
// Errors are printed as file:line:col: message, at the position in the
// .gocoro file: misuse of .wait (outside a coroutine, inside a function
// literal, on a value that is not a future), "coroutine" not followed by
// "func", constructs this version cannot transform (with what to write
// instead), and every Go syntax and type error.
//
// Usage:
//
//	corofy [flags] file.gocoro...
//	corofy cover [-func] [-o file] profile
//	corofy fmt [-l] [-w] [-d] [-e] [path ...]
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
//	-check
//		Write nothing. Exit with status 1 if an output file is missing
//		or differs from what corofy would write: for CI.
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
//		must print what it prints; it is for testing corofy.
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
// See the package doc of github.com/corofy/corofy/transform for how each
// construct is rewritten.
package main
