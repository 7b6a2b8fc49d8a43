// Package coverage reads a Go coverage profile of code corofy generated
// and reports it on the .gocoro sources, for corofy cover.
//
// The generated code carries line directives, so go test -coverprofile
// names the .gocoro files and (up to Go 1.26) their lines; from Go 1.27 the
// blocks keep the generated file's lines, and Read places them through
// that file's directives. What a profile cannot get
// right is the columns at which its blocks end: a generated statement is
// longer than the source statement it stands for (c.x where the source
// says x), and one state's code and another's share source lines. The
// blocks of a .gocoro file are therefore rebuilt from the source: one
// block per statement (for an if, for, switch or select, its header), with
// the count of the innermost generated block whose lines hold the
// statement's first line. The result is a profile go tool cover -html can
// show, and per-function figures like go tool cover -func's, which cannot
// parse a .gocoro file.
package coverage

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/version"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	cparser "github.com/corofy/corofy/parser"
	"golang.org/x/tools/cover"
)

// Profile is a coverage profile whose .gocoro files' blocks were rebuilt
// from their sources.
type Profile struct {
	Mode  string
	Files []*File
}

// File is the coverage of one source file of the profile.
type File struct {
	Name   string // as the profile names it: import path and file name
	Path   string // on disk
	Blocks []cover.ProfileBlock
	Funcs  []Func
	gocoro bool
}

// Func is one function or coroutine of a file, and its coverage.
type Func struct {
	Name              string
	Line              int
	Statements, Cover int64
	start, end        token.Position
}

// Read reads the profile at name, finds its files (through go list, run
// in dir, in the module that made the profile) and rebuilds the blocks of
// its .gocoro files.
func Read(name, dir string) (*Profile, error) {
	profiles, err := cover.ParseProfiles(name)
	if err != nil {
		return nil, err
	}
	dirs, err := packageDirs(profiles, dir)
	if err != nil {
		return nil, err
	}
	unadjusted, err := ignoresLineDirectives(dir)
	if err != nil {
		return nil, err
	}
	p := &Profile{}
	for _, prof := range profiles {
		p.Mode = prof.Mode
		dir, ok := dirs[path.Dir(prof.FileName)]
		if !ok {
			return nil, fmt.Errorf("cannot find the package of %s", prof.FileName)
		}
		f := &File{Name: prof.FileName, Path: filepath.Join(dir, path.Base(prof.FileName)), Blocks: prof.Blocks}
		if unadjusted && strings.HasSuffix(f.Path, ".gocoro") {
			if f.Blocks, err = throughDirectives(f.Path, f.Blocks); err != nil {
				return nil, err
			}
		}
		if err := f.read(); err != nil {
			return nil, err
		}
		p.Files = append(p.Files, f)
	}
	return p, nil
}

// ignoresLineDirectives reports whether the go command in dir writes
// coverage blocks at the lines and columns of the generated file, not
// where its line directives place them: from Go 1.27, cmd/cover ignores
// line directives for the positions of blocks (it still names a block's
// file after the function's placed position, the .gocoro file).
func ignoresLineDirectives(dir string) (bool, error) {
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return false, fmt.Errorf("go env GOVERSION: %v", err)
	}
	v := strings.TrimSpace(string(out))
	return version.IsValid(v) && version.Compare(v, "go1.27") >= 0, nil
}

// throughDirectives places blocks given at lines and columns of the
// generated file of the .gocoro file at gocoro where that file's line
// directives place them.
func throughDirectives(gocoro string, blocks []cover.ProfileBlock) ([]cover.ProfileBlock, error) {
	generated := strings.TrimSuffix(gocoro, ".gocoro")
	if strings.HasSuffix(generated, "_test") {
		generated = strings.TrimSuffix(generated, "_test") + "_corofied_test.go"
	} else {
		generated += "_corofied.go"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, generated, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("the blocks of %s are at lines of its generated file: %v", filepath.Base(gocoro), err)
	}
	tf := fset.File(f.Pos())
	place := func(line, col int) (int, int) {
		if line < 1 || line > tf.LineCount() {
			return line, col
		}
		pos := tf.LineStart(line) + token.Pos(col-1)
		if int(pos) > tf.Base()+tf.Size() {
			pos = token.Pos(tf.Base() + tf.Size())
		}
		p := fset.Position(pos)
		return p.Line, p.Column
	}
	out := make([]cover.ProfileBlock, len(blocks))
	for i, b := range blocks {
		out[i] = b
		out[i].StartLine, out[i].StartCol = place(b.StartLine, b.StartCol)
		out[i].EndLine, out[i].EndCol = place(b.EndLine, b.EndCol)
	}
	return out, nil
}

// packageDirs returns the directory of each package of the profiles.
func packageDirs(profiles []*cover.Profile, dir string) (map[string]string, error) {
	seen := map[string]bool{}
	var pkgs []string
	for _, p := range profiles {
		if pkg := path.Dir(p.FileName); !seen[pkg] {
			seen[pkg] = true
			pkgs = append(pkgs, pkg)
		}
	}
	dirs := map[string]string{}
	if len(pkgs) == 0 {
		return dirs, nil
	}
	cmd := exec.Command("go", append([]string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}"}, pkgs...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if pkg, dir, ok := strings.Cut(line, "\t"); ok && dir != "" {
			dirs[pkg] = dir
		}
	}
	return dirs, nil
}

// read parses the file, lists its functions and, for a .gocoro file,
// rebuilds its blocks.
func (f *File) read() error {
	src, err := os.ReadFile(f.Path)
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	var file *ast.File
	if strings.HasSuffix(f.Path, ".gocoro") {
		f.gocoro = true
		pf, err := cparser.ParseFile(fset, f.Path, src)
		if err != nil {
			return err
		}
		file = pf.AST
		f.Blocks = statementBlocks(fset, pf, f.Blocks)
	} else if file, err = parser.ParseFile(fset, f.Path, src, 0); err != nil {
		return err
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) > 0 {
			name = cparser.RecvTypeName(fd.Recv.List[0].Type) + "." + name
		}
		fn := Func{Name: name, Line: fset.Position(fd.Pos()).Line, start: fset.Position(fd.Pos()), end: fset.Position(fd.End())}
		for _, b := range f.Blocks {
			if within(b.StartLine, b.StartCol, fn.start, fn.end) {
				fn.Statements += int64(b.NumStmt)
				if b.Count > 0 {
					fn.Cover += int64(b.NumStmt)
				}
			}
		}
		f.Funcs = append(f.Funcs, fn)
	}
	return nil
}

func within(line, col int, start, end token.Position) bool {
	after := line > start.Line || line == start.Line && col >= start.Column
	before := line < end.Line || line == end.Line && col <= end.Column
	return after && before
}

// statementBlocks returns one block per statement of the lowered .gocoro
// file (the header of a compound statement), each with the count of the
// innermost generated block whose lines hold its first line: the block
// that starts last on or before that line, and of those the shortest.
func statementBlocks(fset *token.FileSet, pf *cparser.File, generated []cover.ProfileBlock) []cover.ProfileBlock {
	coroutines := map[*ast.FuncDecl]*cparser.Coroutine{}
	for _, co := range pf.Coroutines {
		coroutines[co.Decl] = co
	}
	var out []cover.ProfileBlock
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && coroutines[fd] != nil {
			// The user's body, not the lowering's return around it.
			ast.Inspect(coroutines[fd].Body(), visit)
			return false
		}
		s, ok := n.(ast.Stmt)
		if !ok {
			return true
		}
		// A compound statement's block is its header (init and post
		// statements included); its bodies have blocks of their own.
		var end token.Pos
		var bodies []ast.Node
		switch s := s.(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause, *ast.LabeledStmt, *ast.EmptyStmt:
			return true
		case *ast.IfStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
			if s.Else != nil {
				bodies = append(bodies, s.Else)
			}
		case *ast.ForStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
		case *ast.RangeStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
		case *ast.SwitchStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
		case *ast.TypeSwitchStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
		case *ast.SelectStmt:
			end, bodies = s.Body.Lbrace, []ast.Node{s.Body}
		default:
			end = s.End()
			// A function literal's statements have blocks of their own:
			// the statement's block ends where the literal's body begins.
			ast.Inspect(s, func(n ast.Node) bool {
				if lit, ok := n.(*ast.FuncLit); ok && lit.Body.Lbrace < end {
					end = lit.Body.Lbrace
				}
				return true
			})
		}
		start, stop := fset.Position(s.Pos()), fset.Position(end)
		out = append(out, cover.ProfileBlock{
			StartLine: start.Line, StartCol: start.Column,
			EndLine: stop.Line, EndCol: stop.Column,
			NumStmt: 1, Count: innermostCount(generated, start.Line),
		})
		if bodies == nil {
			return true
		}
		for _, b := range bodies {
			ast.Inspect(b, visit)
		}
		return false
	}
	ast.Inspect(pf.AST, visit)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.StartLine < b.StartLine || a.StartLine == b.StartLine && a.StartCol < b.StartCol
	})
	// Nested statements (an if's body) start after their header ends:
	// blocks never overlap.
	return out
}

func innermostCount(blocks []cover.ProfileBlock, line int) int {
	best := -1
	for i, b := range blocks {
		if b.StartLine > line || b.EndLine < line {
			continue
		}
		if best < 0 || b.StartLine > blocks[best].StartLine ||
			b.StartLine == blocks[best].StartLine && b.EndLine < blocks[best].EndLine {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return blocks[best].Count
}

// WriteProfile writes p as a coverage profile.
func (p *Profile) WriteProfile(w io.Writer) error {
	fmt.Fprintf(w, "mode: %s\n", p.Mode)
	for _, f := range p.Files {
		for _, b := range f.Blocks {
			fmt.Fprintf(w, "%s:%d.%d,%d.%d %d %d\n", f.Name, b.StartLine, b.StartCol, b.EndLine, b.EndCol, b.NumStmt, b.Count)
		}
	}
	return nil
}

// WriteFuncs writes the coverage of each function, as go tool cover -func
// does, and the total.
func (p *Profile) WriteFuncs(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
	var total, covered int64
	for _, f := range p.Files {
		for _, fn := range f.Funcs {
			total += fn.Statements
			covered += fn.Cover
			fmt.Fprintf(tw, "%s:%d:\t%s\t%.1f%%\n", f.Name, fn.Line, fn.Name, percent(fn.Cover, fn.Statements))
		}
	}
	fmt.Fprintf(tw, "total:\t(statements)\t%.1f%%\n", percent(covered, total))
	return tw.Flush()
}

func percent(covered, total int64) float64 {
	if total == 0 {
		total = 1 // avoid division by zero
	}
	return 100.0 * float64(covered) / float64(total)
}
