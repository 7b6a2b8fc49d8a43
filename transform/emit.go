package transform

import (
	"fmt"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/dst"
)

// emit returns the declarations that replace the coroutine: its
// constructor (the user's declaration, now returning a Future), the machine
// type, and the Poll method around the cases the lower pass wrote.
func (m *machine) emit() []dst.Decl {
	resultType := m.resultTypeExpr()
	poisoned := &dst.AssignStmt{Lhs: []dst.Expr{m.field(m.stateField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{m.rt(rtStatePoisoned)}}
	poisoned.Decs.End.Append("// stays so if a panic escapes this Poll")
	var dispatch dst.Stmt = &dst.SwitchStmt{Tag: dst.NewIdent(m.state), Body: &dst.BlockStmt{List: m.cases}}
	if m.loops { // some jump is not a fallthrough: dispatch again after it
		dispatch = &dst.ForStmt{Body: &dst.BlockStmt{List: []dst.Stmt{dispatch}}}
		if m.labeled {
			dispatch = &dst.LabeledStmt{Label: dst.NewIdent(m.resumeLabel), Stmt: dispatch}
		}
	}
	body := &dst.BlockStmt{List: []dst.Stmt{
		&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(m.state)}, Tok: token.DEFINE, Rhs: []dst.Expr{m.field(m.stateField)}},
		poisoned,
	}}
	if m.hasDefer {
		body.List = append(body.List, m.unwind())
	}
	body.List = append(body.List, dispatch)
	if m.file.cfg.LineDirectives {
		m.placePrelude(body.List)
	}
	poll := &dst.FuncDecl{
		Recv: &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{dst.NewIdent(m.recv)}, Type: &dst.StarExpr{X: m.machineType()}}}},
		Name: dst.NewIdent("Poll"),
		Type: &dst.FuncType{
			Func:       true,
			TypeParams: nil,
			Params:     &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{dst.NewIdent(m.waker)}, Type: m.rt(rtWaker)}}},
			Results:    m.pollResults(resultType),
		},
		Body: body,
	}
	poll.Decs.Before = dst.EmptyLine
	m.lineDirective(&poll.Decs.Recv, m.pos)
	poll.Decs.Start.Append(fmt.Sprintf("// Poll runs %s from where it stopped to its next .wait that is not", m.name))
	poll.Decs.Start.Append("// ready, or to its end.")
	return []dst.Decl{m.constructor(), m.typeDecl(), poll}
}

// pollResults is Poll's result list: (R, bool), named when Poll's deferred
// recovery sets them.
func (m *machine) pollResults(resultType dst.Expr) *dst.FieldList {
	if !m.hasDefer {
		return &dst.FieldList{List: []*dst.Field{{Type: resultType}, {Type: dst.NewIdent("bool")}}}
	}
	return &dst.FieldList{List: []*dst.Field{
		{Names: []*dst.Ident{dst.NewIdent(m.pollResult)}, Type: resultType},
		{Names: []*dst.Ident{dst.NewIdent(m.ready)}, Type: dst.NewIdent("bool")},
	}}
}

// unwind is Poll's deferred function in a coroutine that defers calls: when
// a panic escapes (the state is still poisoned), the deferred calls run
// while it propagates; if one of them recovers, the coroutine completes.
//
//	defer func() {
//		if c.state == runtime.StatePoisoned && runtime.Unwind(&c.defers, recover()) {
//			c.state = runtime.StateDone
//			result, ready = c.n, true
//		}
//	}()
func (m *machine) unwind() dst.Stmt {
	var recovered dst.Expr = &dst.CallExpr{Fun: dst.NewIdent("recover")}
	if m.pullsField != "" { // the panic goes through the iterators first
		recovered = &dst.CallExpr{Fun: m.rt(rtUnwindPulls), Args: []dst.Expr{&dst.UnaryExpr{Op: token.AND, X: m.field(m.pullsField)}, recovered}}
	}
	cond := &dst.BinaryExpr{
		X:  &dst.BinaryExpr{X: m.field(m.stateField), Op: token.EQL, Y: m.rt(rtStatePoisoned)},
		Op: token.LAND,
		Y: &dst.CallExpr{Fun: m.rt(rtUnwind), Args: []dst.Expr{
			&dst.UnaryExpr{Op: token.AND, X: m.field(m.defersField)},
			recovered,
		}},
	}
	named := m.namedResult()
	result := m.finalResult(named)
	if named != nil { // named results are stored when there are deferred calls
		result = m.storedResults()
	}
	onRecover := &dst.IfStmt{Cond: cond, Body: &dst.BlockStmt{List: []dst.Stmt{
		&dst.AssignStmt{Lhs: []dst.Expr{m.field(m.stateField)}, Tok: token.ASSIGN, Rhs: []dst.Expr{m.rt(rtStateDone)}},
		&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(m.pollResult), dst.NewIdent(m.ready)}, Tok: token.ASSIGN, Rhs: []dst.Expr{result, dst.NewIdent("true")}},
	}}}
	body := &dst.BlockStmt{List: []dst.Stmt{onRecover}}
	// (On the brace's line: a comment above the statement would take the
	// place of its line directive.)
	body.Decs.Lbrace.Append("// When a panic escapes, the deferred calls run; one may recover.")
	d := &dst.DeferStmt{Call: &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: body,
	}}}
	d.Decs.Before = dst.NewLine
	return d
}

// constructor rewrites the user's declaration into a function that only
// stores the parameters the body needs.
func (m *machine) constructor() *dst.FuncDecl {
	fd := m.decl
	var elts []dst.Expr
	for _, v := range m.varsInOrder {
		if info := m.vars[v]; info.param && info.hoisted {
			elts = append(elts, &dst.KeyValueExpr{Key: dst.NewIdent(info.field), Value: dst.NewIdent(v.Name())})
		}
	}
	future := &dst.IndexExpr{X: m.rt(rtFuture), Index: m.resultTypeExpr()}
	fd.Type.Results = &dst.FieldList{List: []*dst.Field{{Type: future}}}
	ret := &dst.ReturnStmt{Results: []dst.Expr{
		&dst.UnaryExpr{Op: token.AND, X: &dst.CompositeLit{Type: m.machineType(), Elts: elts}},
	}}
	ret.Decs.Before, ret.Decs.After = dst.NewLine, dst.NewLine
	if m.file.cfg.LineDirectives {
		// Not the line after the declaration: that is the body's first.
		m.writeDirective(ret, m.pos)
	}
	fd.Body = &dst.BlockStmt{List: []dst.Stmt{ret}}
	m.lineDirective(&fd.Decs.Func, m.pos)
	return fd
}

// typeDecl declares the machine's struct: its state, the stored
// variables, and one field per wait for the future being waited on.
func (m *machine) typeDecl() dst.Decl {
	fields := &dst.FieldList{Opening: true, Closing: true}
	state := &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.stateField)}, Type: dst.NewIdent("int")}
	state.Decs.End.Append("// the case of Poll to run: 0 before the first Poll, or runtime.StateDone")
	fields.List = append(fields.List, state)
	for _, v := range m.varsInOrder {
		info := m.vars[v]
		if !info.hoisted || info.field != info.name {
			continue // not stored, or stored in the field of another variable
		}
		t, err := typeExpr(v.Type(), m.file.tc)
		if err != nil {
			m.cannotKeep(v, err)
			continue
		}
		if info.cell {
			t = &dst.StarExpr{X: t}
		}
		f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(info.name)}, Type: t}
		switch {
		case info.cell:
			f.Decs.End.Append("// a new variable at each iteration")
		case info.param:
			f.Decs.End.Append("// parameter")
		case info.result:
			f.Decs.End.Append("// named result")
		case len(m.sharers[info]) > 0:
			var names []string
			for _, o := range m.sharers[info] {
				names = append(names, o.v.Name())
			}
			f.Decs.End.Append("// then " + strings.Join(names, ", ") + ": their lifetimes do not overlap")
		}
		fields.List = append(fields.List, f)
	}
	if m.hasDefer {
		f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.defersField)}, Type: &dst.ArrayType{Elt: m.rt(rtDeferred)}}
		f.Decs.End.Append("// the deferred calls, run when the coroutine ends")
		fields.List = append(fields.List, f)
		if m.result != nil && m.namedResult() == nil {
			f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.resultStore)}, Type: m.resultTypeExpr()}
			f.Decs.End.Append("// set by return before the deferred calls run")
			fields.List = append(fields.List, f)
		}
		if m.returnedField != "" {
			f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.returnedField)}, Type: dst.NewIdent("bool")}
			f.Decs.End.Append("// set by a return in the body of a range over a function: the deferred calls run after the loop")
			fields.List = append(fields.List, f)
		}
	}
	for _, p := range m.pulled {
		f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(p.iter)}, Type: p.typ}
		f.Decs.End.Append(fmt.Sprintf("// the iterator of the range loop at line %d", p.line))
		fields.List = append(fields.List, f)
	}
	if m.pullsField != "" {
		f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(m.pullsField)}, Type: m.rt(rtPulls)}
		f.Decs.End.Append("// the ranges over functions the coroutine is in")
		fields.List = append(fields.List, f)
	}
	for _, wp := range m.waits {
		t, err := typeExpr(wp.future, m.file.tc)
		if err != nil { // an unexported type: keep it behind the interface
			var out dst.Expr
			if out, err = typeExpr(wp.output, m.file.tc); err != nil {
				m.errorf(wp.pos, "cannot store the future of %s: %v", wp.text, err)
				continue
			}
			t = &dst.IndexExpr{X: m.rt(rtFuture), Index: out}
		}
		f := &dst.Field{Names: []*dst.Ident{dst.NewIdent(wp.field)}, Type: t}
		f.Decs.End.Append("// " + wp.text)
		f.Decs.After = dst.NewLine
		fields.List = append(fields.List, f)
	}
	for _, f := range fields.List {
		f.Decs.Before, f.Decs.After = dst.NewLine, dst.NewLine
	}
	spec := &dst.TypeSpec{Name: dst.NewIdent(m.typeName), TypeParams: m.typeParams, Type: &dst.StructType{Fields: fields}}
	decl := &dst.GenDecl{Tok: token.TYPE, Specs: []dst.Spec{spec}}
	decl.Decs.Before = dst.EmptyLine
	decl.Decs.Start.Append(fmt.Sprintf("// %s is the state machine of the coroutine %s (%s:%d).", m.typeName, m.name, m.file.commentFile, m.pos.Line))
	m.lineDirective(&decl.Decs.Tok, m.pos)
	return decl
}

// storedResults is the named results, read from the machine.
func (m *machine) storedResults() dst.Expr {
	var args []dst.Expr
	for _, v := range m.namedResults() {
		args = append(args, m.stored(m.vars[v]))
	}
	if len(args) == 1 {
		return args[0]
	}
	return m.tuple(args)
}

// namedResults returns the coroutine's named results.
func (m *machine) namedResults() []*types.Var {
	var out []*types.Var
	for _, v := range m.varsInOrder {
		if m.vars[v].result {
			out = append(out, v)
		}
	}
	return out
}

// namedResult returns the coroutine's named result, or nil.
func (m *machine) namedResult() *types.Var {
	for _, v := range m.varsInOrder {
		if m.vars[v].result {
			return v
		}
	}
	return nil
}

// finalResult is what the completed machine returns: struct{}{}, the named
// result, or (with deferred calls) the result field.
func (m *machine) finalResult(named *types.Var) dst.Expr {
	switch {
	case m.result == nil:
		return &dst.CompositeLit{Type: emptyStruct()}
	case named != nil && m.results > 1:
		var args []dst.Expr
		for _, v := range m.namedResults() {
			args = append(args, m.ident(v))
		}
		return m.tuple(args)
	case named != nil:
		return m.ident(named)
	case m.hasDefer:
		return m.field(m.resultStore)
	}
	return m.zeroResult()
}

// zeroResult is the result Poll returns when not ready.
func (m *machine) zeroResult() dst.Expr {
	if m.result == nil {
		return &dst.CompositeLit{Type: emptyStruct()}
	}
	z, err := zeroExpr(m.result, m.file.tc)
	if err != nil {
		m.errorf(m.pos, "cannot write the zero value of the result: %v", err)
		return dst.NewIdent("nil")
	}
	return z
}

// resultTypeExpr is the coroutine's result type as written, or struct{}.
func (m *machine) resultTypeExpr() dst.Expr {
	if m.result == nil {
		return emptyStruct()
	}
	if m.results > 1 {
		t, err := typeExpr(m.result, m.file.tc)
		if err != nil {
			m.errorf(m.pos, "cannot write the result type: %v", err)
			return emptyStruct()
		}
		return t
	}
	return m.clone(m.resultField).(dst.Expr)
}

// machineType is the machine's type name.
func (m *machine) machineType() dst.Expr {
	return instantiate(dst.NewIdent(m.typeName), idents(m.typeArgs))
}

// idents returns new identifiers of the names.
func idents(names []string) []dst.Expr {
	var out []dst.Expr
	for _, n := range names {
		out = append(out, dst.NewIdent(n))
	}
	return out
}

// rt returns runtime.name.
func (m *machine) rt(name string) dst.Expr { return &dst.Ident{Name: name, Path: runtimePath} }

func (m *machine) str(s string) dst.Expr {
	return &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)}
}

// posString is "file.gocoro:line", the position in messages.
func (m *machine) posString(p token.Position) string {
	return fmt.Sprintf("%s:%d", m.file.lineFile, p.Line)
}

// lineDirective adds a /*line*/ comment that maps what follows to p.
func (m *machine) lineDirective(decs *dst.Decorations, p token.Position) {
	if !m.file.cfg.LineDirectives || !p.IsValid() {
		return
	}
	decs.Append(fmt.Sprintf("/*line %s:%d:%d*/", m.file.lineFile, p.Line, max(p.Column-1, 1)))
}

// emptyStruct returns struct{}.
func emptyStruct() *dst.StructType {
	return &dst.StructType{Fields: &dst.FieldList{Opening: true, Closing: true}}
}

// cannotKeep reports that v cannot be stored in a field, whose type err
// says cannot be written: for a temporary, at the expression it holds,
// never by the temporary's name (tmp1), which the user did not write.
func (m *machine) cannotKeep(v *types.Var, err error) {
	if info := m.vars[v]; info != nil && info.temp {
		if info.origin != nil {
			if text := m.sourceText(info.origin); text != "" {
				m.errorf(m.position(info.origin), "cannot keep the value of %s across a .wait: %v", text, err)
				return
			}
		}
		m.errorf(m.varPos(v), "cannot keep a value across a .wait: %v", err)
		return
	}
	m.errorf(m.varPos(v), "cannot keep %s across a .wait: %v", v.Name(), err)
}

// varPos returns the position of v's declaration, for messages about it;
// the coroutine's when it has none.
func (m *machine) varPos(v *types.Var) token.Position {
	if v.Pos().IsValid() {
		return m.file.loadFset.Position(v.Pos())
	}
	return m.pos
}

// underlyingOf returns t's underlying type, or nil for nil.
func underlyingOf(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}
