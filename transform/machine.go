package transform

import (
	"fmt"
	"go/scanner"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	cparser "github.com/corofy/corofy/parser"
	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// A machine is one coroutine being turned into a state machine (see
// "Theory of operation" in doc.go). Building it has three steps: compile
// the body into states joined by jumps (flow.go), with expressions put in
// the ordered form (order.go) and cut at their waits (split.go); decide
// which variables live in the machine and which fields they share
// (vars.go); write each state's case of Poll (lower.go); and assemble the
// declarations around them (emit.go). The passes are listed in doc.go.
type machine struct {
	*typed
	file *fileTransform
	decl *dst.FuncDecl // the coroutine's declaration in the clean parse

	name     string         // "asyncMain", or "T.M" for a method
	typeName string         // asyncMainCoroutine
	pos      token.Position // of the declaration
	result   types.Type     // the single result type, nil when none
	// resultField is the result type as the user wrote it.
	resultField dst.Expr
	results     int // the number of results when several (result is then a runtime.TupleN)

	states          []*state // in case order
	current         *state   // the state being filled
	waits           []*waitPoint
	jumps           map[*dst.BranchStmt]*state     // jump markers (see flow.go)
	targets         []*target                      // enclosing loops, switches, selects
	loopDepth       int                            // enclosing transformed loops
	flat            *namer                         // names of variables declared at state level
	iterationCopies map[*dst.ExprStmt][]*types.Var // markers of copyIterationVars
	cellRefs        map[*varInfo]string            // see bindCellRefs
	sharers         map[*varInfo][]*varInfo        // variables stored in the field of another (see share)
	liveIn          []bitset                       // per state, the variables live into it (by varIndex), from decideStorage
	varIndex        map[*types.Var]int             // a variable's place in order
	stateVars       [][]*types.Var                 // per state, the variables it names, in order (see lower)
	cases           []dst.Stmt                     // Poll's cases, from lower
	gotoTargets     map[string]bool                // labels some goto jumps to
	labels          map[string]*state              // the states of those labels
	refBound        map[*varInfo]bool              // bound in the case being written
	stringSizes     map[*state]*types.Var          // rune sizes of range loops over strings
	vars            map[*types.Var]*varInfo
	varsInOrder     []*types.Var // variables in order of appearance

	locals *namer // names of Poll's locals: never one the body uses
	fields *namer // names of the machine's fields

	recv, waker, state, ready string                         // Poll's receiver and locals
	pollResult                string                         // Poll's named first result, with deferred calls
	stateField                string                         // the machine's state field
	typeParams                *dst.FieldList                 // of a generic machine, or nil
	typeArgs                  []string                       // their names
	resumeLabel               string                         // the label of Poll's loop
	loops, labeled            bool                           // Poll needs its loop, and its label (set by lower)
	hasDefer                  bool                           // the body defers calls (see "Defer" in doc.go)
	defersField, resultStore  string                         // the machine's deferred calls, and its result when unnamed
	returnedField             string                         // set by a return in the body of a range over a function (see rangeFuncReturns), or ""
	iterExit                  string                         // the label of the range over a function being rewritten (see rangeFuncReturns)
	iterChecks                map[*dst.RangeStmt]*dst.IfStmt // see iterCheck
	pulls                     []*pulled                      // the pulled ranges being compiled, the innermost last (see pulledRange)
	pulled                    []*pulled                      // all of them, for their fields
	pullsField                string                         // the machine's runtime.Pulls, or "" without pulled ranges
	labelPulls                map[string]int                 // per label a goto jumps to, how many pulled ranges enclose it

	stateGraph Graph // for corofy -graph, made by build

	lifted []dst.Decl // the local types and constants, at package level (see lift.go)
	// liftedNames are the package-level names of the lifted types and
	// constants; an embedded field of a lifted type that took another
	// name keeps the type's own name in the body, which a case of Poll
	// declares as an alias of the new one (see embedAliases).
	liftedNames map[types.Object]string

	stmtPos map[dst.Stmt]token.Position // the source of statements corofy made (see positions.go)
	// directed holds the directive writeDirective wrote before each
	// statement, and the position it was for: a comment put before the
	// statement later (keepAllComments) has it written again.
	directed map[dst.Stmt]directive

	comments []string // the user's comments for the next statement added (see comments.go)

	synthDefs map[*dst.Ident]bool // identifiers made by defIdent
	temps     int                 // temporaries made so far

	errs *scanner.ErrorList
}

// state is one case of Poll's switch: straight-line code that ends in a
// jump to another state, a return, or a wait (see flow.go).
type state struct {
	index   int        // the case number; -1 until the state is begun
	wait    *waitPoint // the wait this state resumes at, or nil
	comment string     // what the state is, for the case's comment
	stmts   []dst.Stmt
	pos     []token.Position // line directive for stmts[i]; zero for none
	term    terminator       // how its code ends (cfg.go)
	exits   []exit           // its ways out, in the order of the code (cfg.go)
}

// waitPoint is one x.wait: the future x is stored in a field when the
// state before it ends, and polled at the start of its state.
type waitPoint struct {
	k      int
	state  *state     // the state that polls it
	field  string     // fut1
	future types.Type // x's static type: the field's type
	output types.Type // T
	target *types.Var // what receives the output: a user variable or a temporary; nil to drop it
	text   string     // the source of x.wait, for comments
	pos    token.Position
}

// varInfo is what the machine knows of one local variable of the coroutine.
type varInfo struct {
	v       *types.Var
	name    string       // in the generated code: the local's name
	field   string       // the field that stores it when hoisted (see share)
	param   bool         // a parameter or the receiver: set by the constructor
	result  bool         // a named result: zero at the start
	addr    bool         // its address is taken, or a closure captures it
	temp    bool         // made by the split
	origin  dst.Expr     // a temporary's expression, for messages (define)
	tuple   bool         // a wait's output that stands for several values
	def     int          // the state that declares it; -1 for parameters and results
	states  map[int]bool // the states that name it
	usedIn  map[int]bool // the states that name it other than by declaring or assigning it whole at their top level
	readIn  map[int]bool // the states that use it as Go counts a use: other than as x in x = ... (see markUsed)
	hoisted bool         // stored in the machine
	inLoop  bool         // declared anew at each iteration of a transformed loop
	flat    bool         // declared at state level (see markFlat)
	cell    bool         // stored as a pointer to a new variable per declaration (see doc.go)
}

func (m *machine) errorf(pos token.Position, format string, args ...any) {
	m.errs.Add(pos, fmt.Sprintf(format, args...))
}

// cur returns the state being filled.
func (m *machine) cur() *state { return m.current }

// add appends s to the current state, with a line directive for pos.
func (m *machine) add(s dst.Stmt, pos token.Position) {
	if len(m.comments) > 0 && !m.isJump(s) {
		d := s.Decorations()
		d.Start = append(append(dst.Decorations{}, m.comments...), d.Start...)
		d.Before = dst.NewLine
		m.comments = nil
	}
	st := m.cur()
	st.stmts = append(st.stmts, s)
	st.pos = append(st.pos, pos)
	st.term = m.terminatorOf(s)
}

// newVar makes a temporary variable of type t.
func (m *machine) newVar(base string, t types.Type) *types.Var {
	if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		t = types.Default(t)
	}
	v := types.NewVar(token.NoPos, m.file.pkg, m.locals.fresh(base), t)
	m.vars[v] = &varInfo{v: v, name: v.Name(), temp: true, def: m.cur().index, states: map[int]bool{}, usedIn: map[int]bool{}, readIn: map[int]bool{}, inLoop: m.loopDepth > 0}
	m.varsInOrder = append(m.varsInOrder, v)
	return v
}

// defIdent returns a new identifier that declares v.
func (m *machine) defIdent(v *types.Var) *dst.Ident {
	id := m.ident(v)
	m.synthDefs[id] = true
	return id
}

// ident returns a new identifier denoting v.
func (m *machine) ident(v *types.Var) *dst.Ident {
	id := dst.NewIdent(v.Name())
	m.synth[id] = v
	return id
}

// isDef reports whether id declares its variable, in the user's code or in
// code the split made.
func (m *machine) isDef(id *dst.Ident) bool { return m.synthDefs[id] || m.typed.isDef(id) }

// newMachine prepares the machine of the coroutine declared by fd (the
// clean parse) and co (the lowered, type-checked parse).
func newMachine(ft *fileTransform, tp *typed, fd *dst.FuncDecl, co *cparser.Coroutine, info *types.Info) *machine {
	m := &machine{
		typed:           tp,
		file:            ft,
		decl:            fd,
		name:            co.Name(),
		pos:             tp.position(fd.Name),
		vars:            map[*types.Var]*varInfo{},
		locals:          newNamer(),
		fields:          newNamer(),
		synthDefs:       map[*dst.Ident]bool{},
		jumps:           map[*dst.BranchStmt]*state{},
		iterationCopies: map[*dst.ExprStmt][]*types.Var{},
		cellRefs:        map[*varInfo]string{},
		sharers:         map[*varInfo][]*varInfo{},
		gotoTargets:     map[string]bool{},
		labelPulls:      map[string]int{},
		labels:          map[string]*state{},
		stringSizes:     map[*state]*types.Var{},
		stmtPos:         map[dst.Stmt]token.Position{},
		flat:            newNamer(),
		errs:            &ft.errs,
	}
	recvType := ""
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		recvType = strings.SplitN(co.Name(), ".", 2)[0]
	}
	if !m.typeParameters(fd, info) {
		return nil
	}
	if n := co.Results.NumFields(); n == 1 {
		m.result = info.TypeOf(co.Results.List[0].Type)
		m.resultField = fd.Type.Results.List[0].Type
	} else if n > 1 { // a runtime.TupleN: Future[TupleN[...]] is the lowered result
		m.result = pollOutput(info.TypeOf(co.Decl.Type.Results.List[0].Type))
		m.results = n
	}
	// A local of Poll must not hide any name the body refers to. Field
	// names of selectors and keys cannot be hidden, so they do not count.
	// A package is named by its path in the tree: its name in the file is
	// taken too (an import named state, or c).
	for _, name := range ft.importNames {
		m.locals.taken[name] = true
	}
	dstutilApply(fd, func(id *dst.Ident, parent dst.Node, field string) {
		if sel, ok := parent.(*dst.SelectorExpr); ok && field == "Sel" && sel.Sel == id {
			m.fields.taken[id.Name] = true
			return
		}
		if _, ok := parent.(*dst.KeyValueExpr); ok && field == "Key" {
			return
		}
		m.locals.taken[id.Name] = true
		m.fields.taken[id.Name] = true
	})
	// The machine's type name is free in the package, and differs from
	// every name of the coroutine, whose parameters are in scope where the
	// constructor names the type.
	m.typeName = ft.names.claim(machineTypeName(recvType, fd.Name.Name), m.locals.taken)
	m.fields.taken["Poll"] = true // the machine's method
	m.recv = m.locals.first("c", "co", "coro", "machine")
	m.waker = m.locals.fresh("w")
	m.state = m.locals.fresh("state")
	m.ready = m.locals.fresh("ready")
	m.pollResult = m.locals.fresh("result")
	m.stateField = m.fields.fresh("state")
	m.resumeLabel = m.locals.fresh("resume")
	m.defersField = m.fields.fresh("defers")
	m.resultStore = m.fields.fresh("result")
	return m
}

// build returns the declarations that replace the coroutine.
func (m *machine) build() []dst.Decl {
	before := len(*m.errs)
	comments := m.sourceComments()
	dump := newDumper(m) // COROFY_DUMP: see dump.go
	m.desugar()
	m.lift()
	dump.desugared()
	m.collectVars()
	m.checkBody()
	m.markGotoLoops() // before the cut, which turns gotos into jumps
	m.compileBody(m.decl.Body)
	if len(*m.errs) > before {
		return nil
	}
	m.buildCFG()
	dump.states()
	m.stateGraph = m.graph()
	m.markAddressed()
	m.decideStorage()
	m.share()
	dump.storage()
	m.lower()
	decls := append(m.lifted, m.emit()...)
	m.keepAllComments(comments, decls)
	return decls
}

// checkBody notes what the body uses anywhere, outside closures: defer
// statements, the labels gotos jump to, and the ranges over functions
// whose bodies wait (see pulledRange), with how many of them enclose each
// label. A machine with such ranges completes and unwinds as one that
// defers calls does: its return stops their iterators before the
// deferred calls run, and a panic unwinds them.
func (m *machine) checkBody() {
	hasWait := m.containsWait(m.decl.Body)
	var walk func(n dst.Node, pulls int)
	walk = func(n dst.Node, pulls int) {
		dst.Inspect(n, func(n dst.Node) bool {
			switch n := n.(type) {
			case *dst.FuncLit:
				return false
			case *dst.DeferStmt:
				m.hasDefer = true
			case *dst.BranchStmt:
				if n.Tok == token.GOTO && hasWait {
					m.gotoTargets[n.Label.Name] = true
				}
			case *dst.LabeledStmt:
				m.labelPulls[n.Label.Name] = pulls
			case *dst.RangeStmt:
				if hasWait && m.isPulled(n) {
					m.hasDefer = true
					walk(n.Body, pulls+1)
					return false
				}
			}
			return true
		})
	}
	walk(m.decl.Body, 0)
}

// isPulled reports whether r is a range over a function that the machine
// pulls (see pulledRange): one with a wait in its body or its iteration
// variables.
func (m *machine) isPulled(r *dst.RangeStmt) bool {
	t := m.typeOf(r.X)
	if t == nil {
		return false
	}
	if _, ok := coreType(t).(*types.Signature); !ok {
		return false
	}
	return m.containsWait(r.Body) || r.Key != nil && m.containsWait(r.Key) || r.Value != nil && m.containsWait(r.Value)
}

// typeParameters records the type parameters of a generic coroutine, or
// of the generic type a coroutine method belongs to: the machine type has
// the same ones (see "Generics" in doc.go). It reports false after an
// error.
func (m *machine) typeParameters(fd *dst.FuncDecl, info *types.Info) bool {
	if !m.typeParamNamesFree(fd) {
		return false
	}
	if fd.Type.TypeParams != nil {
		m.typeParams = m.clone(fd.Type.TypeParams).(*dst.FieldList)
		for _, f := range fd.Type.TypeParams.List {
			for _, id := range f.Names {
				m.typeArgs = append(m.typeArgs, id.Name)
			}
		}
		return true
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return true
	}
	var names []*dst.Ident
	recv := fd.Recv.List[0].Type
	for done := false; !done; {
		switch t := recv.(type) {
		case *dst.StarExpr:
			recv = t.X
		case *dst.ParenExpr:
			recv = t.X
		case *dst.IndexExpr:
			names, done = []*dst.Ident{t.Index.(*dst.Ident)}, true
		case *dst.IndexListExpr:
			for _, x := range t.Indices {
				names = append(names, x.(*dst.Ident))
			}
			done = true
		default:
			done = true
		}
	}
	if len(names) == 0 {
		return true
	}
	// The constraints are those of the receiver type's declaration.
	fields := &dst.FieldList{Opening: true, Closing: true}
	for i, id := range names {
		tp, ok := m.objectOf(id).(*types.TypeName)
		if !ok {
			m.errorf(m.pos, "coroutine %s: cannot find type parameter %s", m.name, id.Name)
			return false
		}
		if id.Name == "_" {
			// box[_]: the machine's type needs a name to pass on. The
			// receiver gets it too, for the constructor to name the
			// machine's type with.
			id.Name = m.blankTypeParam(fd, i)
			if m.file.tc.typeParams == nil {
				m.file.tc.typeParams = map[*types.TypeName]string{}
			}
			m.file.tc.typeParams[tp] = id.Name
		}
		constraint, err := typeExpr(tp.Type().(*types.TypeParam).Constraint(), m.file.tc)
		if err != nil {
			m.errorf(m.pos, "coroutine %s: cannot write the constraint of %s: %v", m.name, id.Name, err)
			return false
		}
		fields.List = append(fields.List, &dst.Field{Names: []*dst.Ident{dst.NewIdent(id.Name)}, Type: constraint})
		m.typeArgs = append(m.typeArgs, id.Name)
	}
	m.typeParams = fields
	return true
}

// typeParamNamesFree reports an error at each type parameter of the
// coroutine, or of its receiver, named like a predeclared name the
// generated code uses ([bool any]): in the machine's methods it would
// mean the type parameter.
func (m *machine) typeParamNamesFree(fd *dst.FuncDecl) bool {
	var ids []*dst.Ident
	if fd.Type.TypeParams != nil {
		for _, f := range fd.Type.TypeParams.List {
			ids = append(ids, f.Names...)
		}
	}
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		dst.Inspect(fd.Recv.List[0].Type, func(n dst.Node) bool {
			switch n := n.(type) {
			case *dst.IndexExpr:
				if id, ok := n.Index.(*dst.Ident); ok {
					ids = append(ids, id)
				}
			case *dst.IndexListExpr:
				for _, x := range n.Indices {
					if id, ok := x.(*dst.Ident); ok {
						ids = append(ids, id)
					}
				}
			}
			return true
		})
	}
	free := true
	for _, id := range ids {
		if slices.Contains(outputPredeclared, id.Name) {
			m.errorf(m.position(id), "the type parameter %s hides Go's predeclared %s, which the code corofy generates for the coroutine uses: rename it", id.Name, id.Name)
			free = false
		}
	}
	return free
}

// blankTypeParam returns a name for the i-th type parameter of a
// receiver that writes it "_": T1, T2..., unless fd names one already.
func (m *machine) blankTypeParam(fd *dst.FuncDecl, i int) string {
	used := map[string]bool{}
	dstutilApply(fd, func(id *dst.Ident, _ dst.Node, _ string) { used[id.Name] = true })
	name := fmt.Sprintf("T%d", i+1)
	for k := 2; used[name]; k++ {
		name = fmt.Sprintf("T%d_%d", i+1, k)
	}
	return name
}

// relPos names a position of the package (in the loader's file set) for
// messages.
func (ft *fileTransform) relPos(pos token.Pos) string {
	p := ft.loadFset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

// dstutilApply calls fn for every identifier below n with its parent and
// the name of the parent's field that holds it.
func dstutilApply(n dst.Node, fn func(id *dst.Ident, parent dst.Node, field string)) {
	dstutil.Apply(n, func(c *dstutil.Cursor) bool {
		if id, ok := c.Node().(*dst.Ident); ok {
			fn(id, c.Parent(), c.Name())
		}
		return true
	}, nil)
}
