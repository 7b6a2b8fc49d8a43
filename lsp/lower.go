package lsp

import (
	"go/ast"
	goparser "go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/corofy/corofy/parser"
)

// A lowering is a .gocoro source and the Go file gopls sees for it: the
// reference form of package parser, written as edits of the source text
// so that everything the user wrote keeps its bytes, in order, and only
// short runs of text are inserted between them:
//
//	coroutine func F(p P) R { body }
//	         func F(p P) RT.Future[R] { return RT.Lazy(func() R { body })}
//	x.wait
//	RT.Await(x)
//
// where RT is the runtime package under a name the file does not use. The
// word "coroutine" becomes spaces; the result list stays where it is, as
// the result list of the function literal, and a copy of its types makes
// the Future's type argument. The position map (see posmap.go) relates the
// two texts.
type lowering struct {
	src    []byte // the .gocoro text
	goSrc  []byte // the lowered Go text
	m      posMap
	rtName string // the runtime's name in goSrc, "" if not imported
	// errs are corofy's own diagnostics, parser.ParseFile's errors, when
	// lower made it; see docState.errs.
	errs scanner.ErrorList
	// bodies are the source spans of the coroutine bodies, braces included.
	bodies [][2]int
	// headers are the source spans from a coroutine's result list (or
	// body, without results) to its body's "{": the lowering copies them.
	headers [][2]int
	// pkg is the offset where the import of the runtime is inserted, or -1.
	pkg int
	// waits are the lowered waits.
	waits []wait
}

// A wait is a lowered x.wait.
type wait struct {
	x     int    // source offset of the future x
	word  [2]int // source span of the word "wait"
	await string // the runtime function it calls, Await or AwaitN
}

// An edit replaces src[off:off+del] by text.
type edit struct {
	off, del int
	text     string
	span     int // for ordering: the end of the construct the edit starts
}

// lower lowers the .gocoro source src, named filename in diagnostics, and
// gathers corofy's errors about it (lowerGo, then parseErrors).
func lower(filename string, src []byte) *lowering {
	l := lowerGo(filename, src)
	l.errs = parseErrors(filename, src)
	return l
}

// parseErrors returns the errors parser.ParseFile finds in src.
func parseErrors(filename string, src []byte) scanner.ErrorList {
	errs, _ := check(filename, src)
	return errs
}

// check returns the errors parser.ParseFile finds in src or, when there
// are none, src's lowering, made from what the parser found (its
// coroutines and waits) rather than from a parse of its own: the same as
// lowerGo's (TestLoweringFromParsed), at the cost of one parse for both.
func check(filename string, src []byte) (scanner.ErrorList, *lowering) {
	fset := token.NewFileSet()
	pf, err := parser.ParseFile(fset, filename, src)
	if err == nil {
		l := &lowering{src: src, pkg: -1}
		l.fromParsed(fset, pf)
		return nil, l
	}
	if list, ok := err.(scanner.ErrorList); ok {
		return list, nil
	}
	var list scanner.ErrorList
	list.Add(token.Position{Filename: filename, Line: 1, Column: 1}, err.Error())
	return list, nil
}

// fromParsed lowers the file pf that parser.ParseFile returned.
func (l *lowering) fromParsed(fset *token.FileSet, pf *parser.File) {
	tf := fset.File(pf.AST.FileStart)
	// The parser's lowered tree has its own import of the runtime if it
	// added one, under a name the source does not use: that name.
	l.rtName = pf.RuntimeName
	if pf.AddedImport == nil {
		l.rtName = unusedName(pf.AST, "corofyruntime")
	}
	lw := &lowerer{tf: tf, src: pf.Go, rt: l.rtName}
	var edits []edit
	for _, co := range pf.Coroutines {
		edits = append(edits, edit{off: tf.Offset(co.Keyword), del: len("coroutine"), text: "         "})
		if !lw.decl(co.Results, co.Lit.Body) {
			continue
		}
		for _, w := range co.Waits {
			lw.wait(w.Call.Args[0], w.Pos, w.Pos+token.Pos(len("wait")), w.N)
		}
	}
	edits = l.finish(pf.AST, lw, edits)
	l.goSrc, l.m = apply(pf.Go, sortEdits(edits))
}

// lowerGo lowers src without corofy's checks (l.errs is nil). It lowers
// what it can even when the source has errors: gopls then still sees a Go
// file close to what the user typed.
func lowerGo(filename string, src []byte) *lowering {
	l := &lowering{src: src, pkg: -1}
	blanked, keywords, _ := parser.BlankKeywords(filename, src)
	fset := token.NewFileSet()
	f, _ := goparser.ParseFile(fset, filename, blanked, goparser.SkipObjectResolution)
	// The word "coroutine" is blanked: it is not Go, and stands for nothing
	// in the Go text.
	var edits []edit
	for _, kw := range keywords {
		edits = append(edits, edit{off: kw.Offset, del: len("coroutine"), text: "         "})
	}
	if f != nil {
		tf := fset.File(f.FileStart)
		l.rtName = unusedName(f, "corofyruntime")
		lw := &lowerer{tf: tf, src: blanked, rt: l.rtName}
		lw.file(f, keywords)
		edits = l.finish(f, lw, edits)
	}
	l.goSrc, l.m = apply(blanked, sortEdits(edits))
	return l
}

// finish adds the lowerer's edits to edits, and the import of the runtime
// if they use it.
func (l *lowering) finish(f *ast.File, lw *lowerer, edits []edit) []edit {
	edits = append(edits, lw.edits...)
	slices.SortFunc(lw.found, func(a, b wait) int { return a.word[0] - b.word[0] })
	l.bodies, l.headers, l.waits = lw.bodies, lw.headers, lw.found
	l.pkg = -1
	if len(lw.edits) > 0 && f.Name != nil && f.Name.Name != "_" && f.Name.End().IsValid() {
		l.pkg = lw.off(f.Name.End())
		edits = append(edits, edit{off: l.pkg, text: "; import " + l.rtName + " " + strconv.Quote(parser.RuntimePath)})
	} else {
		l.rtName = ""
	}
	return edits
}

// sortEdits sorts edits by offset; of two insertions at one offset, the
// one of the larger construct comes first (RT.Await(RT.Await(x))).
func sortEdits(edits []edit) []edit {
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.off != b.off {
			return a.off - b.off
		}
		return b.span - a.span
	})
	return edits
}

// inBody reports whether the source offset off is inside a coroutine body.
func (l *lowering) inBody(off int) bool {
	for _, b := range l.bodies {
		if off > b[0] && off < b[1] {
			return true
		}
	}
	return false
}

// waitAt returns the wait whose word "wait" holds the source offset off.
func (l *lowering) waitAt(off int) (wait, bool) {
	for _, w := range l.waits {
		if off >= w.word[0] && off <= w.word[1] {
			return w, true
		}
	}
	return wait{}, false
}

// unusedName returns base, or base followed by a number, whichever first
// is no identifier of f.
func unusedName(f *ast.File, base string) string {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			used[id.Name] = true
		}
		return true
	})
	name := base
	for i := 2; used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	return name
}

// A lowerer gathers the edits that lower one file.
type lowerer struct {
	tf      *token.File
	src     []byte // Go syntax: the source with "coroutine" blanked
	rt      string
	edits   []edit
	bodies  [][2]int
	headers [][2]int
	found   []wait
}

func (l *lowerer) off(p token.Pos) int { return l.tf.Offset(p) }

// file lowers the coroutine declarations of f and every .wait.
func (l *lowerer) file(f *ast.File, keywords []parser.Keyword) {
	isCoroutine := map[int]bool{}
	for _, kw := range keywords {
		isCoroutine[kw.Func] = true
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok && fd.Body != nil && fd.Type != nil && isCoroutine[l.off(fd.Type.Func)] {
			l.coroutine(fd)
			continue
		}
		// A .wait outside a coroutine is corofy's error to report; it is
		// lowered all the same so that gopls does not report it again.
		l.waits(d, 0)
	}
}

// coroutine lowers one coroutine declaration and the waits of its body.
func (l *lowerer) coroutine(fd *ast.FuncDecl) {
	// The results, for the waits in return statements: one per name.
	n := 0
	if fd.Type.Results != nil {
		n = fd.Type.Results.NumFields()
	}
	l.decl(fd.Type.Results, fd.Body) // with more than three results, corofy reports it
	l.waits(fd.Body, n)
}

// decl lowers the declaration of a coroutine whose result list (as
// written) is results and whose body is body; it reports false, and does
// nothing, for more than three results.
func (l *lowerer) decl(results *ast.FieldList, body *ast.BlockStmt) bool {
	var types []string
	if results != nil {
		for _, field := range results.List {
			t := string(l.src[l.off(field.Type.Pos()):l.off(field.Type.End())])
			for range max(len(field.Names), 1) {
				types = append(types, t)
			}
		}
	}
	n := len(types)
	var out, lazy string
	switch {
	case n == 0:
		out, lazy = "struct{}", "Lazy0"
	case n == 1:
		out, lazy = types[0], "Lazy"
	case n <= 3:
		out = l.rt + ".Tuple" + strconv.Itoa(n) + "[" + strings.Join(types, ", ") + "]"
		lazy = "Lazy" + strconv.Itoa(n)
	default:
		return false
	}
	at := body.Lbrace
	if results != nil {
		at = results.Pos()
	}
	l.edits = append(l.edits, edit{off: l.off(at), text: l.rt + ".Future[" + out + "] { return " + l.rt + "." + lazy + "(func() "})
	l.bodies = append(l.bodies, [2]int{l.off(body.Lbrace), l.off(body.Rbrace) + 1})
	l.headers = append(l.headers, [2]int{l.off(at), l.off(body.Lbrace) + 1})
	l.edits = append(l.edits, edit{off: l.off(body.Rbrace) + 1, text: ")}"})
	return true
}

// wait lowers one x.wait, whose word "wait" spans sel to selEnd, standing
// for n values (0 or 1 for one).
func (l *lowerer) wait(x ast.Expr, sel, selEnd token.Pos, n int) {
	await := "Await"
	if n >= 2 {
		await += strconv.Itoa(n)
	}
	l.edits = append(l.edits,
		edit{off: l.off(x.Pos()), text: l.rt + "." + await + "(", span: l.off(selEnd)},
		edit{off: l.off(x.End()), del: l.off(selEnd) - l.off(x.End()), text: ")"})
	l.found = append(l.found, wait{x: l.off(x.Pos()), word: [2]int{l.off(sel), l.off(selEnd)}, await: await})
}

// waits lowers every x.wait below n: "RT.Await(" before x, and ".wait"
// replaced by ")". A wait that stands for several values (a, b := x.wait,
// or return x.wait in a coroutine with results results) calls AwaitN.
func (l *lowerer) waits(n ast.Node, results int) {
	multi := map[ast.Expr]int{}
	mark := func(rhs []ast.Expr, n int) {
		if len(rhs) == 1 && n >= 2 && n <= 3 {
			multi[rhs[0]] = n
		}
	}
	depth := 0 // function literals entered
	var stack []ast.Node
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil {
			if _, ok := stack[len(stack)-1].(*ast.FuncLit); ok {
				depth--
			}
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.FuncLit:
			depth++
		case *ast.AssignStmt:
			mark(n.Rhs, len(n.Lhs))
		case *ast.ValueSpec:
			mark(n.Values, len(n.Names))
		case *ast.ReturnStmt:
			if depth == 0 {
				mark(n.Results, results)
			}
		case *ast.SelectorExpr:
			if n.Sel != nil && n.Sel.Name == "wait" && n.X != nil {
				l.wait(n.X, n.Sel.Pos(), n.Sel.End(), multi[n])
			}
		}
		return true
	})
}

// apply returns src with the edits, sorted by offset, applied, and the
// map between the two texts.
func apply(src []byte, edits []edit) ([]byte, posMap) {
	out := make([]byte, 0, len(src)+len(edits)*24)
	var m posMap
	prev := 0
	for _, e := range edits {
		if e.off < prev {
			continue // overlapping edits cannot come from a parsed file
		}
		m.segs = append(m.segs, segment{src: prev, dst: len(out), n: e.off - prev})
		out = append(out, src[prev:e.off]...)
		out = append(out, e.text...)
		prev = e.off + e.del
	}
	m.segs = append(m.segs, segment{src: prev, dst: len(out), n: len(src) - prev})
	out = append(out, src[prev:]...)
	return out, m
}
