package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// expand returns the .gocoro files that args name. An argument ending in
// .gocoro is a file; any other is a package, as the go command's patterns
// name them: a directory ("." , "./b", "/abs/dir"), an import path of the
// main module ("example.com/m/b"), either with "/..." for every package
// below it (skipping testdata, vendor, directories starting with "." or
// "_", and nested modules). No argument means the current directory.
func expand(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	var files []string
	var modules []module // the main modules, listed once when needed
	for _, arg := range args {
		if strings.HasSuffix(arg, ".gocoro") {
			files = append(files, arg)
			continue
		}
		if strings.HasSuffix(arg, ".go") {
			return nil, usageError{fmt.Errorf("%s: not a .gocoro file", arg)}
		}
		base, recursive := strings.CutSuffix(arg, "/...")
		if arg == "..." {
			base, recursive = ".", true
		}
		dir := base
		if !isLocal(base) {
			if modules == nil {
				var err error
				if modules, err = mainModules(); err != nil {
					return nil, fmt.Errorf("%s: %v", arg, err)
				}
			}
			var ok bool
			if dir, ok = packageDir(modules, base); !ok {
				return nil, fmt.Errorf("%s: not a .gocoro file, a directory or a package of the main module", arg)
			}
			dir = relative(dir)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: no such directory", arg)
		}
		found, err := gocoroFiles(dir, recursive)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .gocoro files in %s", arg)
		}
		files = append(files, found...)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// usageError is an error in the command line itself.
type usageError struct{ error }

// isLocal reports whether a pattern is a directory path rather than an
// import path, as the go command tells them apart.
func isLocal(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)
}

// gocoroFiles returns the .gocoro files of dir, and with recursive those
// of the directories below it that hold packages of the same module.
func gocoroFiles(dir string, recursive bool) ([]string, error) {
	if !recursive {
		return filepath.Glob(filepath.Join(dir, "*.gocoro"))
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir {
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		if !d.IsDir() && strings.HasSuffix(path, ".gocoro") {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// module is a main module as go list -m reports it.
type module struct{ Path, Dir string }

// mainModules returns the modules the go command works in here.
func mainModules() ([]module, error) {
	cmd := exec.Command("go", "list", "-m", "-json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var mods []module
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var m module
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -m: %v", err)
		}
		if m.Dir != "" {
			mods = append(mods, m)
		}
	}
	return mods, nil
}

// packageDir returns the directory of the package path in one of the main
// modules. (The go command cannot list a package whose only sources are
// .gocoro files: it finds no Go files there.)
func packageDir(mods []module, path string) (string, bool) {
	for _, m := range mods {
		if path == m.Path {
			return m.Dir, true
		}
		if rest, ok := strings.CutPrefix(path, m.Path+"/"); ok {
			return filepath.Join(m.Dir, filepath.FromSlash(rest)), true
		}
	}
	return "", false
}
