package transform

import (
	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// checkBindings is the last word on names in the cases lower wrote: every
// identifier there that denotes a variable of the coroutine must have been
// resolved, a stored variable to its field (c.x, *c.x, or *xRef in a
// closure) and a local to its name in Poll. An identifier left as the user
// wrote it would still compile wherever another object of that name is in
// scope (a package-level variable, a field's name in Poll), and then mean
// that object: it is an internal error, never code.
func (m *machine) checkBindings(body *dst.BlockStmt) {
	dstutil.Apply(body, func(c *dstutil.Cursor) bool {
		id, ok := c.Node().(*dst.Ident)
		if !ok || !exprSlot(c) {
			return true
		}
		info := m.varOf(id)
		switch {
		case info == nil:
		case info.hoisted || info.cell:
			m.errorf(m.varPos(info.v), "internal error: %s is stored in the machine, but Poll names it as a local (please report this)", info.v.Name())
		case id.Name != info.name:
			m.errorf(m.varPos(info.v), "internal error: %s is named %s in Poll, but one use of it is not (please report this)", info.v.Name(), info.name)
		}
		return true
	}, nil)
}
