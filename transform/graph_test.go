package transform

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// checkGraphs checks what every state graph must satisfy: edges lead to
// existing states and both writers accept the graph. With reachable, it
// also checks that every state can be reached from state 0: true of every
// coroutine without unreachable code of its own (a state that cannot be
// reached is then dead code of corofy's making).
func checkGraphs(graphs []Graph, reachable bool) error {
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
	if err := checkGraphs(graphs, true); err != nil {
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
