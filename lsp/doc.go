// Package lsp is corofy's language server: editors speak the Language
// Server Protocol to it about .gocoro and .go files, and it answers with
// the help of gopls, which knows Go but not .gocoro.
//
// # Theory of operation
//
// gopls can be given the text of a file that is not the one on disk (an
// "overlay": the text an editor has open). The proxy gives it, for each
// .gocoro file, the file's lowering (see lower.go): the reference form of
// package parser, Go that type-checks exactly when the .gocoro does, in
// which every coroutine returns a runtime.Future and every x.wait is a
// call runtime.Await(x). The lowering is opened under the name of the file
// corofy generates from the .gocoro (x.gocoro -> x_corofied.go): the two
// declare the same names, so gopls sees the package as the go command will
// see it once corofy has run, with no duplicate declarations. That file is
// the "shadow"; its text and name never reach the user.
//
// The lowering is written as edits of the user's text, not printed from a
// syntax tree: every byte the user wrote stays, in order, and short runs
// are inserted or replaced between them:
//
//	coroutine func F(p P) R { body }
//	         func F(p P) RT.Future[R] { return RT.Lazy(func() R { body })}
//
//	n := f(x).wait
//	n := RT.Await(f(x))
//
// (RT is the runtime under a name the file does not use.) So the position
// map between the .gocoro and its shadow (posmap.go) is a list of runs of
// unchanged text: a position in one maps exactly to the same character in
// the other. LSP positions count lines and UTF-16 units (text.go); both
// texts keep the user's line endings and byte order mark.
//
// # Requests
//
// A request about a .gocoro position goes to gopls at the same place of
// the shadow, and the answer comes back through the map: hover,
// definition, references, rename, document symbols, highlights,
// completion and signature help. Answers are reworded where the lowering
// shows (a lowered wait is written x.wait again, the runtime has its own
// name) and anything in text the lowering wrote is left out. Locations in
// any shadow, in answers about .go files too, map to the .gocoro files:
// definition goes from a .go file into a coroutine. Some answers are the
// proxy's own: a hover over .wait (what it gives, from gopls's hover of
// the lowered call), completion of "wait" after an expression whose type
// has the method Poll(runtime.Waker) (T, bool), and formatting (package
// format, corofy fmt's rules). Requests the map cannot serve (code actions,
// semantic tokens) get an empty answer rather than one about the shadow.
//
// Diagnostics of a .gocoro are corofy's own (its parser's errors, a
// missing or stale generated file) and gopls's diagnostics of the shadow,
// mapped and reworded, published when gopls publishes those of an edit.
// The constructs only the transform refuses, knowing the types, are found
// by running it over the package when a file is opened or saved
// (refused.go): it is too slow for each keystroke.
//
// When the editor opens a file, the proxy shadows every .gocoro of its
// directory, from disk for those the editor does not have open: gopls must
// see the whole package lowered. An answer that leads into the generated
// file of a package not shadowed yet shadows that package, and the
// request is asked again.
//
// # Robustness
//
// The message reader never panics on malformed input (FuzzReadMessage): a
// bad header or body gets a JSON-RPC error and the session goes on. Each
// request is answered with the documents as they were when it arrived,
// without holding up the others: most take one call to gopls, sent as the
// request is read, and are answered as gopls's response is read (no other
// goroutine is woken on the way: see server.request); the others have a
// goroutine of their own. $/cancelRequest cancels a request, in gopls
// too, and an edit of the .gocoro it is about supersedes it: it gets
// ContentModified at once, since its answer would be about text the
// editor no longer has (TestCancel). A gopls that exits is restarted with the open documents,
// and the user is told.
package lsp
