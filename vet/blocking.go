package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// blocking maps the functions that block their thread, by funcKey, to
// what to use instead. It is short on purpose: calls that surely wait
// on something else (time, the network, another process, other
// goroutines, another executor), not every call that may take a while
// (file I/O is left alone).
var blocking = map[string]string{}

func init() {
	add := func(instead string, keys ...string) {
		for _, k := range keys {
			blocking[k] = instead
		}
	}
	add("use runtime.Sleep(d).wait", "time.Sleep")
	add("use runtime.Connect(addr).wait",
		"net.Dial", "net.DialTimeout", "net.DialTCP", "net.DialUDP", "net.DialIP", "net.DialUnix",
		"net.Dialer.Dial", "net.Dialer.DialContext")
	add("use a runtime.Conn (runtime.Connect) and conn.Read(p).wait",
		"net.Conn.Read", "net.conn.Read")
	add("use a runtime.Conn (runtime.Connect) and conn.Write(p).wait",
		"net.Conn.Write", "net.conn.Write")
	add("use runtime.Listen and l.Accept().wait",
		"net.Listener.Accept", "net.TCPListener.Accept", "net.TCPListener.AcceptTCP",
		"net.UnixListener.Accept", "net.UnixListener.AcceptUnix")
	add("use runtime.HTTPGet(addr, path).wait or runtime.HTTPStream, or make the request in runtime.SpawnBlocking",
		"net/http.Get", "net/http.Head", "net/http.Post", "net/http.PostForm",
		"net/http.Client.Do", "net/http.Client.Get", "net/http.Client.Head", "net/http.Client.Post", "net/http.Client.PostForm")
	add("run it in runtime.SpawnBlocking(func() T { ... }).wait",
		"os/exec.Cmd.Run", "os/exec.Cmd.Output", "os/exec.Cmd.CombinedOutput", "os/exec.Cmd.Wait",
		"sync.Cond.Wait")
	add("start the tasks with runtime.Spawn and wait on their JoinHandles, or run Wait in runtime.SpawnBlocking",
		"sync.WaitGroup.Wait")
	add("wait on the future with .wait",
		runtimePath+".BlockOn", runtimePath+".BlockOnNamed",
		runtimePath+".Await", runtimePath+".Await2", runtimePath+".Await3")
	add("start the future with runtime.Spawn and wait on its JoinHandle",
		runtimePath+".Thread.Join")
}

// Messages of the checks of coroutine bodies.
const (
	stalls      = "in a coroutine blocks its executor's thread and every task on it"
	inSelect    = "in a select with a default case, or in runtime.SpawnBlocking(func() T { ... }).wait"
	msgReceive  = "channel receive " + stalls + ": receive " + inSelect
	msgSend     = "channel send " + stalls + ": send " + inSelect
	msgSelect   = "select without a default case " + stalls + ": add a default case, or run the select in runtime.SpawnBlocking(func() T { ... }).wait"
	msgRange    = "range over a channel " + stalls + ": receive in a select with a default case, or in runtime.SpawnBlocking(func() T { ... }).wait"
	msgAfter    = "receiving from %s " + stalls + ": use runtime.Sleep(d).wait"
	msgBlocking = "%s " + stalls + ": %s"
	msgLockHeld = "%s.%s() in a coroutine is held across the .wait at line %d: while the coroutine is suspended, every task and goroutine that locks %s blocks its thread (a task of the same executor, forever); unlock before the .wait"
)

// checkBody reports the calls and statements of m's coroutine body that
// block the thread that polls it: the executor's, which runs every other
// task too. The body is Poll without the function literals it does not
// call at once (a closure given to runtime.SpawnBlocking runs on a
// goroutine of its own) and without go statements.
func (a *pass) checkBody(m *machine) {
	decl, ok := a.insp.Root().FindNode(m.decl)
	if !ok {
		return
	}
	body := decl.ChildAt(edge.FuncDecl_Body, -1)
	body.Inspect(nil, func(cur inspector.Cursor) bool {
		switch n := cur.Node().(type) {
		case *ast.FuncLit:
			return cur.ParentEdgeKind() == edge.CallExpr_Fun
		case *ast.GoStmt:
			return false
		case *ast.CallExpr:
			a.checkCall(m, cur, n)
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !inComm(cur) {
				if fn := a.callee(callOf(n.X)); fn != nil && (funcKey(fn) == "time.After" || funcKey(fn) == "time.Tick") {
					a.report(cur, n, needleOf(m, n), fmt.Sprintf(msgAfter, "time."+fn.Name()))
				} else {
					a.report(cur, n, needleOf(m, n), msgReceive)
				}
			}
		case *ast.SendStmt:
			if !inComm(cur) {
				a.report(cur, n, "", msgSend)
			}
		case *ast.SelectStmt:
			if !slices.ContainsFunc(n.Body.List, func(st ast.Stmt) bool { return st.(*ast.CommClause).Comm == nil }) {
				a.report(cur, n, "", msgSelect)
			}
		case *ast.RangeStmt:
			if t := a.TypesInfo.TypeOf(n.X); t != nil {
				if _, ok := t.Underlying().(*types.Chan); ok {
					a.report(cur, n, "", msgRange)
				}
			}
		}
		return true
	})
}

// callee returns the function call calls, or nil.
func (a *pass) callee(call *ast.CallExpr) *types.Func {
	if call == nil {
		return nil
	}
	fn, _ := typeutil.Callee(a.TypesInfo, call).(*types.Func)
	return fn
}

// callOf returns e as a call, or nil.
func callOf(e ast.Expr) *ast.CallExpr {
	call, _ := unparen(e).(*ast.CallExpr)
	return call
}

// inComm reports whether cur is in the communication of a select's case:
// the select is checked as a whole.
func inComm(cur inspector.Cursor) bool {
	for c := range cur.Enclosing() {
		switch c.ParentEdgeKind() {
		case edge.CommClause_Comm:
			return true
		case edge.CommClause_Body, edge.FuncLit_Body:
			return false
		}
	}
	return false
}

// funcKey names fn for the blocking table: path.Name for a function,
// path.Type.Name for a method.
func funcKey(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	fn = fn.Origin()
	if recv := fn.Signature().Recv(); recv != nil {
		if n := namedOf(recv.Type()); n != nil {
			return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
		}
		return ""
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// displayName names the function call calls as its source does: time.Sleep,
// net.TCPConn.Read (the type of the receiver expression, not the type that
// declares the method).
func (a *pass) displayName(call *ast.CallExpr, fn *types.Func) string {
	if sel, ok := unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s := a.TypesInfo.Selections[sel]; s != nil {
			if n := namedOf(s.Recv()); n != nil && n.Obj().Pkg() != nil {
				return n.Obj().Pkg().Name() + "." + n.Obj().Name() + "." + fn.Name()
			}
		}
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

// checkCall reports a blocking call, and a lock held across a wait.
func (a *pass) checkCall(m *machine, cur inspector.Cursor, call *ast.CallExpr) {
	fn, ok := typeutil.Callee(a.TypesInfo, call).(*types.Func)
	if !ok {
		return
	}
	key := funcKey(fn)
	if instead, ok := blocking[key]; ok {
		a.report(cur, call, needleOf(m, call), fmt.Sprintf(msgBlocking, a.displayName(call, fn), instead))
		return
	}
	switch key {
	case "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock":
		a.checkLock(m, cur, call, fn)
	}
}

// checkLock reports the call cur of mu.Lock() (or RLock) if the
// coroutine can reach a wait that is not ready, and so return from Poll,
// before it calls mu.Unlock(): the lock is then held while the coroutine
// is suspended.
//
// The search follows the statements after the lock in order, into the
// state a fallthrough or a jump (state = k) leads to, and stops at an
// Unlock of the same mutex (named by the same expression) anywhere in a
// statement, at a return that completes the coroutine, or at the
// not-ready return of a wait (return ..., false), which it reports. A
// deferred Unlock runs when the coroutine ends: it does not stop the
// search.
func (a *pass) checkLock(m *machine, cur inspector.Cursor, call *ast.CallExpr, fn *types.Func) {
	sel, ok := unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	w := &lockWalk{
		a:      a,
		m:      m,
		unlock: strings.TrimSuffix(funcKey(fn), "Lock") + "Unlock", // RLock: RUnlock
		mutex:  types.ExprString(sel.X),
		seen:   make(map[*ast.CaseClause]bool),
	}
	c := cur
	for {
		if _, ok := c.Node().(ast.Stmt); ok {
			break
		}
		c = c.Parent()
	}
	for {
		switch c.Node().(type) {
		case *ast.CaseClause, *ast.CommClause:
			if cc, ok := c.Node().(*ast.CaseClause); ok && m.isCase[cc] {
				return
			}
			// The end of a clause of a switch or select of the
			// body leads after the switch.
			c = c.Parent().Parent()
			continue
		case *ast.FuncDecl, *ast.FuncLit:
			return
		}
		parent := c.Parent()
		var list []ast.Stmt
		var clause *ast.CaseClause
		switch p := parent.Node().(type) {
		case *ast.BlockStmt:
			list = p.List
		case *ast.CaseClause:
			list = p.Body
			if m.isCase[p] {
				clause = p
			}
		case *ast.CommClause:
			list = p.Body
		}
		if st, ok := c.Node().(ast.Stmt); ok && list != nil {
			if i := slices.Index(list, st); i >= 0 {
				switch out, ret := w.stmts(list[i+1:], clause); out {
				case waited:
					line := a.Fset.Position(ret).Line
					mutex := m.strip(w.mutex)
					a.report(cur, call, needleOf(m, call), fmt.Sprintf(msgLockHeld, mutex, fn.Name(), line, mutex))
					return
				case released, ended:
					return
				}
			}
		}
		if clause != nil {
			return
		}
		c = parent
	}
}

// lockWalk follows a coroutine body from a Lock to its Unlock.
type lockWalk struct {
	a      *pass
	m      *machine
	unlock string // funcKey of the Unlock that releases the lock
	mutex  string // the mutex expression of the Lock
	seen   map[*ast.CaseClause]bool
}

// outcome is how a list of statements ends, for the lock.
type outcome int

const (
	fellOff  outcome = iota // the list ended: go on after it
	released                // an Unlock
	ended                   // a return completing the coroutine, a jump already followed
	waited                  // a wait's not-ready return
)

// stmts follows list; clause is the state whose body list is, if it is
// one.
func (w *lockWalk) stmts(list []ast.Stmt, clause *ast.CaseClause) (outcome, token.Pos) {
	for _, st := range list {
		if w.unlocks(st) {
			return released, token.NoPos
		}
		if ret := w.notReady(st); ret.IsValid() {
			return waited, ret
		}
		for _, k := range w.jumps(st) {
			if out, ret := w.state(w.m.cases[k]); out == waited {
				return waited, ret
			}
		}
		switch st := st.(type) {
		case *ast.BranchStmt:
			if st.Tok == token.FALLTHROUGH && clause != nil {
				return w.state(w.m.next(clause))
			}
			return ended, token.NoPos
		case *ast.ReturnStmt:
			return ended, token.NoPos
		}
	}
	return fellOff, token.NoPos
}

// state follows the state cc from its start.
func (w *lockWalk) state(cc *ast.CaseClause) (outcome, token.Pos) {
	if cc == nil || w.seen[cc] {
		return ended, token.NoPos
	}
	w.seen[cc] = true
	return w.stmts(cc.Body, cc)
}

// inspectStmt calls f for the nodes of st outside function literals.
func inspectStmt(st ast.Stmt, f func(ast.Node)) {
	ast.Inspect(st, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if n != nil {
			f(n)
		}
		return true
	})
}

// unlocks reports whether st releases the lock.
func (w *lockWalk) unlocks(st ast.Stmt) bool {
	found := false
	inspectStmt(st, func(n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		sel, ok := unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return
		}
		if fn, ok := typeutil.Callee(w.a.TypesInfo, call).(*types.Func); ok && funcKey(fn) == w.unlock && types.ExprString(sel.X) == w.mutex {
			found = true
		}
	})
	return found
}

// notReady returns the position of a not-ready return in st (the
// generated "return zero, false" of a wait), or NoPos.
func (w *lockWalk) notReady(st ast.Stmt) token.Pos {
	pos := token.NoPos
	inspectStmt(st, func(n ast.Node) {
		ret, ok := n.(*ast.ReturnStmt)
		if !ok || len(ret.Results) == 0 || pos.IsValid() {
			return
		}
		if id, ok := unparen(ret.Results[len(ret.Results)-1]).(*ast.Ident); ok && w.a.TypesInfo.Uses[id] == types.Universe.Lookup("false") {
			pos = ret.Pos()
		}
	})
	return pos
}

// jumps returns the states st jumps to (state = k).
func (w *lockWalk) jumps(st ast.Stmt) []int {
	var ks []int
	inspectStmt(st, func(n ast.Node) {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && w.a.TypesInfo.Uses[id] == w.m.state {
			if k, ok := stateNumber(as.Rhs[0]); ok {
				ks = append(ks, k)
			}
		}
	})
	return ks
}
