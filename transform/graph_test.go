package transform

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	cparser "github.com/corofy/corofy/parser"
)

// checkGraphs checks what every state graph must satisfy: edges lead to
// existing states, both writers accept the graph, and, given the generated
// file src, the graph is what the code does (checkCodeGraphs). With reachable, it
// also checks that every state can be reached from state 0: true of every
// coroutine without unreachable code of its own (a state that cannot be
// reached is then dead code of corofy's making).
func checkGraphs(src []byte, graphs []Graph, reachable bool) error {
	if src != nil {
		if err := checkCodeGraphs(src, graphs); err != nil {
			return err
		}
	}
	for _, g := range graphs {
		n := len(g.States)
		if n == 0 {
			return fmt.Errorf("%s: no states", g.Coroutine)
		}
		reached := make([]bool, n)
		reached[0] = true
		stack := []int{0}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range g.States[i].Edges {
				j := e.To
				if j == GraphDone {
					continue
				}
				if j < 0 || j >= n {
					return fmt.Errorf("%s: state %d jumps to state %d of %d", g.Coroutine, i, j, n)
				}
				if !reached[j] {
					reached[j] = true
					stack = append(stack, j)
				}
			}
		}
		for i, r := range reached {
			if reachable && !r {
				return fmt.Errorf("%s: state %d (%s) cannot be reached from state 0", g.Coroutine, i, g.States[i].Label)
			}
		}
	}
	var dot, mermaid bytes.Buffer
	if err := WriteDOT(&dot, graphs); err != nil {
		return err
	}
	if err := WriteMermaid(&mermaid, graphs); err != nil {
		return err
	}
	for _, name := range uniqueNames(graphs) {
		if strings.Count(dot.String(), fmt.Sprintf("subgraph \"cluster_%s\" {", name)) != 1 || strings.Count(mermaid.String(), "\tstate "+name+" {") != 1 {
			return fmt.Errorf("%s: not written once in the graphs", name)
		}
	}
	return nil
}

// TestGraphNamesUnique: machines of the same name in two packages get
// clusters and states of their own.
func TestGraphNamesUnique(t *testing.T) {
	g := Graph{Coroutine: "asyncMain", Type: "asyncMainCoroutine", States: []GraphState{{Label: "start", Edges: []GraphEdge{{To: GraphDone}}}}}
	graphs := []Graph{g, g}
	if err := checkGraphs(nil, graphs, true); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteMermaid(&b, graphs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"state asyncMainCoroutine {", "asyncMainCoroutine_0 --> [*]", "state asyncMainCoroutine__2 {", "asyncMainCoroutine__2_0 --> [*]"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Mermaid output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestMergeEdges(t *testing.T) {
	got := mergeEdges([]GraphEdge{
		{To: 3, When: "a"}, {To: 4, When: "b"}, {To: 3, When: "c"},
		{To: 5, When: "d"}, {To: 5, When: "otherwise"}, {To: 6, When: "otherwise"},
	})
	want := []GraphEdge{{To: 3, When: "a || c"}, {To: 4, When: "b"}, {To: 5}, {To: 6, When: "otherwise"}}
	if !slices.Equal(got, want) {
		t.Errorf("mergeEdges = %v, want %v", got, want)
	}
}

// checkCodeGraphs checks that graphs, the state graphs corofy -graph
// shows, built from the cfg pass with labels printed from the generated
// code's guards, are what the printed code src does: each machine's edges
// are read off its Poll again, an edge for each "state = N" (with
// "continue"), each fallthrough of a case and each completion (c.state =
// runtime.StateDone), labelled with the conditions of the code around it.
// Every state must have the same edges, targets and labels, in the same
// order.
func checkCodeGraphs(src []byte, graphs []Graph) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	polls := pollMethods(f)
	for _, g := range graphs {
		sw := pollSwitch(polls[g.Type], g.poll.state)
		if sw == nil {
			return fmt.Errorf("no Poll switch for %s in the generated code", g.Type)
		}
		r := &edgeReader{names: g.poll, fset: fset}
		seen := make([]bool, len(g.States))
		for _, c := range sw.Body.List {
			cc := c.(*ast.CaseClause)
			if len(cc.List) != 1 {
				continue // default: the panic for a bad state
			}
			i, ok := intLit(cc.List[0])
			if !ok || i < 0 || i >= len(g.States) || seen[i] {
				return fmt.Errorf("%s: unexpected case %s in Poll", g.Type, oneLine(fset, cc.List[0]))
			}
			seen[i] = true
			r.edges, r.index = nil, i
			r.stmts(cc.Body, "", true)
			code := mergeEdges(otherwise(r.edges))
			if !slices.Equal(code, g.States[i].Edges) {
				return fmt.Errorf("%s: state %d: the code has edges %v, the graph %v", g.Coroutine, i, code, g.States[i].Edges)
			}
		}
		if i := slices.Index(seen, false); i >= 0 {
			return fmt.Errorf("%s: state %d is not a case of Poll", g.Coroutine, i)
		}
	}
	return nil
}

// pollMethods returns the Poll methods of f by the name of their
// receiver's type, in one pass over the file: finding each machine's by
// scanning the file would make the graph check quadratic in the number of
// coroutines.
func pollMethods(f *ast.File) map[string]*ast.FuncDecl {
	polls := map[string]*ast.FuncDecl{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "Poll" || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		polls[cparser.RecvTypeName(fd.Recv.List[0].Type)] = fd
	}
	return polls
}

// pollSwitch finds the switch on the local state in the Poll method fd
// (nil when there is none).
func pollSwitch(fd *ast.FuncDecl, state string) *ast.SwitchStmt {
	if fd == nil {
		return nil
	}
	var sw *ast.SwitchStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if s, ok := n.(*ast.SwitchStmt); ok && sw == nil {
			if id, ok := s.Tag.(*ast.Ident); ok && id.Name == state {
				sw = s
			}
		}
		return sw == nil
	})
	return sw
}

// edgeReader collects the edges of one case of Poll.
type edgeReader struct {
	names pollNames
	fset  *token.FileSet
	index int // the case
	edges []GraphEdge
}

// stmts reads a list of statements under the condition when; top is set
// for the case's own list, where a fallthrough is Poll's.
func (r *edgeReader) stmts(list []ast.Stmt, when string, top bool) {
	for _, s := range list {
		r.stmt(s, when, top)
	}
}

func (r *edgeReader) stmt(s ast.Stmt, when string, top bool) {
	switch s := s.(type) {
	case *ast.BlockStmt:
		r.stmts(s.List, when, top)
	case *ast.LabeledStmt:
		r.stmt(s.Stmt, when, top)
	case *ast.IfStmt:
		cond := oneLine(r.fset, s.Cond)
		r.stmts(s.Body.List, and(when, cond), false)
		if s.Else != nil {
			r.stmt(s.Else, and(when, "!("+cond+")"), false)
		}
	case *ast.ForStmt:
		r.stmts(s.Body.List, when, false)
	case *ast.RangeStmt:
		r.stmts(s.Body.List, when, false)
	case *ast.SwitchStmt:
		r.clauses(s.Body, when)
	case *ast.TypeSwitchStmt:
		r.clauses(s.Body, when)
	case *ast.SelectStmt:
		r.clauses(s.Body, when)
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return
		}
		switch lhs := s.Lhs[0].(type) {
		case *ast.Ident: // state = N: a jump (continue follows)
			if n, ok := intLit(s.Rhs[0]); ok && lhs.Name == r.names.state {
				r.edges = append(r.edges, GraphEdge{To: n, When: when})
			}
		case *ast.SelectorExpr: // c.state = ...: a suspension or the end
			if x, ok := lhs.X.(*ast.Ident); !ok || x.Name != r.names.recv || lhs.Sel.Name != r.names.stateField {
				return
			}
			if _, ok := intLit(s.Rhs[0]); ok {
				return // a wait not ready: drawn as the state's own loop
			}
			if sel, ok := s.Rhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == rtStateDone {
				r.edges = append(r.edges, GraphEdge{To: GraphDone, When: when})
			}
		}
	case *ast.BranchStmt:
		if s.Tok == token.FALLTHROUGH && top {
			r.edges = append(r.edges, GraphEdge{To: r.index + 1, When: when})
		}
	}
}

// clauses reads the clauses of a switch, type switch or select.
func (r *edgeReader) clauses(body *ast.BlockStmt, when string) {
	for _, c := range body.List {
		switch c := c.(type) {
		case *ast.CaseClause:
			label := "default"
			if c.List != nil {
				var cases []string
				for _, e := range c.List {
					cases = append(cases, oneLine(r.fset, e))
				}
				label = "case " + strings.Join(cases, ", ")
			}
			r.stmts(c.Body, and(when, label), false)
		case *ast.CommClause:
			label := "default"
			if c.Comm != nil {
				label = "case " + oneLine(r.fset, c.Comm)
			}
			r.stmts(c.Body, and(when, label), false)
		}
	}
}

// intLit returns the value of an integer literal.
func intLit(e ast.Expr) (int, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, false
	}
	n, err := strconv.Atoi(lit.Value)
	return n, err == nil
}
