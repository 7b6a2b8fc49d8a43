package transform

import (
	"bufio"
	"fmt"
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
	// Next lists the states control may go on to within the same Poll,
	// in case order, each once.
	Next []int
	// Done marks the states in which the coroutine may complete.
	Done bool
}

// graph returns the machine's state graph; call it after compiling the
// body and before emitting (which turns jump markers into code).
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
			if !slices.Contains(gs.Next, j) {
				gs.Next = append(gs.Next, j)
			}
		}
		slices.Sort(gs.Next)
		gs.Done = m.completes(st)
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

// WriteDOT writes graphs as one Graphviz digraph, a cluster per coroutine
// (render with: dot -Tsvg). States that wait are rounded and have a dashed
// "not ready" edge to themselves: Poll returns there, and the next Poll
// comes back to the same state.
func WriteDOT(w io.Writer, graphs []Graph) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "digraph corofy {\n")
	fmt.Fprintf(b, "\tnode [shape=box, fontname=\"monospace\"];\n")
	names := uniqueNames(graphs)
	for k, g := range graphs {
		id := func(s string) string { return dotQuote(names[k] + "." + s) }
		fmt.Fprintf(b, "\n\tsubgraph %s {\n", dotQuote("cluster_"+names[k]))
		fmt.Fprintf(b, "\t\tlabel=%s;\n", dotQuote(fmt.Sprintf("%s (%s:%d)", g.Coroutine, filepath.Base(g.Pos.Filename), g.Pos.Line)))
		fmt.Fprintf(b, "\t\t%s [shape=point];\n", id("entry"))
		fmt.Fprintf(b, "\t\t%s [shape=doublecircle, label=\"done\"];\n", id("done"))
		for i, st := range g.States {
			style := ""
			if st.Wait {
				style = ", style=rounded"
			}
			fmt.Fprintf(b, "\t\t%s [label=%s%s];\n", id(fmt.Sprint(i)), dotQuote(fmt.Sprintf("%d: %s", i, st.Label)), style)
		}
		fmt.Fprintf(b, "\t\t%s -> %s;\n", id("entry"), id("0"))
		for i, st := range g.States {
			from := id(fmt.Sprint(i))
			if st.Wait {
				fmt.Fprintf(b, "\t\t%s -> %s [label=\"not ready\", style=dashed];\n", from, from)
			}
			for _, j := range st.Next {
				fmt.Fprintf(b, "\t\t%s -> %s;\n", from, id(fmt.Sprint(j)))
			}
			if st.Done {
				fmt.Fprintf(b, "\t\t%s -> %s;\n", from, id("done"))
			}
		}
		fmt.Fprintf(b, "\t}\n")
	}
	fmt.Fprintf(b, "}\n")
	return b.Flush()
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
		id := func(i int) string { return fmt.Sprintf("%s_%d", names[k], i) }
		fmt.Fprintf(b, "\tstate %s {\n", names[k])
		fmt.Fprintf(b, "\t\t%%%% %s (%s:%d)\n", g.Coroutine, filepath.Base(g.Pos.Filename), g.Pos.Line)
		for i, st := range g.States {
			fmt.Fprintf(b, "\t\tstate \"%s\" as %s\n", mermaidText(fmt.Sprintf("%d: %s", i, st.Label)), id(i))
		}
		fmt.Fprintf(b, "\t\t[*] --> %s\n", id(0))
		for i, st := range g.States {
			if st.Wait {
				fmt.Fprintf(b, "\t\t%s --> %s : not ready\n", id(i), id(i))
			}
			for _, j := range st.Next {
				fmt.Fprintf(b, "\t\t%s --> %s\n", id(i), id(j))
			}
			if st.Done {
				fmt.Fprintf(b, "\t\t%s --> [*]\n", id(i))
			}
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
