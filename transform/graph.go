package transform

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	cparser "github.com/corofy/corofy/parser"
	"github.com/dave/dst"
)

// Graph is the state graph of one coroutine's machine: the cases of its
// Poll and the ways control moves between them. corofy -graph prints it,
// because a state machine is easier to look at than to read.
//
// It is read off the generated Poll itself, so it shows what the code
// does: each "state = N; continue" or fallthrough is an edge, labelled
// with the conditions of the generated code around it.
type Graph struct {
	Coroutine string         // asyncMain, or T.M for a method
	Type      string         // the machine's type: asyncMainCoroutine
	Pos       token.Position // of the coroutine's declaration
	States    []GraphState   // in case order; the machine starts in state 0
}

// GraphState is one case of Poll.
type GraphState struct {
	// Label says what the state is: "start", "loop at line 12", or, for
	// a state that resumes at a wait, the waited expression and its
	// position.
	Label string
	// Wait marks the states that poll a wait's future: from them Poll
	// returns not ready, again and again, until the future is ready.
	Wait bool
	// Edges are the ways out of the state within the same Poll, in the
	// order of the code: jumps to other states (or to itself), and
	// completions of the coroutine (To is GraphDone).
	Edges []GraphEdge
}

// GraphEdge is one way out of a state.
type GraphEdge struct {
	To int // a state, or GraphDone
	// When is the condition of the generated code under which control
	// takes the edge ("!(i < n)", "case v := <-ch"); "" when it always
	// does once it gets there.
	When string
}

// GraphDone is the To of an edge on which the coroutine completes.
const GraphDone = -1

// graph returns the state graph as the compiler of the body sees it:
// jump markers, with no conditions. It must have the same edges as the
// graph read off the generated code (checkGraph): liveness, which decides
// what the machine keeps across a wait, is computed on it.
func (m *machine) graph() Graph {
	g := Graph{Coroutine: m.name, Type: m.typeName, Pos: m.pos}
	for _, st := range m.states {
		gs := GraphState{Wait: st.wait != nil}
		switch {
		case st.wait != nil:
			p := st.wait.pos
			gs.Label = fmt.Sprintf("%s at %s:%d", st.wait.text, filepath.Base(p.Filename), p.Line)
		case st.comment != "":
			gs.Label = st.comment
		case st.index == 0:
			gs.Label = "start"
		default:
			gs.Label = fmt.Sprintf("state %d", st.index)
		}
		for _, j := range m.successors(st) {
			gs.Edges = append(gs.Edges, GraphEdge{To: j})
		}
		if m.completes(st) {
			gs.Edges = append(gs.Edges, GraphEdge{To: GraphDone})
		}
		g.States = append(g.States, gs)
	}
	return g
}

// completes reports whether the coroutine may complete in st: it returns
// there, or runs off the end of the state, which emitState then ends the
// way the body's end does.
func (m *machine) completes(st *state) bool {
	for _, s := range st.stmts {
		found := false
		dst.Inspect(s, func(n dst.Node) bool {
			switch n.(type) {
			case *dst.FuncLit:
				return false
			case *dst.ReturnStmt:
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return !st.closed && (len(st.stmts) == 0 || !isTerminating(st.stmts[len(st.stmts)-1]))
}

// codeGraphs reads the state graph of each machine off the generated file
// src: the labels of the states come from the machine, the edges from its
// Poll. It is an internal error if they are not the edges the machine was
// compiled with.
func codeGraphs(src []byte, machines []*machine) ([]Graph, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	polls := pollMethods(f)
	var graphs []Graph
	for _, m := range machines {
		sw := pollSwitch(polls[m.typeName], m)
		if sw == nil {
			return nil, fmt.Errorf("no Poll switch for %s in the generated code", m.typeName)
		}
		g := m.stateGraph
		g.States = slices.Clone(g.States)
		r := &edgeReader{m: m, fset: fset}
		for _, c := range sw.Body.List {
			cc := c.(*ast.CaseClause)
			if len(cc.List) != 1 {
				continue // default: the panic for a bad state
			}
			i, ok := intLit(cc.List[0])
			if !ok || i < 0 || i >= len(g.States) {
				return nil, fmt.Errorf("%s: unexpected case %s in Poll", m.typeName, oneLine(fset, cc.List[0]))
			}
			r.edges, r.index = nil, i
			r.stmts(cc.Body, "", true)
			// Every edge leaves the case, so one taken always that comes
			// after conditional ones is taken when none of them was.
			conditional := false
			for k, e := range r.edges {
				if e.When != "" {
					conditional = true
				} else if conditional {
					r.edges[k].When = "otherwise"
				}
			}
			g.States[i].Edges = mergeEdges(r.edges)
		}
		if err := sameEdges(m.stateGraph, g); err != nil {
			return nil, err
		}
		graphs = append(graphs, g)
	}
	return graphs, nil
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

// pollSwitch finds the switch on the state in m's Poll method fd (nil
// when there is none).
func pollSwitch(fd *ast.FuncDecl, m *machine) *ast.SwitchStmt {
	if fd == nil {
		return nil
	}
	var sw *ast.SwitchStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if s, ok := n.(*ast.SwitchStmt); ok && sw == nil {
			if id, ok := s.Tag.(*ast.Ident); ok && id.Name == m.state {
				sw = s
			}
		}
		return sw == nil
	})
	return sw
}

// edgeReader collects the edges of one case of Poll.
type edgeReader struct {
	m     *machine
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
			if n, ok := intLit(s.Rhs[0]); ok && lhs.Name == r.m.state {
				r.edges = append(r.edges, GraphEdge{To: n, When: when})
			}
		case *ast.SelectorExpr: // c.state = ...: a suspension or the end
			if x, ok := lhs.X.(*ast.Ident); !ok || x.Name != r.m.recv || lhs.Sel.Name != r.m.stateField {
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

// and joins two conditions.
func and(a, b string) string {
	if a == "" {
		return b
	}
	return a + " && " + b
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

// types0 prints a node of the generated code on one line.
func oneLine(fset *token.FileSet, n ast.Node) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// mergeEdges makes one edge of the edges to the same place, in the order of
// their first appearance; their conditions are joined with ||, and an
// edge taken always, or otherwise, absorbs the others (the place is then
// reached whatever the conditions).
func mergeEdges(edges []GraphEdge) []GraphEdge {
	var out []GraphEdge
	always := func(when string) bool { return when == "" || when == "otherwise" }
	for _, e := range edges {
		i := slices.IndexFunc(out, func(o GraphEdge) bool { return o.To == e.To })
		switch {
		case i < 0:
			out = append(out, e)
		case always(out[i].When) || always(e.When):
			out[i].When = ""
		default:
			out[i].When += " || " + e.When
		}
	}
	return out
}

// sameEdges reports an internal error if code's edges are not those of
// compiled, the graph liveness was computed on.
func sameEdges(compiled, code Graph) error {
	targets := func(s GraphState) []int {
		var out []int
		for _, e := range s.Edges {
			out = append(out, e.To)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for i := range compiled.States {
		if a, b := targets(compiled.States[i]), targets(code.States[i]); !slices.Equal(a, b) {
			return fmt.Errorf("%s: state %d goes to %v in the generated code but to %v in the compiled states", compiled.Coroutine, i, b, a)
		}
	}
	return nil
}

// WriteDOT writes graphs as one Graphviz digraph, a cluster per coroutine
// (render with: dot -Tsvg). States that wait are rounded and have a dashed
// "not ready" edge to themselves: Poll returns there, and the next Poll
// comes back to the same state.
func WriteDOT(w io.Writer, graphs []Graph) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "digraph corofy {\n")
	fmt.Fprintf(b, "\tnode [shape=box, fontname=\"monospace\"];\n")
	fmt.Fprintf(b, "\tedge [fontname=\"monospace\", fontsize=10];\n")
	names := uniqueNames(graphs)
	for k, g := range graphs {
		id := func(i int) string {
			if i == GraphDone {
				return dotQuote(names[k] + ".done")
			}
			return dotQuote(fmt.Sprintf("%s.%d", names[k], i))
		}
		fmt.Fprintf(b, "\n\tsubgraph %s {\n", dotQuote("cluster_"+names[k]))
		fmt.Fprintf(b, "\t\tlabel=%s;\n", dotQuote(g.caption()))
		fmt.Fprintf(b, "\t\t%s [shape=point];\n", dotQuote(names[k]+".entry"))
		fmt.Fprintf(b, "\t\t%s [shape=doublecircle, label=\"done\"];\n", id(GraphDone))
		for i, st := range g.States {
			style := ""
			if st.Wait {
				style = ", style=rounded"
			}
			fmt.Fprintf(b, "\t\t%s [label=%s%s];\n", id(i), dotQuote(fmt.Sprintf("%d: %s", i, st.Label)), style)
		}
		fmt.Fprintf(b, "\t\t%s -> %s;\n", dotQuote(names[k]+".entry"), id(0))
		for _, e := range g.drawnEdges() {
			attrs := ""
			switch {
			case e.notReady:
				attrs = ` [label="not ready", style=dashed]`
			case e.label != "":
				attrs = " [label=" + dotQuote(e.label) + "]"
			}
			fmt.Fprintf(b, "\t\t%s -> %s%s;\n", id(e.from), id(e.to), attrs)
		}
		fmt.Fprintf(b, "\t}\n")
	}
	fmt.Fprintf(b, "}\n")
	return b.Flush()
}

// caption names the coroutine and where it is declared.
func (g Graph) caption() string {
	return fmt.Sprintf("%s (%s:%d)", g.Coroutine, filepath.Base(g.Pos.Filename), g.Pos.Line)
}

// drawnEdge is an edge as the writers draw it.
type drawnEdge struct {
	from, to int    // states, or GraphDone
	label    string // the condition, shortened; "not ready" for a wait's loop
	notReady bool   // a wait's loop: Poll returns, the next Poll comes back
}

// drawnEdges returns the edges of every state in order, a wait's "not
// ready" loop before the state's other edges.
func (g Graph) drawnEdges() []drawnEdge {
	var out []drawnEdge
	for i, st := range g.States {
		if st.Wait {
			out = append(out, drawnEdge{from: i, to: i, label: "not ready", notReady: true})
		}
		for _, e := range st.Edges {
			out = append(out, drawnEdge{from: i, to: e.To, label: shorten(e.When)})
		}
	}
	return out
}

// shorten cuts an edge's condition to a size a diagram can show, between
// characters.
func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return s
}

// uniqueNames returns a name per graph for the writers' identifiers: the
// machine's type, with a number added when graphs of several packages
// share it.
func uniqueNames(graphs []Graph) []string {
	names := make([]string, len(graphs))
	seen := map[string]int{}
	for i, g := range graphs {
		seen[g.Type]++
		names[i] = g.Type
		if n := seen[g.Type]; n > 1 {
			names[i] = fmt.Sprintf("%s__%d", g.Type, n) // never a state: those end in _N
		}
	}
	return names
}

// dotQuote returns s as a DOT quoted string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// WriteMermaid writes graphs as one Mermaid state diagram, a composite
// state per coroutine (GitHub renders it in a ```mermaid block). A wait's
// state has a "not ready" transition to itself, as in WriteDOT.
func WriteMermaid(w io.Writer, graphs []Graph) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "stateDiagram-v2\n")
	names := uniqueNames(graphs)
	for k, g := range graphs {
		id := func(i int) string {
			if i == GraphDone {
				return "[*]"
			}
			return fmt.Sprintf("%s_%d", names[k], i)
		}
		fmt.Fprintf(b, "\tstate %s {\n", names[k])
		fmt.Fprintf(b, "\t\t%%%% %s\n", g.caption())
		for i, st := range g.States {
			fmt.Fprintf(b, "\t\tstate \"%s\" as %s\n", mermaidText(fmt.Sprintf("%d: %s", i, st.Label)), id(i))
		}
		fmt.Fprintf(b, "\t\t[*] --> %s\n", id(0))
		for _, e := range g.drawnEdges() {
			label := ""
			if e.label != "" {
				label = " : " + mermaidLabel(e.label)
			}
			fmt.Fprintf(b, "\t\t%s --> %s%s\n", id(e.from), id(e.to), label)
		}
		fmt.Fprintf(b, "\t}\n")
	}
	return b.Flush()
}

// mermaidText makes s safe inside a quoted Mermaid state description:
// Mermaid reads #name; as an entity, and a quote would end the text.
func mermaidText(s string) string {
	r := strings.NewReplacer(`#`, `#35;`, `"`, `#quot;`, "\n", " ")
	return r.Replace(s)
}

// mermaidLabel makes s safe as a Mermaid transition label, which runs to
// the end of the line or to a semicolon (checked with Mermaid 11's parser).
func mermaidLabel(s string) string {
	r := strings.NewReplacer(`#`, `#35;`, `;`, `#59;`, "\n", " ")
	return r.Replace(s)
}
