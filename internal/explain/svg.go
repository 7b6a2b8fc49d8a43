package explain

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/corofy/corofy/transform"
)

// The state graph is drawn by a small layered layout of its own rather
// than by Graphviz: a machine's states come in the order of its code, so
// ranking them by the longest path over forward edges and routing the
// other edges round the side (jumps back on the right, jumps over states
// on the left) draws it readably, in a few hundred lines of Go and no
// dependency. github.com/goccy/go-graphviz (Graphviz compiled to
// WebAssembly, run by wazero) builds without cgo, but brings eight
// modules and makes a program that renders one graph 11 MB.

const (
	charW    = 7.2 // width of a character at the graph's font size
	nodeH    = 34.0
	rowGap   = 46.0
	colGap   = 28.0
	maxLabel = 34 // characters of a state's label shown in its box
	maxEdge  = 26 // characters of an edge's condition shown
)

type svgNode struct {
	x, y, w, h float64 // centre and size
	rank       int
}

// graphSVG draws one coroutine's state graph as an SVG element. The nodes
// carry data-co and data-st (GraphDone for the end), the edges data-from
// and data-to, for the page's script.
func graphSVG(g transform.Graph, idx int) string {
	n := len(g.States)
	nodes := make([]svgNode, n+2) // states, then done (n), then entry (n+1)
	done, entry := n, n+1
	at := func(to int) int {
		if to == transform.GraphDone {
			return done
		}
		return to
	}
	// Ranks: the longest path from the entry over forward edges.
	rank := make([]int, n+2)
	for i := range rank {
		rank[i] = -1
	}
	rank[entry] = 0
	if n > 0 {
		rank[0] = 1
	}
	for i, st := range g.States {
		if rank[i] < 0 {
			rank[i] = 1
			if i > 0 {
				rank[i] = rank[i-1] + 1
			}
		}
		for _, e := range st.Edges {
			if t := at(e.To); t == done || t > i {
				rank[t] = max(rank[t], rank[i]+1)
			}
		}
	}
	// The end goes below every state.
	rank[done] = 1
	for i := range n {
		rank[done] = max(rank[done], rank[i]+1)
	}
	rows := map[int][]int{}
	maxRank := 0
	for i, r := range rank {
		rows[r] = append(rows[r], i)
		maxRank = max(maxRank, r)
	}
	labels := make([]string, n+2)
	for i, st := range g.States {
		labels[i] = fmt.Sprintf("%d: %s", i, st.Label)
		nodes[i].w = math.Max(70, float64(min(len([]rune(labels[i])), maxLabel))*charW+20)
		nodes[i].h = nodeH
	}
	nodes[done].w, nodes[done].h = 36, 36
	nodes[entry].w, nodes[entry].h = 10, 10
	// Rows, each centred on the widest.
	// A waiting state has its "not ready" loop and label on its right:
	// room for them before the next state of its row.
	gapAfter := func(i int) float64 {
		if i < n && g.States[i].Wait {
			return colGap + 80
		}
		return colGap
	}
	width := 0.0
	rowW := map[int]float64{}
	for r := 0; r <= maxRank; r++ {
		w := 0.0
		for k, i := range rows[r] {
			if k > 0 {
				w += gapAfter(rows[r][k-1])
			}
			w += nodes[i].w
		}
		rowW[r] = w
		width = math.Max(width, w)
	}
	y := 10.0
	for r := 0; r <= maxRank; r++ {
		h := 0.0
		for _, i := range rows[r] {
			h = math.Max(h, nodes[i].h)
		}
		x := (width - rowW[r]) / 2
		for _, i := range rows[r] {
			nodes[i].x = x + nodes[i].w/2
			nodes[i].y = y + h/2
			nodes[i].rank = r
			x += nodes[i].w + gapAfter(i)
		}
		y += h + rowGap
	}
	height := y - rowGap + 10

	var b strings.Builder
	minX, maxX := 0.0, width
	grow := func(x0, x1 float64) {
		minX = math.Min(minX, x0)
		maxX = math.Max(maxX, x1)
	}
	var edges, labelsSVG strings.Builder
	left, right := 0, 0
	edge := func(from, to int, label, class string) {
		a, c := nodes[from], nodes[to]
		var d string
		var lx, ly float64
		anchor := "middle"
		switch {
		case from == to: // a wait's "not ready": Poll returns and comes back
			x0 := a.x + a.w/2
			d = fmt.Sprintf("M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f", x0, a.y-8, x0+34, a.y-22, x0+34, a.y+22, x0, a.y+8)
			lx, ly, anchor = x0+30, a.y+4, "start"
		case c.rank == a.rank+1:
			d = fmt.Sprintf("M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f", a.x, a.y+a.h/2, a.x, a.y+a.h/2+rowGap/2, c.x, c.y-c.h/2-rowGap/2, c.x, c.y-c.h/2)
			lx, ly, anchor = (a.x+c.x)/2+6, (a.y+a.h/2+c.y-c.h/2)/2+4, "start"
		case c.rank > a.rank && a.x > width/2+1: // over other states, from the right half: round the right
			right++
			x0, x1 := a.x+a.w/2, c.x+c.w/2
			cx := math.Max(x0, x1)
			for _, o := range nodes {
				if o.rank > a.rank && o.rank < c.rank {
					cx = math.Max(cx, o.x+o.w/2)
				}
			}
			cx = bulge(math.Max(x0, x1), cx+14+12*float64(right))
			d = fmt.Sprintf("M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f", x0, a.y, cx, a.y, cx, c.y, x1, c.y)
			lx, ly, anchor = cx-4, (a.y+c.y)/2, "start"
		case c.rank > a.rank: // over other states: round the left
			left++
			x0, x1 := a.x-a.w/2, c.x-c.w/2
			cx := math.Min(x0, x1)
			for _, o := range nodes {
				if o.rank > a.rank && o.rank < c.rank {
					cx = math.Min(cx, o.x-o.w/2)
				}
			}
			cx = bulge(math.Min(x0, x1), cx-14-12*float64(left))
			d = fmt.Sprintf("M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f", x0, a.y, cx, a.y, cx, c.y, x1, c.y)
			lx, ly, anchor = cx+4, (a.y+c.y)/2, "end"
		default: // back: round the right
			right++
			x0, x1 := a.x+a.w/2, c.x+c.w/2
			cx := math.Max(x0, x1)
			for _, o := range nodes {
				if o.rank >= c.rank && o.rank <= a.rank {
					cx = math.Max(cx, o.x+o.w/2)
				}
			}
			cx = bulge(math.Max(x0, x1), cx+20+12*float64(right))
			d = fmt.Sprintf("M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f", x0, a.y, cx, a.y, cx, c.y, x1, c.y)
			lx, ly, anchor = cx-4, (a.y+c.y)/2, "start"
		}
		toSt := to
		if to == done {
			toSt = transform.GraphDone
		}
		fromSt := from
		if from == entry {
			fromSt = -2
		}
		fmt.Fprintf(&edges, `<path class="edge%s" data-from="%d" data-to="%d" d="%s" marker-end="url(#arrow%d)"/>`+"\n", class, fromSt, toSt, d, idx)
		if label != "" {
			shown := label
			if r := []rune(shown); len(r) > maxEdge {
				shown = string(r[:maxEdge-1]) + "…"
			}
			lw := float64(len([]rune(shown))) * charW * 0.85
			switch anchor {
			case "start":
				grow(lx, lx+lw)
			case "end":
				grow(lx-lw, lx)
			}
			fmt.Fprintf(&labelsSVG, `<text class="elabel" x="%.1f" y="%.1f" text-anchor="%s"><title>%s</title>%s</text>`+"\n", lx, ly, anchor, html.EscapeString(label), html.EscapeString(shown))
		}
		if from != to {
			cx := 0.0
			if strings.Contains(d, "C") {
				fmt.Sscanf(d[strings.Index(d, "C")+1:], "%f", &cx)
			}
			grow(cx, cx)
		} else {
			grow(a.x, a.x+a.w/2+40)
		}
	}
	if n > 0 {
		edge(entry, 0, "", "")
	}
	for i, st := range g.States {
		if st.Wait {
			edge(i, i, "not ready", " notready")
		}
		for _, e := range st.Edges {
			edge(i, at(e.To), e.When, "")
		}
	}
	minX -= 10
	maxX += 10
	fmt.Fprintf(&b, `<svg class="graph" data-co="%s" viewBox="%.1f 0 %.1f %.1f" width="%.0f" height="%.0f">`+"\n",
		html.EscapeString(g.Coroutine), minX, maxX-minX, height, maxX-minX, height)
	fmt.Fprintf(&b, `<defs><marker id="arrow%d" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="arrowhead"/></marker></defs>`+"\n", idx)
	b.WriteString(edges.String())
	for i := range g.States {
		nd := nodes[i]
		class := "node"
		rx := 3.0
		if g.States[i].Wait {
			class += " wait"
			rx = 14
		}
		shown := labels[i]
		if r := []rune(shown); len(r) > maxLabel {
			shown = string(r[:maxLabel-1]) + "…"
		}
		fmt.Fprintf(&b, `<g class="%s" data-co="%s" data-st="%d"><title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%.0f"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`+"\n",
			class, html.EscapeString(g.Coroutine), i, html.EscapeString(labels[i]), nd.x-nd.w/2, nd.y-nd.h/2, nd.w, nd.h, rx, nd.x, nd.y+4, html.EscapeString(shown))
	}
	d := nodes[done]
	fmt.Fprintf(&b, `<g class="node done" data-co="%s" data-st="%d"><title>done: the coroutine has returned</title><circle cx="%.1f" cy="%.1f" r="17"/><circle cx="%.1f" cy="%.1f" r="13"/><text x="%.1f" y="%.1f" text-anchor="middle">done</text></g>`+"\n",
		html.EscapeString(g.Coroutine), transform.GraphDone, d.x, d.y, d.x, d.y, d.x, d.y+4)
	e := nodes[entry]
	fmt.Fprintf(&b, `<circle class="entry" cx="%.1f" cy="%.1f" r="5"/>`+"\n", e.x, e.y)
	b.WriteString(labelsSVG.String())
	b.WriteString("</svg>")
	return b.String()
}

// bulge returns the x of the control points of a cubic from and to x0
// (both control points at that x) whose curve reaches x: it reaches three
// quarters of the way to its control points.
func bulge(x0, x float64) float64 { return x0 + (x-x0)/0.75 }
