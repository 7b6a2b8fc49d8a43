package transform

import (
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/dave/dst"
)

// The user's comments are part of the program people read, so none is
// lost (TestCommentsKept). A statement copied whole keeps its comments. A
// statement taken apart gives them to the statements made from it: a
// wait's comments go to the statement that stores its future, the first
// of its line; the comments on the parts of an if, a loop, a switch or a
// select that waits (after its opening brace, on a case line, before a
// closing brace) wait in machine.comments for the next statement added,
// which comes from the same source lines.

// salvage returns the comments attached to the parts of n that the
// rewrite does not keep: n's own decorations, and those of its body block
// (not those of the statements inside, which keep theirs).
func salvage(n dst.Node) []string {
	var out []string
	out = append(out, decorationsOf(n)...)
	var body *dst.BlockStmt
	switch n := n.(type) {
	case *dst.IfStmt:
		body = n.Body
	case *dst.ForStmt:
		body = n.Body
	case *dst.RangeStmt:
		body = n.Body
	case *dst.SwitchStmt:
		body = n.Body
	case *dst.TypeSwitchStmt:
		body = n.Body
	case *dst.SelectStmt:
		body = n.Body
	}
	if body != nil {
		out = append(out, decorationsOf(body)...)
	}
	return out
}

// decorationsOf returns every comment of n's decorations, in the order of
// the fields of its Decs (which is the order of the source).
func decorationsOf(n dst.Node) []string {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	var out []string
	p := v.UnsafePointer()
	for _, offset := range decorationFields(v.Type()) {
		for _, c := range *(*dst.Decorations)(unsafe.Add(p, offset)) {
			if c != "\n" && c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// decorationFields returns the offsets of the dst.Decorations fields in
// the Decs of a node struct to which t is a pointer, in the order of the
// fields, found once per type: the comments of every node of the output
// are read through them (keepAllComments). (Through reflect's
// FieldByIndex, and a sync.Map of the paths, reading them was 2% of the
// CPU corofy used on 1,000 coroutines.)
func decorationFields(t reflect.Type) []uintptr {
	if offsets, ok := (*decorationOffsets.Load())[t]; ok {
		return offsets
	}
	var offsets []uintptr
	if decs, ok := t.Elem().FieldByName("Decs"); ok {
		var walk func(t reflect.Type, offset uintptr)
		walk = func(t reflect.Type, offset uintptr) {
			switch {
			case t == reflect.TypeFor[dst.Decorations]():
				offsets = append(offsets, offset)
			case t.Kind() == reflect.Struct:
				for i := range t.NumField() {
					walk(t.Field(i).Type, offset+t.Field(i).Offset)
				}
			}
		}
		walk(decs.Type, decs.Offset)
	}
	decorationMu.Lock()
	defer decorationMu.Unlock()
	m := maps.Clone(*decorationOffsets.Load())
	m[t] = offsets
	decorationOffsets.Store(&m)
	return offsets
}

// decorationOffsets maps a pointer type to a node struct to the offsets
// of its decorations (see decorationFields). It is read without a lock,
// and replaced by a copy with one type more, under decorationMu.
var (
	decorationOffsets atomic.Pointer[map[reflect.Type][]uintptr]
	decorationMu      sync.Mutex
)

func init() {
	decorationOffsets.Store(&map[reflect.Type][]uintptr{})
}

// keepComments holds comments for the next statement added (see add).
func (m *machine) keepComments(comments []string) {
	m.comments = append(m.comments, comments...)
}

// sourceComment is a comment of the coroutine's source, with the line of
// the node it is attached to.
type sourceComment struct {
	text string
	line int
}

// sourceComments returns the comments of the coroutine's declaration, in
// source order. build takes them before the rewrite.
func (m *machine) sourceComments() []sourceComment {
	var out []sourceComment
	dst.Inspect(m.decl, func(n dst.Node) bool {
		if n == nil {
			return false
		}
		if cs := decorationsOf(n); len(cs) > 0 {
			line := 0
			if m.astOf(n) != nil {
				line = m.position(n).Line
			}
			for _, c := range cs {
				out = append(out, sourceComment{text: c, line: line})
			}
		}
		return true
	})
	return out
}

// keepAllComments is the invariant of this file, checked once the
// declarations are written: a comment of the source that none of decls
// has (counting repeated texts) goes before the first statement of Poll
// that comes from its line or a later one. The rewrites place most
// comments better; this makes sure that none is lost, whatever statement
// shape carried it.
func (m *machine) keepAllComments(want []sourceComment, decls []dst.Decl) {
	if len(want) == 0 {
		return
	}
	have := map[string]int{}
	var poll *dst.FuncDecl
	for _, d := range decls {
		dst.Inspect(d, func(n dst.Node) bool {
			if n == nil {
				return false
			}
			for _, c := range decorationsOf(n) {
				have[c]++
			}
			return true
		})
		if fd, ok := d.(*dst.FuncDecl); ok && fd.Recv != nil && fd.Name.Name == "Poll" {
			poll = fd
		}
	}
	if poll == nil {
		return
	}
	// Poll's statements in the order they are printed, with their lines.
	type placed struct {
		s    dst.Stmt
		line int
	}
	var stmts []placed
	var visit func(list []dst.Stmt)
	visit = func(list []dst.Stmt) {
		for _, s := range list {
			stmts = append(stmts, placed{s, m.stmtPosition(s).Line})
			forEachList(s, visit)
		}
	}
	visit(poll.Body.List)
	if len(stmts) == 0 {
		return
	}
	// The last occurrences of a text are the ones taken as missing.
	for i := len(want) - 1; i >= 0; i-- {
		c := want[i]
		if have[c.text] > 0 {
			have[c.text]--
			continue
		}
		to := stmts[len(stmts)-1].s
		for _, p := range stmts {
			if p.line >= c.line && p.line > 0 {
				to = p.s
				break
			}
		}
		d := to.Decorations()
		dir, directed := m.directed[to]
		if directed {
			// The statement's directive was counted for the comments it
			// had: it is written again for those it has now.
			if i := slices.Index(d.Start, dir.text); i >= 0 {
				d.Start = slices.Delete(d.Start, i, i+1)
			}
		}
		d.Start = append(dst.Decorations{c.text}, d.Start...)
		d.Before = dst.NewLine
		if directed {
			m.writeDirective(to, dir.pos)
		}
	}
}
