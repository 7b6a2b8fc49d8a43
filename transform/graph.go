package transform

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dave/dst"
)

// Graph is the state graph of one coroutine's machine: the cases of its
// Poll and the ways control moves between them. corofy -graph prints it,
// because a state machine is easier to look at than to read.
//
// Its edges are the exits of the machine's states (the cfg pass, cfg.go):
// each "state = N; continue", fallthrough or completion of the generated
// Poll is an edge, labelled with the conditions of the generated code
// around it. The tests read the graph off the printed Poll again and
// compare, so it shows what the code does.
type Graph struct {
	Coroutine string         // asyncMain, or T.M for a method
	Type      string         // the machine's type: asyncMainCoroutine
	Pos       token.Position // of the coroutine's declaration
	States    []GraphState   // in case order; the machine starts in state 0

	poll pollNames // how the generated Poll names what the graph is read from
}

// pollNames are the names of the generated Poll that its state graph is
// read from: the local holding the state, the receiver and the state's
// field.
type pollNames struct{ state, recv, stateField string }

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

// graph returns the states of the state graph, labelled, without their
// edges, which labelGraphs adds once the code is generated.
func (m *machine) graph() Graph {
	g := Graph{Coroutine: m.name, Type: m.typeName, Pos: m.pos, poll: pollNames{m.state, m.recv, m.stateField}}
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
		g.States = append(g.States, gs)
	}
	return g
}

// labelGraphs returns the state graph of each machine as corofy -graph
// shows it: the states and edges of the cfg pass (cfg.go), each edge
// labelled with its guards as the generated code writes them. The guards
// are statements of the generated Poll (lower keeps them, renaming what
// they name); nodes maps them to the syntax the file is printed from, so the
// labels are the printed conditions, read without parsing the output.
func labelGraphs(machines []*machine, nodes map[dst.Node]ast.Node, fset *token.FileSet) ([]Graph, error) {
	var graphs []Graph
	texts := map[guard]string{} // each guard printed once, however many exits it holds
	for _, m := range machines {
		g := m.stateGraph
		g.States = slices.Clone(g.States)
		for _, st := range m.states {
			var edges []GraphEdge
			for _, e := range st.exits {
				to := GraphDone
				if e.to != nil {
					to = e.to.index
				}
				when := ""
				for _, gd := range e.guards {
					text, ok := texts[gd]
					if !ok {
						var err error
						if text, err = guardText(gd, nodes, fset); err != nil {
							return nil, fmt.Errorf("%s: state %d: %v", m.typeName, st.index, err)
						}
						texts[gd] = text
					}
					when = and(when, text)
				}
				edges = append(edges, GraphEdge{To: to, When: when})
			}
			g.States[st.index].Edges = mergeEdges(otherwise(edges))
		}
		graphs = append(graphs, g)
	}
	return graphs, nil
}

// guardText is the condition a guard puts on the exits under it, as the
// generated code writes it: "cond" or "!(cond)" for an if's branches,
// "case x, y" or "default" for a clause.
func guardText(gd guard, nodes map[dst.Node]ast.Node, fset *token.FileSet) (string, error) {
	n, ok := nodes[gd.node]
	if !ok {
		return "", fmt.Errorf("a guard (%T) is not in the generated code", gd.node)
	}
	switch n := n.(type) {
	case *ast.IfStmt:
		cond := ifCondition(fset, n.Cond)
		if gd.els {
			return "!(" + cond + ")", nil
		}
		return cond, nil
	case *ast.CaseClause:
		if n.List == nil {
			return "default", nil
		}
		var cases []string
		for _, e := range n.List {
			cases = append(cases, oneLine(fset, e))
		}
		return "case " + strings.Join(cases, ", "), nil
	case *ast.CommClause:
		if n.Comm == nil {
			return "default", nil
		}
		return "case " + oneLine(fset, n.Comm), nil
	}
	return "", fmt.Errorf("a guard is a %T in the generated code", n)
}

// ifCondition prints cond as the printer writes it in an if statement,
// where it drops the parentheses around a condition that needs none: "if
// (a < b) {" prints as "if a < b {".
func ifCondition(fset *token.FileSet, cond ast.Expr) string {
	text := oneLine(fset, &ast.IfStmt{Cond: cond, Body: &ast.BlockStmt{}})
	return strings.TrimSuffix(strings.TrimPrefix(text, "if "), " { }")
}

// otherwise labels "otherwise" an edge taken always that comes after
// conditional ones: every edge leaves the state, so it is taken when none
// of them was.
func otherwise(edges []GraphEdge) []GraphEdge {
	conditional := false
	for k, e := range edges {
		if e.When != "" {
			conditional = true
		} else if conditional {
			edges[k].When = "otherwise"
		}
	}
	return edges
}

// and joins two conditions.
func and(a, b string) string {
	if a == "" {
		return b
	}
	return a + " && " + b
}

// oneLine prints a node of the generated code on one line.
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
