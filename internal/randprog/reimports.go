package randprog

import (
	"bytes"
	"fmt"
	"regexp"
)

// Reimports.

// reimportSpecs are the imports Reimports may add, each with a use of
// its own at package level (an import must be used), and the package
// path and name whose uses it may take over (empty for a blank import).
var reimportSpecs = []struct {
	spec, use string
	pkg, name string
}{
	{`ffmt "fmt"`, "var _ = ffmt.Sprint", "fmt", "ffmt"},
	{`_ "fmt"`, "", "", ""},
	{`sconv "strconv"`, "var _ = sconv.Itoa", "strconv", "sconv"},
	{`. "strconv"`, "var _ = Quote", "strconv", ""},
	{`_ "strconv"`, "", "", ""},
	{`rt "github.com/corofy/corofy/runtime"`, "var _ = rt.Ready[int]", "runtime", "rt"},
}

// chooseReimports picks the imports Reimports adds to the program.
func (g *gen) chooseReimports() {
	if !g.f.Has(Reimports) || !g.chance(0.7) {
		return
	}
	for i, s := range reimportSpecs {
		if s.pkg == "runtime" && g.plain && !g.plainRuntime {
			continue
		}
		if g.chance(0.5) {
			g.reimports = append(g.reimports, i)
		}
	}
}

// otherFmt returns the name of another import of fmt, or "".
func (g *gen) otherFmt() string {
	for _, i := range g.reimports {
		if reimportSpecs[i].name == "ffmt" {
			return "ffmt"
		}
	}
	return ""
}

// packageUse matches a use of one of the prelude's packages: fmt.,
// strconv.Itoa( or runtime., not a field's (x.fmt.).
var packageUse = regexp.MustCompile(`(^|[^.\w])(fmt\.|strconv\.Itoa\(|strconv\.|runtime\.)`)

// reimport adds the imports chosen (see chooseReimports) to src, the
// program, before or after its import block, and names each package
// through them in some of its uses.
func (g *gen) reimport(src []byte) []byte {
	if len(g.reimports) == 0 {
		return src
	}
	start := bytes.Index(src, []byte("\nimport (\n")) + 1
	end := start + bytes.Index(src[start:], []byte("\n)\n")) + 3
	// Uses through the imports added, counted by index of reimportSpecs.
	through := map[int]int{}
	// How often a use takes another import: never, in some programs,
	// where only the variables of reimportVar name the package through
	// it.
	rate := []float64{0, 0.1, 0.4}[g.intn(3)]
	for _, i := range g.reimports {
		if name := reimportSpecs[i].name; name != "" {
			through[i] = len(regexp.MustCompile(`(^|[^.\w])`+name+`\.`).FindAll(src[end:], -1))
		}
	}
	rest := packageUse.ReplaceAllFunc(src[end:], func(m []byte) []byte {
		sub := packageUse.FindSubmatch(m)
		use := string(sub[2])
		for _, i := range g.reimports {
			s := reimportSpecs[i]
			if s.pkg == "" || !g.chance(rate) {
				continue
			}
			switch {
			case s.pkg+"." == use && s.name != "":
				through[i]++
				return append(sub[1], s.name+"."...)
			case s.pkg == "strconv" && use == "strconv.Itoa(":
				through[i]++
				if s.name == "" {
					return append(sub[1], "Itoa("...)
				}
				return append(sub[1], s.name+".Itoa("...)
			}
		}
		return m
	})
	var before, after, uses bytes.Buffer
	own := map[string]bool{}
	for _, i := range g.reimports {
		s := reimportSpecs[i]
		if g.chance(0.5) {
			fmt.Fprintf(&before, "import %s\n", s.spec)
		} else {
			fmt.Fprintf(&after, "import %s\n", s.spec)
		}
		// An import the code names nothing through gets a use of its
		// own; one whose only use is the type of a variable kept
		// across a wait (x rt.Future[int]) is not used in the output,
		// which names the type through the package's own import.
		if s.use != "" && (through[i] == 0 || g.chance(0.3)) {
			fmt.Fprintf(&uses, "\n%s\n", s.use)
		}
		if s.pkg != "" && !own[s.pkg] {
			// The uses above may take over every use of the
			// prelude's import: it keeps one.
			own[s.pkg] = true
			fmt.Fprintf(&uses, "\nvar _ = %s\n", map[string]string{"fmt": "fmt.Sprint", "strconv": "strconv.Itoa", "runtime": "runtime.Ready[int]"}[s.pkg])
		}
	}
	var out bytes.Buffer
	out.Write(src[:start])
	out.Write(before.Bytes())
	out.Write(src[start:end])
	out.Write(after.Bytes())
	out.Write(rest)
	out.Write(uses.Bytes())
	return out.Bytes()
}

// reimportVar declares a variable whose type names a package through an
// import Reimports added, sets it, and prints it after a wait: the output
// keeps it in a field whose type names the package through its own
// import, and the import it was declared through may be used nowhere
// else. With the dot import of strconv, the type is a local one named
// like a name the dot import declares (NumError), which the output must
// declare at package level under another.
func (g *gen) reimportVar(c ctx) {
	i := g.reimports[g.intn(len(g.reimports))]
	v, id := g.local("rv"), g.id("rv")
	switch reimportSpecs[i].name {
	case "ffmt":
		g.line("var %s [2]ffmt.Stringer", v)
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s[1] == nil, len(%s))", id, v, v)
	case "sconv":
		g.line("var %s sconv.NumError", v)
		g.line("%s.Num = itoa(%s)", v, g.intExpr(c, 1))
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.Num)", id, v)
	case "rt":
		g.line("var %s rt.Future[int] = rt.Ready(%s)", v, g.intExpr(c, 1))
		g.waitStmt(c)
		g.line("fmt.Println(%q, %s.wait)", id, v)
	case "":
		if reimportSpecs[i].spec == `. "strconv"` {
			// A local type named like a name the dot import declares
			// in the file: kept across the wait, it goes to package
			// level, under another name (so %T is not printed).
			g.line("{")
			g.line("\ttype NumError struct{ n int }")
			g.line("\t%s := NumError{%s}", v, g.intExpr(c, 1))
			g.ind++
			g.waitStmt(c)
			g.ind--
			g.line("\tfmt.Println(%q, %s.n, %s)", id, v, v)
			g.line("}")
			break
		}
		g.waitStmt(c)
	default:
		g.waitStmt(c)
	}
}
