// Package transform rewrites the coroutines of a .gocoro file into state
// machines: plain Go that implements runtime.Future.
//
// # Theory of operation
//
// A coroutine is a function that can stop at each .wait and be resumed
// later. Go functions cannot do that, so a coroutine becomes a value that
// remembers where it stopped and what it needs afterwards, with a Poll
// method that runs the body from there to the next .wait that is not
// ready. Calling the coroutine only makes that value: nothing of the body
// runs before the first Poll, as in Rust.
//
// The rewrite is type-directed. The parser lowers the .gocoro file into
// Go (x.wait becomes runtime.Await(x), whose type argument the type checker
// infers), the file is type-checked with the rest of its package (load.go),
// and the rewrite works on a dave/dst tree of the original source, so that
// the user's comments move with their statements. Positions of the lowered
// and the original trees agree byte for byte, which is how one finds the
// other's types (index.go).
//
// The sections below describe each rewrite, with the names corofy really
// generates; testdata/transform holds the complete outputs.
//
// # The machine
//
// Each coroutine gives three declarations. The user's declaration keeps
// its name, parameters and doc comment, returns a runtime.Future, and only
// stores the parameters the body needs:
//
//	coroutine func asyncMain() {        func asyncMain() runtime.Future[struct{}] {
//		...                                  return &asyncMainCoroutine{}
//	}                                   }
//
// A coroutine without results is a Future[struct{}]; with one result R, a
// Future[R]. The struct asyncMainCoroutine holds the state, the stored
// variables (see Variables) and one field per .wait for the future being
// waited on: fut1, fut2, ... Such a field has the static type of the
// waited expression (*get, not runtime.Future[string]), so that polling it
// is a direct call that the compiler can inline, with no interface boxing
// and no allocation.
//
// Poll is one switch over the state: case 0 runs the body from its start,
// case k resumes at the k-th .wait. For example
//
//	coroutine func asyncMain() {
//		fmt.Println("Program starting")
//		txt := Get("/600/HelloWorld1").wait
//		fmt.Println(txt)
//	}
//
// becomes (without line directives, see Positions)
//
//	func (c *asyncMainCoroutine) Poll(w runtime.Waker) (struct{}, bool) {
//		state := c.state
//		c.state = runtime.StatePoisoned // stays so if a panic escapes this Poll
//		switch state {
//		case 0:
//			fmt.Println("Program starting")
//			c.fut1 = Get("/600/HelloWorld1")
//			fallthrough
//		case 1: // Get("/600/HelloWorld1").wait
//			txt, ready := c.fut1.Poll(w)
//			if !ready {
//				c.state = 1
//				return struct{}{}, false
//			}
//			c.fut1 = nil // drop the completed future
//			fmt.Println(txt)
//			c.state = runtime.StateDone
//			return struct{}{}, true
//		default:
//			panic(runtime.PollError("asyncMain", "main.gocoro:12", state))
//		}
//	}
//
// A state ends where a .wait begins: the future is made and stored, and
// control falls through into the next case, which polls it at once, in the
// same Poll, with the same waker (DESIGN.md section 4.2). Only when the
// child is not ready does Poll record the state and return. When it is
// ready, the machine drops its reference to it (DESIGN.md section 4.7;
// futures whose type holds no pointers need no dropping) and its output
// goes where the .wait stood.
//
// # Waits in statements
//
// "v := f.wait" (and "var v = f.wait" when v has f's output type) is the
// simplest case: the output is declared under v's name by the Poll of the
// new state, as above. "f.wait" alone as a statement drops the output:
//
//	_, ready := c.fut3.Poll(w)
//
// Every other statement with waits is cut into pieces (see the next
// section) and the rest of the statement follows the last wait, with each
// .wait replaced by its output, out1, out2, ...:
//
//	fmt.Println(total, add(txt, (&counter{ready: 1}).wait))
//
// becomes, in state 3,
//
//	out3, ready := c.fut3.Poll(w)
//	...
//	fmt.Println(c.total, add(c.txt, out3))
//
// Waits inside if, for, range, switch, select, labeled statements and
// blocks, waits on the right of && and ||, defer and goto are not
// transformed by this version: each gets a positioned "not supported yet"
// error saying what to write instead. Control flow without waits is copied
// into its state whole, returns included.
//
// # Waits in expressions
//
// Go evaluates the calls, method calls and receives of a statement left to
// right; a .wait behaves like a call (its reference meaning, runtime.Await,
// is one). So before a state ends at a wait, every call that comes before
// the wait in that order is evaluated into a temporary, in order:
//
//	x := sum(trace("a"), num(2).wait, trace("c"))
//
// becomes
//
//	case 0:
//		c.tmp1 = trace("a")
//		c.fut1 = num(2)
//		fallthrough
//	case 1: // num(2).wait
//		out1, ready := c.fut1.Poll(w)
//		...
//		c.x = sum(c.tmp1, out1, trace("c"))
//
// trace("c") and sum run after the wait, as they would in Go. Operands that
// are not calls (variables, fields, index expressions) stay where they are,
// to be evaluated after the waits of their statement: gc, too, evaluates
// them after the calls of the statement, so the order matches what the
// compiled reference program does. Calls inside a wait's own future
// expression are evaluated when the future is stored, and a wait inside
// another wait's future expression comes first:
//
//	num(num(3).wait).wait
//
// stores num(3) in fut4, polls it, and then stores num(out4) in fut5.
// Conversions and the builtins without side effects (len, cap, new, make,
// min, max, complex, real, imag) are not treated as calls.
//
// # Variables
//
// A local variable is stored in the machine, as a field named like it,
// only if its value must survive a return from Poll: if it is live across
// a wait (used after the wait before being assigned again), if it is a
// parameter the body uses, or if its address is taken (&x, a method with a
// pointer receiver, slicing an array) or a closure captures it and it is
// named in more than one state. Every other variable stays a local of its
// state's case. In vars.txtar:
//
//	a := 1          // live across the first wait: stored
//	b := a + 1      // used before it only: a local of state 0
//
// become
//
//	c.a = 1 // live across the first wait: stored
//	b := c.a + 1 // used before it only: a local of state 0
//
// A variable that is used in several states but never live across a wait
// is declared again ("var e int") in each later state that uses it.
//
// A stored variable that receives a wait's output is first declared under
// its own name and then stored: "txt, ready := c.fut1.Poll(w)" ...
// "c.txt = txt". The same holds for outputs and temporaries that are live
// across a later wait (c.out2 = out2).
//
// A pointer to a stored variable points into the machine, which lives on
// the heap and which Go's garbage collector never moves: "p := &buf"
// becomes "c.p = &c.buf", valid across every wait. (Rust's state machines
// may move, which is why the book needs Pin; Go needs nothing.) A pointer
// to a variable that is not stored keeps it alive too, since Go moves such
// variables to the heap. Closures refer to stored variables through the
// machine, so they share them with the coroutine: "inc := func() { n++ }"
// becomes "c.inc = func() { c.n++ }".
//
// # Returns and results
//
// A return of the coroutine (not of a closure inside it), at any depth,
// completes the machine:
//
//	return c.x + c.p.b + c.y + int(float64(out8)), true
//
// preceded by c.state = runtime.StateDone. A bare return returns the named
// result. A coroutine without results that ends without a return completes
// after its last statement.
//
// # Panics and completion
//
// Poll sets the state to runtime.StatePoisoned while it runs and restores
// a real state only when it returns normally. A panic in the body, or in a
// child the machine polls, escapes Poll and leaves the machine poisoned:
// every later Poll panics with runtime.PollError's message, which names the
// coroutine and its position ("coroutine explode (main.gocoro:11) polled
// after a panic escaped it"). Poll after completion panics the same way.
//
// # Positions
//
// By default every statement that comes from the .gocoro file, and each
// Poll of a child, is preceded by a /*line file.gocoro:L:C*/ directive, and
// so is every top-level declaration (after its keyword, so that doc
// comments stay doc comments). The compiler then reports errors, and the
// runtime panics and stack traces, at .gocoro positions: a panic in the
// body above shows main.gocoro:14, not a line of main_corofied.go. The
// file name is relative to the output's directory, as the compiler
// resolves it. corofy -l leaves the directives out.
//
// # Names
//
// Poll's receiver and locals (c, w, state, ready, outK, tmpK) never hide a
// name that the coroutine's body uses: when the body uses c, the receiver
// is co, and so on. Fields are named after the variables they store, and
// state and futK avoid those names. The machine's type name, fooCoroutine
// for foo and tFooCoroutine for the method T.foo, must be free in the
// package: if it is not, corofy reports an error at the coroutine rather
// than pick a name a reader would not expect.
package transform
