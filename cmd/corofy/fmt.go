package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/corofy/corofy/format"
	"github.com/corofy/corofy/internal/diff"
	"github.com/corofy/corofy/internal/srcfile"
)

// Exit codes of corofy fmt, gofmt's: 1 when -d found a file to change, 2
// on any error.
const (
	exitFmtDiffers = 1
	exitFmtError   = 2
)

// runFmt is corofy fmt: gofmt for .gocoro files (see package format).
func runFmt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("corofy fmt", flag.ContinueOnError)
	flags.SetOutput(stderr)
	f := &formatter{stdout: stdout, stderr: stderr}
	flags.BoolVar(&f.list, "l", false, "list files whose formatting differs from corofy fmt's")
	flags.BoolVar(&f.write, "w", false, "write result to (source) file instead of stdout")
	flags.BoolVar(&f.diff, "d", false, "display diffs instead of rewriting files")
	allErrors := flags.Bool("e", false, "report all errors (not just the first 10 on different lines)")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: corofy fmt [-l] [-w] [-d] [-e] [path ...]\n\n"+
			"Formats .gocoro files as gofmt formats Go. A path is a file, a directory\n"+
			"(every .gocoro file below it) or a pattern dir/... (the .gocoro files of\n"+
			"the packages it matches); with no path, standard input.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *allErrors {
		f.mode = format.AllErrors
	}

	if flags.NArg() == 0 {
		if f.write {
			fmt.Fprintln(stderr, "corofy fmt: cannot use -w with standard input")
			return exitUsage
		}
		src, err := srcfile.ReadAll(stdin, "<standard input>", srcfile.MaxSize)
		if err != nil {
			f.report(err)
			return f.code
		}
		f.file("<standard input>", src, format.Fragment)
		return f.code
	}
	for _, arg := range flags.Args() {
		if root, ok := strings.CutSuffix(arg, "..."); ok && (root == "" || strings.HasSuffix(root, "/")) {
			if root == "" {
				root = "."
			}
			f.walk(root, true)
			continue
		}
		f.walk(arg, false)
	}
	return f.code
}

// formatter formats files, reports and keeps the exit code.
type formatter struct {
	list, write, diff bool
	mode              format.Mode
	stdout, stderr    io.Writer
	code              int
}

// report prints an error: syntax errors one a line, file:line:col:
// message, as gofmt prints them.
func (f *formatter) report(err error) {
	var list scanner.ErrorList
	if errors.As(err, &list) {
		scanner.PrintError(f.stderr, list)
	} else {
		fmt.Fprintf(f.stderr, "corofy fmt: %v\n", err)
	}
	f.code = exitFmtError
}

// walk formats the file path, or the .gocoro files below the directory
// path: every one, as gofmt walks a directory, or if pattern, those of
// the packages the go command's pattern path/... matches.
func (f *formatter) walk(path string, pattern bool) {
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			if pattern && p != path && skipDir(p, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		case p == path:
			// A file named explicitly is formatted whatever its name.
		case !strings.HasSuffix(d.Name(), ".gocoro") || strings.HasPrefix(d.Name(), "."):
			return nil
		case pattern && strings.HasPrefix(d.Name(), "_"):
			return nil
		}
		src, err := srcfile.Read(p)
		if err != nil {
			f.report(err)
			return nil
		}
		f.file(p, src, 0)
		return nil
	})
	if err != nil {
		f.report(err)
	}
}

// skipDir reports whether a pattern dir/... leaves out the directory path
// named name below dir, as the go command does: testdata, vendor, names
// starting with . or _, and other modules.
func skipDir(path, name string) bool {
	if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// file formats src, read from name, and does what the flags say.
func (f *formatter) file(name string, src []byte, mode format.Mode) {
	out, err := format.Format(name, src, f.mode|mode)
	if err != nil {
		f.report(err)
		return
	}
	if !bytes.Equal(src, out) {
		if f.list {
			fmt.Fprintln(f.stdout, name)
		}
		if f.write {
			if err := replaceKeepingMode(name, out); err != nil {
				f.report(err)
				return
			}
		}
		if f.diff {
			newName := filepath.ToSlash(name)
			f.stdout.Write(diff.Diff(newName+".orig", src, newName, out))
			f.code = max(f.code, exitFmtDiffers)
		}
	}
	if !f.list && !f.write && !f.diff {
		f.stdout.Write(out)
	}
}

// replaceKeepingMode replaces the file path (the file a symbolic link
// points to) with src through a temporary file in its directory and a
// rename, keeping its permissions: the file is either the old one or the
// new one, never a partial one.
func replaceKeepingMode(path string, src []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	tmp, err := createTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return err
	}
	defer removeTemp(tmp.Name()) // a no-op after the rename
	if err := fillTemp(tmp, src, true, info.Mode().Perm()); err != nil {
		return err
	}
	return renameTemp(tmp.Name(), target)
}
