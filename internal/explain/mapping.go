package explain

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"

	cparser "github.com/corofy/corofy/parser"
	"github.com/corofy/corofy/transform"
)

// lineMap ties the lines of a generated file to the lines of its .gocoro
// source and to the states of its machines. It is read off the generated
// file alone: the line directives give each token its .gocoro position
// (as the compiler reads them), and the cases of each Poll's switch give
// the lines of each state.
type lineMap struct {
	// src[g] is the .gocoro line that generated line g (1-based) runs, or 0.
	src []int
	// state[g] is the state whose case of Poll holds generated line g, or
	// nil.
	state []*stateRef
	// cases are the lines of each state's case, by coroutine and state.
	cases map[stateKey]lineRange
	// polls are the Poll methods of the machines, by coroutine.
	polls map[string]*pollInfo
}

// stateRef names a state of a coroutine's machine.
type stateRef struct {
	Coroutine string `json:"co"`
	State     int    `json:"st"`
}

type stateKey struct {
	co    string
	state int
}

type lineRange struct{ from, to int } // generated lines, inclusive

// pollInfo is what the instrumentation needs of a machine's Poll.
type pollInfo struct {
	graph  transform.Graph
	decl   *ast.FuncDecl
	recv   string // the receiver's name
	cases  map[int]*ast.CaseClause
	fields []string // the machine's fields, in declaration order
	// stateField is the field of the state when Poll switches on it
	// directly (switch c.state), found by stateFieldOf.
	stateField string
}

// directive matches a line directive as corofy writes it, and a space
// after it.
var directive = regexp.MustCompile(`/\*line [^*]*\*/ ?`)

// lineComment matches a //line directive, which starts its line.
var lineComment = regexp.MustCompile(`(?m)^[ \t]*//line [^\n]*$`)

// hideDirectives removes the line directives of src, which the page
// reads but need not show, keeping its lines: "case 1 /*line :35:40*/ :"
// becomes "case 1:", "package /*line main.gocoro:15:8*/ main" "package
// main".
func hideDirectives(src []byte) []byte {
	// A //line directive is a comment line of its own: blanked, so that
	// the lines stay where they are.
	src = lineComment.ReplaceAll(src, nil)
	var out []byte
	last := 0
	for _, m := range directive.FindAllIndex(src, -1) {
		start, end := m[0], m[1]
		before := src[last:start]
		var next byte = '\n'
		if end < len(src) {
			next = src[end]
		}
		if len(before) > 0 && before[len(before)-1] == ' ' && strings.IndexByte(":,;)]\n", next) >= 0 {
			before = before[:len(before)-1]
		}
		out = append(out, before...)
		last = end
	}
	return append(out, src[last:]...)
}

// mapLines reads the map off the generated file src of input, whose
// machines' graphs are graphs.
func mapLines(input string, src []byte, graphs []transform.Graph) (*lineMap, *ast.File, *token.FileSet, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the generated code does not parse: %v", err)
	}
	tf := fset.File(f.Pos())
	n := tf.LineCount()
	m := &lineMap{
		src:   make([]int, n+1),
		state: make([]*stateRef, n+1),
		cases: map[stateKey]lineRange{},
		polls: map[string]*pollInfo{},
	}
	m.readDirectives(tf, src, filepath.Base(input))
	types := map[string]transform.Graph{}
	for _, g := range graphs {
		types[g.Type] = g
	}
	structs := map[string][]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			if _, ok := types[ts.Name.Name]; ok {
				// A machine's fields stand for no line of the source:
				// the lines after its declaration's directive only count
				// on from it.
				from, to := fset.PositionFor(st.Fields.Opening, false).Line, fset.PositionFor(st.Fields.Closing, false).Line
				for l := from + 1; l <= to && l < len(m.src); l++ {
					m.src[l] = 0
				}
			}
			var names []string
			for _, fl := range st.Fields.List {
				for _, id := range fl.Names {
					names = append(names, id.Name)
				}
			}
			structs[ts.Name.Name] = names
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "Poll" || fd.Recv == nil || len(fd.Recv.List) != 1 || fd.Body == nil {
			continue
		}
		g, ok := types[cparser.RecvTypeName(fd.Recv.List[0].Type)]
		if !ok {
			continue
		}
		p := &pollInfo{graph: g, decl: fd, cases: map[int]*ast.CaseClause{}, fields: structs[g.Type]}
		if names := fd.Recv.List[0].Names; len(names) == 1 {
			p.recv = names[0].Name
		}
		sw := stateSwitch(fd, len(g.States))
		if sw == nil {
			return nil, nil, nil, fmt.Errorf("no switch on the state in the Poll of %s", g.Type)
		}
		for _, c := range sw.Body.List {
			cc := c.(*ast.CaseClause)
			if len(cc.List) != 1 {
				continue
			}
			i, ok := intLit(cc.List[0])
			if !ok {
				continue
			}
			p.cases[i] = cc
			r := lineRange{fset.PositionFor(cc.Pos(), false).Line, fset.PositionFor(cc.End(), false).Line}
			m.cases[stateKey{g.Coroutine, i}] = r
			for l := r.from; l <= r.to && l <= n; l++ {
				m.state[l] = &stateRef{g.Coroutine, i}
			}
		}
		m.polls[g.Coroutine] = p
	}
	return m, f, fset, nil
}

// readDirectives sets m.src from the positions of the tokens of src as
// the line directives make them. A generated line maps to the position of
// its first token after a directive on that line, or else of its first
// token: so "case 1 /*line :35:40*/ :" is the line of the wait it resumes
// at.
func (m *lineMap) readDirectives(tf *token.File, src []byte, base string) {
	var s scanner.Scanner
	s.Init(tf, src, nil, scanner.ScanComments)
	var curLine int
	var sawDirective, chosenAfter bool
	// Lines with closing brackets alone get no source line: they run
	// nothing, and their position is only the count of lines since the
	// last directive.
	onlyClosers := map[int]bool{}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		p := tf.PositionFor(pos, false)
		if p.Line != curLine {
			curLine, sawDirective, chosenAfter = p.Line, false, false
			onlyClosers[p.Line] = true
		}
		switch tok {
		case token.RBRACE, token.RPAREN, token.RBRACK, token.COMMA, token.SEMICOLON, token.COMMENT:
		default:
			onlyClosers[p.Line] = false
		}
		if tok == token.COMMENT {
			if strings.HasPrefix(lit, "/*line ") || strings.HasPrefix(lit, "//line ") {
				sawDirective = true
			}
			continue
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		if m.src[p.Line] != 0 && (chosenAfter || !sawDirective) {
			continue
		}
		adj := tf.PositionFor(pos, true)
		if filepath.Base(adj.Filename) != base {
			continue
		}
		m.src[p.Line] = adj.Line
		chosenAfter = sawDirective
	}
	for l, only := range onlyClosers {
		if only {
			m.src[l] = 0
		}
	}
}

// stateSwitch returns the switch of Poll whose cases are the states: the
// first switch on an identifier whose cases are integer literals below
// n.
func stateSwitch(fd *ast.FuncDecl, n int) *ast.SwitchStmt {
	var sw *ast.SwitchStmt
	ast.Inspect(fd.Body, func(x ast.Node) bool {
		if sw != nil {
			return false
		}
		if _, ok := x.(*ast.FuncLit); ok {
			return false
		}
		s, ok := x.(*ast.SwitchStmt)
		if !ok {
			return true
		}
		switch s.Tag.(type) {
		case *ast.Ident, *ast.SelectorExpr: // state, or c.state
		default:
			return true
		}
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			for _, e := range cc.List {
				if i, ok := intLit(e); !ok || i < 0 || i >= n {
					return true
				}
			}
		}
		sw = s
		return false
	})
	return sw
}

func intLit(e ast.Expr) (int, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, false
	}
	var n int
	_, err := fmt.Sscan(lit.Value, &n)
	return n, err == nil
}
