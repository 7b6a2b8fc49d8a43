package transform

import (
	"go/token"

	"github.com/dave/dst"
)

// isTerminating reports whether s is a terminating statement as the Go
// specification defines it, so that Poll's cases end where Go requires.
func isTerminating(s dst.Stmt) bool {
	switch s := s.(type) {
	case *dst.ReturnStmt:
		return true
	case *dst.BranchStmt:
		return s.Tok == token.GOTO || s.Tok == token.FALLTHROUGH
	case *dst.ExprStmt:
		call, ok := s.X.(*dst.CallExpr)
		if !ok {
			return false
		}
		id, ok := call.Fun.(*dst.Ident)
		return ok && id.Name == "panic" && id.Path == ""
	case *dst.BlockStmt:
		return len(s.List) > 0 && isTerminating(s.List[len(s.List)-1])
	case *dst.IfStmt:
		return s.Else != nil && isTerminating(s.Body) && isTerminating(s.Else)
	case *dst.ForStmt:
		return s.Cond == nil && !hasBreak(s.Body, "", true)
	case *dst.LabeledStmt:
		if f, ok := s.Stmt.(*dst.ForStmt); ok {
			return f.Cond == nil && !hasBreak(f.Body, s.Label.Name, true)
		}
		return isTerminating(s.Stmt)
	case *dst.SwitchStmt:
		return clausesTerminate(s.Body.List, "")
	case *dst.TypeSwitchStmt:
		return clausesTerminate(s.Body.List, "")
	case *dst.SelectStmt:
		for _, c := range s.Body.List {
			body := c.(*dst.CommClause).Body
			if len(body) == 0 || !isTerminating(body[len(body)-1]) || hasBreakList(body, "", true) {
				return false
			}
		}
		return true
	}
	return false
}

func clausesTerminate(clauses []dst.Stmt, label string) bool {
	hasDefault := false
	for _, c := range clauses {
		cc := c.(*dst.CaseClause)
		if cc.List == nil {
			hasDefault = true
		}
		if len(cc.Body) == 0 || !isTerminating(cc.Body[len(cc.Body)-1]) || hasBreakList(cc.Body, label, true) {
			return false
		}
	}
	return hasDefault
}

// hasBreak reports whether n has a break that leaves the enclosing
// statement: unlabeled and not inside a nested loop, switch or select
// (when top), or labeled with label.
func hasBreak(n dst.Node, label string, top bool) bool {
	found := false
	var visit func(n dst.Node, nested bool) bool
	visit = func(n dst.Node, nested bool) bool {
		dst.Inspect(n, func(c dst.Node) bool {
			if found || c == nil {
				return false
			}
			switch c := c.(type) {
			case *dst.FuncLit:
				return false
			case *dst.ForStmt, *dst.RangeStmt, *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
				if c != n {
					visit(c, true)
					return false
				}
			case *dst.BranchStmt:
				if c.Tok == token.BREAK && (c.Label == nil && top && !nested || c.Label != nil && label != "" && c.Label.Name == label) {
					found = true
				}
			}
			return true
		})
		return found
	}
	return visit(n, false)
}

func hasBreakList(list []dst.Stmt, label string, top bool) bool {
	return hasBreak(&dst.BlockStmt{List: list}, label, top)
}
