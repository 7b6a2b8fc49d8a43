package randprog

import (
	"bytes"
	"fmt"
	"strings"
)

// topLevel is the state of TopLevelRuns: the runs of plain declarations,
// and the expressions main prints of them.
type topLevel struct {
	n      int
	runs   []string
	prints []string
}

// topLevelRun writes to out, before a coroutine (or main), the mark of a
// run of plain declarations, or nothing. The program is formatted with
// the mark, which putTopLevel then replaces with the run: a layout gofmt
// would change (a comment on the line right after a declaration, and a
// coroutine right after it) is one users write and corofy must keep.
func (g *gen) topLevelRun(out *bytes.Buffer) {
	if run := g.topLevelDecls(); run != "" {
		fmt.Fprintf(out, "%s%d\n", topLevelMark, len(g.top.runs))
		g.top.runs = append(g.top.runs, run)
	}
}

// topLevelMark starts the line that stands for a run while the program
// is formatted.
const topLevelMark = "//randprog:toplevel "

// putTopLevel returns the formatted program src with each mark replaced
// by its run.
func (g *gen) putTopLevel(src []byte) []byte {
	for i, run := range g.top.runs {
		mark := fmt.Sprintf("%s%d\n", topLevelMark, i)
		if !bytes.Contains(src, []byte(mark)) {
			panic(fmt.Sprintf("randprog: the formatted program has no %q", mark))
		}
		src = bytes.Replace(src, []byte(mark), []byte(run), 1)
	}
	return src
}

// topLevelDecls returns a run of plain declarations, each followed by a
// newline, with the comments TopLevelRuns describes; "" for none. Every
// comment is unique, so that the random test can find it in the
// generated code.
func (g *gen) topLevelDecls() string {
	if !g.f.Has(TopLevelRuns) || g.chance(0.3) {
		return ""
	}
	var b strings.Builder
	for range 1 + g.intn(4) {
		g.top.n++
		name := fmt.Sprintf("tl%d", g.top.n)
		if g.chance(0.3) {
			fmt.Fprintf(&b, "// %s is a plain declaration.\n", name)
		}
		trailing := ""
		if g.chance(0.3) {
			trailing = fmt.Sprintf(" // at the end of %s.", name)
		}
		if g.f.Has(Semicolons) && g.chance(0.4) {
			trailing = ";" + trailing // an explicit end, as old Go code writes it
		}
		switch g.intn(9) {
		case 0:
			fmt.Fprintf(&b, "var %s = %d%s\n", name, g.intn(100), trailing)
			g.top.prints = append(g.top.prints, name)
		case 8: // shorter than a placeholder's name (see TopLevelRuns)
			fmt.Fprintf(&b, "var %s int%s\n", name, trailing)
			g.top.prints = append(g.top.prints, name)
		case 1:
			fmt.Fprintf(&b, "const %s = %q%s\n", name, g.id("s"), trailing)
			g.top.prints = append(g.top.prints, name)
		case 2:
			fmt.Fprintf(&b, "type %s int%s\n", name, trailing)
			g.top.prints = append(g.top.prints, fmt.Sprintf("%s(%d)", name, g.intn(10)))
		case 3:
			fmt.Fprintf(&b, "var (\n\t%sa = %d // in %s.\n\t%sb = %sa + 1\n)%s\n", name, g.intn(10), name, name, name, trailing)
			g.top.prints = append(g.top.prints, name+"a", name+"b")
		case 4:
			fmt.Fprintf(&b, "const (\n\t%sa = iota\n\t%sb\n)%s\n", name, name, trailing)
			g.top.prints = append(g.top.prints, name+"a", name+"b")
		case 5:
			fmt.Fprintf(&b, "func %s() int { return %d }%s\n", name, g.intn(100), trailing)
			g.top.prints = append(g.top.prints, name+"()")
		case 6:
			fmt.Fprintf(&b, "func %s(x int) string {\n\t// inside %s.\n\treturn fmt.Sprint(\"%s\", x)\n}%s\n", name, name, name, trailing)
			g.top.prints = append(g.top.prints, fmt.Sprintf("%s(%d)", name, g.intn(10)))
		case 7:
			fmt.Fprintf(&b, "type %s struct{ n int }%s\n\nfunc (t %s) get() int { return t.n + 1 }\n", name, trailing, name)
			g.top.prints = append(g.top.prints, fmt.Sprintf("%s{%d}.get()", name, g.intn(10)))
		}
		switch {
		case g.chance(0.3):
			fmt.Fprintf(&b, "// right after %s.\n", name)
		case g.chance(0.2):
			fmt.Fprintf(&b, "\n/* floating, after %s. */\n", name)
		}
		if g.chance(0.7) {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// topLevelPrint writes main's line that prints what the plain
// declarations declare.
func (g *gen) topLevelPrint() {
	if len(g.top.prints) > 0 {
		g.line("fmt.Println(%q, %s)", "top level", strings.Join(g.top.prints, ", "))
	}
}
