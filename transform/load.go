package transform

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"

	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/tools/go/packages"
)

// loadedFile is one .gocoro file after type checking: the lowered AST the
// type checker saw, and the package it belongs to.
type loadedFile struct {
	in      Input
	lowered *cparser.File
	fset    *token.FileSet // the loader's file set, holding lowered
	pkg     *packages.Package
}

// load type-checks the inputs, all of one directory, as part of their
// package. Each .gocoro file stands in for its output file through
// go/packages' overlay (so a stale or missing output does not matter), and
// the ParseFile hook hands the type checker the lowered .gocoro AST, whose
// positions are the .gocoro file's own.
func load(dir string, inputs []Input) ([]*loadedFile, error) {
	byOverlay := map[string]*loadedFile{}
	overlay := map[string][]byte{}
	tests := false
	for _, in := range inputs {
		src, err := os.ReadFile(in.Path)
		if err != nil {
			return nil, err
		}
		in.src = src
		// Report syntax errors before starting the go command.
		fset := token.NewFileSet()
		pf, err := cparser.ParseFile(fset, in.Path, src)
		if err != nil {
			return nil, err
		}
		stand := standInPath(in)
		// The go command compiles the package for export data, so it gets
		// real Go: the reference form. Its errors are reported again, at
		// .gocoro positions, by the type check of the lowered AST.
		if overlay[stand], err = referenceSource(fset, pf, ""); err != nil {
			return nil, err
		}
		byOverlay[stand] = &loadedFile{in: in}
		tests = tests || strings.HasSuffix(stand, "_test.go")
	}
	var mu sync.Mutex
	var parseErr error
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax | packages.NeedTypesSizes,
		Dir:     dir,
		Tests:   tests,
		Overlay: overlay,
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			lf := byOverlay[filename]
			if lf == nil {
				return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
			}
			f, err := cparser.ParseFile(fset, lf.in.Path, lf.in.src)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				parseErr = err
				return nil, err
			}
			if lf.lowered == nil { // with Tests, a file may be parsed for several packages
				lf.lowered, lf.fset = f, fset
			}
			return f.AST, nil
		},
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return nil, fmt.Errorf("loading package in %s: %v", dir, err)
	}
	if parseErr != nil {
		return nil, parseErr
	}
	var files []*loadedFile
	for stand, lf := range byOverlay {
		for _, p := range pkgs {
			for _, f := range p.Syntax {
				if lf.lowered != nil && f == lf.lowered.AST {
					lf.pkg = p
				}
			}
		}
		if lf.pkg == nil {
			return nil, fmt.Errorf("%s: not part of the package in %s (build constraints?)", lf.in.Path, filepath.Dir(stand))
		}
		if err := packageErrors(lf); err != nil {
			return nil, err
		}
		files = append(files, lf)
	}
	return files, nil
}

// standInPath is the absolute path under which the type checker sees the
// input: its output file, which it replaces (a stale output must not be
// type-checked beside its own source), or the default output when the
// output goes to another directory.
func standInPath(in Input) string {
	out := in.Output
	if out == "" || filepath.Dir(out) != filepath.Dir(in.Path) {
		out = DefaultOutput(in.Path)
	}
	if p, err := filepath.Abs(out); err == nil {
		return p
	}
	return out
}

// packageErrors returns the errors of lf's package as a scanner.ErrorList
// with positions, .wait misuse turned into corofy's own messages.
func packageErrors(lf *loadedFile) error {
	var list scanner.ErrorList
	seen := map[string]bool{}
	stand := filepath.Base(standInPath(lf.in))
	for _, e := range lf.pkg.Errors {
		msg := e.Msg
		pos := parsePos(e.Pos)
		if filepath.Base(pos.Filename) == stand || strings.Contains(msg, stand+":") {
			continue // the go command compiling the reference form: see load
		}
		if e.Kind == packages.TypeError {
			msg = waitMessage(lf, e, msg)
		}
		key := e.Pos + msg
		if seen[key] {
			continue
		}
		seen[key] = true
		list.Add(pos, msg)
	}
	if len(list) == 0 {
		return nil
	}
	list.Sort()
	return list
}

// parsePos turns "file:line:col" into a token.Position.
func parsePos(s string) token.Position {
	var p token.Position
	rest := s
	var nums []int
	for i := 0; i < 2; i++ {
		j := strings.LastIndexByte(rest, ':')
		if j < 0 {
			break
		}
		var n int
		if _, err := fmt.Sscanf(rest[j+1:], "%d", &n); err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		rest = rest[:j]
	}
	p.Filename = rest
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}

// waitMessage rewords a type error about a lowered runtime.Await(x) call.
func waitMessage(lf *loadedFile, e packages.Error, msg string) string {
	if lf.lowered == nil || !strings.Contains(msg, "Await") {
		return msg
	}
	for _, co := range lf.lowered.Coroutines {
		for _, w := range co.Waits {
			x := w.Call.Args[0]
			start, end := lf.fset.Position(x.Pos()), lf.fset.Position(w.Call.End())
			p := parsePos(e.Pos)
			if p.Filename != start.Filename || p.Offset != 0 && (p.Offset < start.Offset || p.Offset > end.Offset) {
				continue
			}
			if p.Line < start.Line || p.Line > end.Line {
				continue
			}
			t := lf.pkg.TypesInfo.TypeOf(x)
			what := types.ExprString(x)
			if t == nil {
				return fmt.Sprintf("'.wait' on %s, which is not a runtime.Future", what)
			}
			return fmt.Sprintf("'.wait' on %s of type %s, which is not a runtime.Future (it needs a method Poll(runtime.Waker) (T, bool))", what, types.TypeString(t, types.RelativeTo(lf.pkg.Types)))
		}
	}
	return msg
}
