package transform

import (
	"bytes"
	"fmt"
	"go/printer"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// This file prints what each pass made of one coroutine, for the next
// person who works on the transform (see "The passes" in doc.go). Like
// the compiler's GOSSAFUNC, it is asked for with an environment variable:
//
//	COROFY_DUMP=asyncMain corofy main.gocoro
//
// prints to standard error, for the coroutine asyncMain (a method is
// T.M; a pattern of path.Match, such as "*", names several): the body
// after desugaring; the ordered and cut body, state by state, with its
// jumps and waits; and the storage of every variable. The generated file
// is the last form. The output is for people and may change at any time.

// dumpVar is the environment variable that names the coroutines to dump.
const dumpVar = "COROFY_DUMP"

// dumper writes the forms of one machine; a nil dumper writes nothing.
type dumper struct {
	w io.Writer
	m *machine
}

// newDumper returns the dumper of m, or nil when COROFY_DUMP does not
// name it.
func newDumper(m *machine) *dumper {
	pattern := os.Getenv(dumpVar)
	if pattern == "" {
		return nil
	}
	if ok, err := path.Match(pattern, m.name); !ok || err != nil {
		return nil
	}
	return &dumper{w: os.Stderr, m: m}
}

// desugared prints the body after the desugaring pass and lift.go.
func (d *dumper) desugared() {
	if d == nil {
		return
	}
	fmt.Fprintf(d.w, "== %s: desugared (%s)\n", d.m.name, d.m.pos)
	for _, s := range d.m.decl.Body.List {
		fmt.Fprintln(d.w, indent(d.text(s), "\t"))
	}
	for _, decl := range d.m.lifted {
		fmt.Fprintf(d.w, "lifted to package level:\n%s\n", indent(d.text(decl), "\t"))
	}
}

// states prints the body ordered and cut into states: each state's
// statements, with jumps written "goto state N".
func (d *dumper) states() {
	if d == nil {
		return
	}
	m := d.m
	fmt.Fprintf(d.w, "== %s: ordered and cut into %d states\n", m.name, len(m.states))
	// A jump marker prints as its label: name each after its target for
	// the time of the print.
	for j, st := range m.jumps {
		j.Label = dst.NewIdent(fmt.Sprintf("state%d", st.index))
	}
	defer func() {
		for j := range m.jumps {
			j.Label = dst.NewIdent("corofy·jump")
		}
	}()
	for _, st := range m.states {
		head := fmt.Sprintf("state %d", st.index)
		if st.wait != nil {
			head += fmt.Sprintf(": polls %s (%s) into %s", st.wait.field, st.wait.text, targetName(st.wait))
		} else if st.comment != "" {
			head += ": " + st.comment
		}
		fmt.Fprintln(d.w, head)
		for _, s := range st.stmts {
			fmt.Fprintln(d.w, indent(d.text(s), "\t"))
		}
		var exits []string
		for _, e := range st.exits {
			to := "done"
			if e.to != nil {
				to = fmt.Sprintf("state %d", e.to.index)
			}
			if !slices.Contains(exits, to) {
				exits = append(exits, to)
			}
		}
		fmt.Fprintf(d.w, "\t(ends in %s; exits to %s)\n", st.term.article(), strings.Join(exits, ", "))
	}
}

// targetName names what receives a wait's output.
func targetName(wp *waitPoint) string {
	if wp.target == nil {
		return "_"
	}
	return wp.target.Name()
}

// storage prints where each variable lives: a field of the machine
// (shared or not, a cell or not), or a local of Poll.
func (d *dumper) storage() {
	if d == nil {
		return
	}
	m := d.m
	fmt.Fprintf(d.w, "== %s: storage\n", m.name)
	for _, v := range m.varsInOrder {
		info := m.vars[v]
		where := "local of Poll"
		switch {
		case info.cell:
			where = "field " + info.field + " (a cell: a pointer to a new variable per declaration)"
		case info.hoisted:
			where = "field " + info.field
		}
		var kinds []string
		for _, k := range []struct {
			on   bool
			name string
		}{{info.param, "parameter"}, {info.result, "result"}, {info.temp, "temporary"}, {info.addr, "address taken"}, {info.inLoop, "per iteration"}} {
			if k.on {
				kinds = append(kinds, k.name)
			}
		}
		line := fmt.Sprintf("\t%s %s: %s", info.name, v.Type(), where)
		if len(kinds) > 0 {
			line += " [" + strings.Join(kinds, ", ") + "]"
		}
		fmt.Fprintln(d.w, line)
	}
	for _, wp := range m.waits {
		fmt.Fprintf(d.w, "\t%s %s: field (the future of %s)\n", wp.field, wp.future, wp.text)
	}
}

// text prints a node of the coroutine as Go; the dump must never fail a
// run, so what cannot be printed says so.
func (d *dumper) text(n dst.Node) (out string) {
	defer func() {
		if p := recover(); p != nil {
			out = fmt.Sprintf("(cannot print %T: %v)", n, p)
		}
	}()
	r := decorator.NewRestorerWithImports(d.m.file.pkg.Path(), mapResolver(packageNames(d.m.file.pkg)))
	f := &dst.File{Name: dst.NewIdent("dump")}
	var wrapped dst.Node
	switch n := n.(type) {
	case dst.Decl:
		f.Decls = []dst.Decl{n}
		wrapped = n
	case dst.Stmt:
		body := &dst.BlockStmt{List: []dst.Stmt{n}}
		f.Decls = []dst.Decl{&dst.FuncDecl{Name: dst.NewIdent("dump"), Type: &dst.FuncType{}, Body: body}}
		wrapped = n
	default:
		return fmt.Sprintf("(%T)", n)
	}
	fr := r.FileRestorer()
	af, err := fr.RestoreFile(f)
	if err != nil {
		return fmt.Sprintf("(cannot print: %v)", err)
	}
	var b bytes.Buffer
	_ = af
	gofmt := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := gofmt.Fprint(&b, fr.Fset, fr.Ast.Nodes[wrapped]); err != nil {
		return fmt.Sprintf("(cannot print: %v)", err)
	}
	return b.String()
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
