package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/corofy/corofy/internal/srcfile"
	"github.com/corofy/corofy/transform"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("corofy: ")
	handleSignals()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// positioned matches a warning of the transform that starts with its
// line and column in the input: "15:7: message".
var positioned = regexp.MustCompile(`^(\d+):(\d+): (.*)$`)

// Exit codes.
const (
	exitOK          = 0
	exitDiagnostics = 1
	exitUsage       = 2
)

// run is the command, for tests: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "cover" {
		return runCover(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "fmt" {
		return runFmt(args[1:], os.Stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "vet" {
		return runVet(args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "lsp" {
		return runLSP(args[1:], os.Stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "explain" {
		return runExplain(args[1:], stderr)
	}
	logger := log.New(stderr, "corofy: ", 0)
	fs := flag.NewFlagSet("corofy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	output := fs.String("o", "", "write the output to `file` (only with one input)")
	noLines := fs.Bool("l", false, "do not write /*line*/ directives")
	sparse := fs.Bool("sparse", false, "write only the /*line*/ directives a panic's line needs: code that reads almost as with -l, whose panics and stack traces show the same .gocoro lines (debuggers and coverage profiles need the full directives)")
	check := fs.Bool("check", false, "write nothing; exit 1 if an output file is missing or out of date")
	reference := fs.Bool("reference", false, "write the reference-semantics program instead (each .wait a poll-until-ready loop), for testing corofy")
	var graph graphFormat
	fs.Var(&graph, "graph", "print each coroutine's state graph to standard output, as Graphviz DOT (-graph, -graph=dot) or Mermaid (-graph=mermaid), and write no file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy [flags] [packages | file.gocoro...]\n       corofy cover [-func] [-o file] profile\n       corofy fmt [-l] [-w] [-d] [-e] [path ...]\n       corofy vet [packages]\n       corofy lsp [-gopls command] [-logfile file] [-cpuprofile file]\n       corofy explain [-o file] [-run [-timeout d] [-main dir]] file.gocoro [-- args]\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nFor more information, see: go doc github.com/corofy/corofy/cmd/corofy\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	files, err := expand(fs.Args())
	if err != nil {
		logger.Print(err)
		if errors.As(err, new(usageError)) {
			return exitUsage
		}
		return exitDiagnostics
	}
	if *output != "" && len(files) != 1 {
		logger.Print("-o needs exactly one input file")
		return exitUsage
	}
	if *sparse && (*noLines || *reference) {
		logger.Print("-sparse keeps some line directives: it cannot be used with -l or -reference")
		return exitUsage
	}
	if graph != "" && (*output != "" || *check || *reference) {
		logger.Print("-graph writes no file: it cannot be used with -o, -check or -reference")
		return exitUsage
	}
	flags := headerFlags(args, fs)
	var inputs []transform.Input
	for _, f := range files {
		in := transform.Input{Path: f, Output: *output}
		if in.Output == "" {
			in.Output = transform.DefaultOutput(f)
		}
		if same(in.Path, in.Output) {
			logger.Printf("%s: the output would overwrite the input", srcfile.Name(f))
			return exitUsage
		}
		if why := goFileName(filepath.Base(in.Output)); why != "" {
			logger.Printf("%s: the go command does not accept this name for a Go file (%s); rename %s, or name the output with -o", shown(in.Output), why, shown(f))
			return exitDiagnostics
		}
		in.Command = strings.Join(append(flags, filepath.Base(f)), " ")
		inputs = append(inputs, in)
		// An output that is not a regular file is refused before the go
		// command lists the package: it would wait on a named pipe among
		// the package's Go files.
		if info, err := os.Stat(in.Output); err == nil && !info.Mode().IsRegular() {
			if *check || graph != "" {
				logger.Printf("%s: not a regular file (%s)", shown(in.Output), srcfile.Kind(info.Mode()))
			} else {
				logger.Printf("%s exists and is not a regular file (%s); not overwriting it", shown(in.Output), srcfile.Kind(info.Mode()))
			}
			return exitDiagnostics
		}
	}
	// The graphs keep the machines alive until the output is restored:
	// only -graph needs them.
	cfg := transform.Config{LineDirectives: !*noLines, NoGraphs: graph == ""}
	var results []transform.Result
	removeStaleOverlays()
	if *reference {
		results, err = referenceResults(cfg, inputs)
	} else {
		results, err = transform.Transform(cfg, inputs)
	}
	if err != nil {
		printError(stderr, logger, err)
		return exitDiagnostics
	}
	if *sparse {
		for i := range results {
			if results[i].Src, err = transform.SparseLines(results[i].Src); err != nil {
				logger.Print(err)
				return exitDiagnostics
			}
		}
	}
	if graph != "" {
		var graphs []transform.Graph
		for _, r := range results {
			graphs = append(graphs, r.Graphs...)
		}
		write := transform.WriteDOT
		if graph == "mermaid" {
			write = transform.WriteMermaid
		}
		if err := write(stdout, graphs); err != nil {
			logger.Print(err)
			return exitDiagnostics
		}
		return exitOK
	}
	code := exitOK
	for _, r := range results {
		for _, w := range r.Warnings {
			if m := positioned.FindStringSubmatch(w); m != nil {
				// file:line:col: warning: message, as the errors are
				fmt.Fprintf(stderr, "%s:%s:%s: warning: %s\n", shown(r.Input), m[1], m[2], m[3])
				continue
			}
			logger.Printf("warning: %s: %s", shown(r.Input), w)
		}
		if *check {
			if msg := stale(r); msg != "" {
				logger.Print(msg)
				code = exitDiagnostics
			}
			continue
		}
		if *reference {
			if err := keepMachines(r); err != nil {
				logger.Print(err)
				code = exitDiagnostics
				continue
			}
		}
		if err := write(r.Output, r.Src); err != nil {
			logger.Print(quotePaths(err))
			code = exitDiagnostics
		}
	}
	return code
}

// printError prints err: a list of positioned errors one per line, the
// lines that continue an error under it, as go build does; any other
// error through logger.
func printError(stderr io.Writer, logger *log.Logger, err error) {
	var list scanner.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		logger.Print(quotePaths(err))
		return
	}
	for _, e := range list {
		e.Pos.Filename = shown(e.Pos.Filename)
		if transform.IsContinuation(e) {
			e.Msg = e.Msg[1:]
			fmt.Fprintf(stderr, "\t%v\n", e)
			continue
		}
		fmt.Fprintln(stderr, e)
	}
}

// stale returns what -check says of r's output file: "" when it holds
// what corofy writes, and otherwise why not and how to regenerate it.
func stale(r transform.Result) string {
	old, same, err := existing(r.Output, r.Src)
	if err == nil && same {
		return ""
	}
	again := "run: " + runIn(r)
	var nr *srcfile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s is missing: %s", shown(r.Output), again)
	case errors.As(err, &nr):
		return fmt.Sprintf("%s: not a regular file (%s)", shown(r.Output), srcfile.Kind(nr.Mode))
	case err != nil:
		return fmt.Sprintf("%s: %v", shown(r.Output), quotePaths(err))
	}
	why := "it differs from what corofy generates"
	if h, ok := transform.ParseHeader(old); ok {
		if src, err := srcfile.Read(r.Input); err == nil {
			if reason := h.Stale(src); reason != "" {
				why = reason
			}
		}
	}
	return fmt.Sprintf("%s is not up to date with %s (%s); %s", shown(r.Output), shown(r.Input), why, again)
}

// runIn returns the command that regenerates r's output, run from the
// working directory.
func runIn(r transform.Result) string {
	h, ok := transform.ParseHeader(r.Src)
	if !ok {
		return "corofy " + shown(r.Input)
	}
	cmd := srcfile.Name(h.Command)
	dir := relative(filepath.Dir(r.Input))
	if dir == "." {
		return cmd
	}
	return fmt.Sprintf("(cd %s && %s)", srcfile.Name(dir), cmd)
}

// keepMachines refuses, for -reference, to replace a file that holds
// corofy's state machines: the reference program is for testing them, not
// for taking their place unasked.
func keepMachines(r transform.Result) error {
	old, _, err := existing(r.Output, r.Src)
	if err != nil {
		return nil // write says why it does not overwrite it, if it does not
	}
	h, ok := transform.ParseHeader(old)
	if !ok {
		gen, ok := generator(old)
		if !ok {
			return nil // write says why it does not overwrite it
		}
		h.Command = strings.TrimPrefix(gen, "by ")
	}
	if strings.Contains(h.Command, "-reference") {
		return nil
	}
	out := shown(r.Output)
	return fmt.Errorf("%s holds the state machines of %s; -reference does not replace them (write the reference program elsewhere with -o, or remove %s first)", out, shown(r.Input), out)
}

// graphFormat is the value of -graph: "" (off), "dot" or "mermaid". It is
// a boolean flag too, so that -graph alone means DOT.
type graphFormat string

func (g *graphFormat) String() string   { return string(*g) }
func (g *graphFormat) IsBoolFlag() bool { return true }

func (g *graphFormat) Set(s string) error {
	switch s {
	case "true", "dot":
		*g = "dot"
	case "false":
		*g = ""
	case "mermaid":
		*g = "mermaid"
	default:
		return fmt.Errorf("unknown graph format %q (want dot or mermaid)", s)
	}
	return nil
}

// generator reports whether src is generated code by Go's rule, that of
// go/ast.IsGenerated (https://go.dev/s/generatedcode): a line "// Code
// generated ... DO NOT EDIT." in a comment before the package clause, the
// first text that is not a comment. The line anywhere else, in a string
// or after the package clause, does not count. It returns the text between
// "Code generated " and " DO NOT EDIT." too.
func generator(src []byte) (string, bool) {
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "", src, parser.PackageClauseOnly|parser.ParseComments)
	if f == nil || !ast.IsGenerated(f) {
		return "", false
	}
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Pos() > f.Package {
				break
			}
			for _, line := range strings.Split(c.Text, "\n") {
				if rest, ok := strings.CutPrefix(line, "// Code generated "); ok {
					if gen, ok := strings.CutSuffix(rest, " DO NOT EDIT."); ok {
						return gen, true
					}
				}
			}
		}
	}
	return "", true
}

// write replaces path with src through a temporary file and a rename, so
// a failure never leaves a partial file. It refuses to replace a file that
// is not generated code, or not a regular file.
func write(path string, src []byte) error {
	old, same, err := existing(path, src)
	var nr *srcfile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case errors.As(err, &nr):
		return fmt.Errorf("%s exists and is not a regular file (%s); not overwriting it", srcfile.Name(path), srcfile.Kind(nr.Mode))
	case err != nil:
		return err
	case same:
		return nil
	default:
		if _, ok := generator(old); !ok {
			return fmt.Errorf("%s exists and is not generated code; not overwriting it", srcfile.Name(path))
		}
	}
	return replaceFile(path, src)
}

// existing returns the start of the existing file path, enough to compare
// it with src and to read its header, and whether it holds src. A file
// that is not a regular file is neither read nor waited for (a named pipe
// waits for a writer): the error is a *srcfile.NotRegularError.
func existing(path string, src []byte) (old []byte, same bool, err error) {
	old, size, err := srcfile.ReadPrefix(path, max(int64(len(src)), 64<<10))
	if err != nil {
		return nil, false, err
	}
	return old, size == int64(len(src)) && bytes.Equal(old, src), nil
}

// replaceFile writes src to path through a temporary file and a rename: a
// failed run never leaves a partial file, nor its temporary file (see
// temp.go).
func replaceFile(path string, src []byte) error {
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("%s exists and is not a regular file (%s); not overwriting it", srcfile.Name(path), srcfile.Kind(info.Mode()))
	}
	dir := filepath.Dir(path)
	tmp, err := createOutputTemp(dir)
	if err != nil {
		// Say what the user asked for, not the name of the temporary.
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: no directory %s", srcfile.Name(path), srcfile.Name(dir))
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write %s: %v", srcfile.Name(path), err)
	}
	defer removeTemp(tmp.Name()) // a no-op after the rename
	if err := fillTemp(tmp, src, false, 0o644); err != nil {
		return err
	}
	testPause()
	return renameTemp(tmp.Name(), path)
}

// goFileName returns why the go command would not take name as the name
// of a Go file of a package, or "". It refuses a name whose first
// character is an ASCII character other than a letter, a digit, '.', '_'
// (as cmd/go's load.SafeArg: "invalid input file name"), cannot list one
// with a newline (its cache of compiled file lists splits the name) and
// reports one with bytes that are not UTF-8 under another name (its JSON
// output replaces them), which go vet and go/packages then cannot open.
func goFileName(name string) string {
	switch c := name[0]; {
	case !utf8.ValidString(name):
		return "it has bytes that are not UTF-8"
	case strings.Contains(name, "\n"):
		return "it has a newline"
	case c < utf8.RuneSelf && !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '.' || c == '_'):
		return fmt.Sprintf("it starts with %q", c)
	}
	return ""
}

// shown returns path as messages name it: relative to the working
// directory when it is below it, and quoted when it has characters that
// would garble a message (see srcfile.Name).
func shown(path string) string { return srcfile.Name(relative(path)) }

// quotePaths returns err with the file name of a *fs.PathError in it
// quoted as shown quotes it.
func quotePaths(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && srcfile.Name(pe.Path) != pe.Path {
		return fmt.Errorf("%s %s: %v", pe.Op, srcfile.Name(pe.Path), pe.Err)
	}
	return err
}

// relative returns path relative to the working directory when it is an
// absolute path below it (the package's Go files come with absolute
// names), as the go command prints positions.
func relative(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// same reports whether a and b name the same file.
func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// referenceResults makes the reference program of each input.
func referenceResults(cfg transform.Config, inputs []transform.Input) ([]transform.Result, error) {
	var results []transform.Result
	for _, in := range inputs {
		src, err := srcfile.Read(in.Path)
		if err != nil {
			return nil, err
		}
		cfg.Command = in.Command
		out, err := transform.Reference(cfg, in, src)
		if err != nil {
			return nil, err
		}
		results = append(results, transform.Result{Input: in.Path, Output: in.Output, Src: out})
	}
	return results, nil
}

// headerFlags returns the start of the command named in each output's
// header: "corofy" and the flags that shape the output (-l, -sparse,
// -reference, -o), so that the header, and -check, do not depend on how the files
// were named or on -check itself.
func headerFlags(args []string, fs *flag.FlagSet) []string {
	kept := []string{"corofy"}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "l", "sparse", "reference":
			if f.Value.String() == "true" {
				kept = append(kept, "-"+f.Name)
			}
		case "o":
			kept = append(kept, "-o", f.Value.String())
		}
	})
	return kept
}
