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
// same Poll, with the same waker. Only when the child is not ready does
// Poll record the state and return. When it is ready, the machine drops
// its reference to it, so that the garbage collector can free it (futures
// whose type holds no pointers need no dropping), and its output goes
// where the .wait stood.
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
// Control flow without waits is copied into its state whole, returns
// included. Control flow with waits becomes states joined by jumps (next
// sections). What corofy cannot transform (more than three results, say)
// gets a positioned error saying what to write instead.
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
// trace("c") and sum run after the wait, as they would in Go. The spec
// leaves open when operands that are not calls are evaluated; gc evaluates
// some in order with the calls: len, cap, min, max, make, append, slicing,
// type assertions, string to []byte conversions, map literals entry by
// entry, && and || (a call in their right operand runs
// only when the left one does not decide), and what it passes by address:
// a struct or array key of a map, the operands of a struct or array
// comparison. The rest comes after the calls: variables, fields,
// arithmetic, indexing strings, slices, arrays and maps, other
// conversions, &T{...}.
// A value put in an interface depends on its type and where it comes from:
// gc copies it into a temporary, in order, unless it is addressable or of
// a type converted by value (an int, a string; not a struct, a bool or a
// pointer), so in
//
//	fmt.Println(pt{g, 0}, g == 1, g+1, f().wait)
//
// the struct literal and the comparison are evaluated before the wait and
// g+1 after it. The split does the same (isCall, boxedInOrder and
// passedByAddress in order.go), so a machine prints what the compiled
// reference program prints. The random program test found several of
// these rules, the others come from reading gc's order pass
// (cmd/compile/internal/walk/order.go), and each has a program in
// testdata/e2e (order, boxing, byaddress, andor) run both ways and
// compared. Calls inside a wait's own future expression are evaluated
// when the future is stored, and a wait inside another wait's future
// expression comes first:
//
//	num(num(3).wait).wait
//
// stores num(3) in fut4, polls it, and then stores num(out4) in fut5.
//
// In a generic coroutine some of these rules depend on the type argument:
// whether gc boxes a T by address, looks a key of a map[K]V up by address
// or compares two values of T by address is a question of their
// representation, and one machine serves every instantiation. There the
// machine asks the runtime (runtime/order.go), and reads the operand
// early or late as gc would for the type argument at hand:
//
//	fmt.Println(T(x), f().wait)
//
// becomes
//
//	case 0:
//		c.tmp1 = *new(T)
//		if runtime.ConvertsByAddress[T]() {
//			c.tmp1 = T(c.x)
//		}
//		c.fut1 = f()
//		fallthrough
//	case 1: // f().wait
//		out1, ready := c.fut1.Poll(w)
//		...
//		if !runtime.ConvertsByAddress[T]() {
//			c.tmp1 = T(c.x)
//		}
//		fmt.Println(c.tmp1, out1)
//
// The late read stands where gc reads the operand: right before the call
// it is an argument of, or, for an operand of the statement itself, after
// every other call of the statement (which then go into temporaries too).
// testdata/e2e/genericorder.txtar runs the boxing rule with 43 type
// arguments, the map key rule with 39 and the comparison rule with 14.
//
// The cut is linear in the size of the statement. One walk, children
// first (the order of evaluation), numbers every operand and lists those
// evaluated in order with the calls; an operand's subtree is a range of
// numbers, so containment is a comparison. The operands not yet evaluated
// are kept on a stack, none inside another: the operands inside one come
// right before it in the walk, so they are on top of the stack when it is
// pushed, and it stands for them. At a wait, what is inside the wait is its
// future expression, and everything else on the stack goes into
// temporaries, in order.
//
// # Variables
//
// A local variable is stored in the machine, as a field named like it,
// only if its value must survive the end of a case: if it is live at the
// start of any state but the first (used there, or in a state reached from
// there, before being assigned again; computed by the classic backward
// dataflow over the states), if it is a
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
// Temporaries of the same type whose lifetimes never overlap (no state
// names or is entered with both live) share a field: in spill.txtar out3
// is stored in tmp1's field once tmp1 is dead ("tmp1 int // then out3").
// The user's variables keep fields of their own, named like them.
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
// # Control flow
//
// A compound statement with waits is taken apart into states: each state
// is straight-line code that ends in a jump. A jump is
//
//	state = 7 // case at line 29
//	continue
//
// which runs case 7 at once, in the same Poll, or "fallthrough" when it
// ends a case and goes to the next one. Poll's switch is then inside a
// "for {}" (labeled resume: when a jump sits inside a loop of the user's).
// The case comments say what each state is, and "corofy -graph" draws the
// states and jumps (Graph, WriteDOT, WriteMermaid). Statements copied whole
// into a state get their break and continue statements that leave for a
// transformed loop or switch rewritten into jumps. A state that would be
// empty and that no jump reaches (after an if or a select whose every
// branch returns) is dropped, so Poll has no case that can never run.
//
// An if statement: its init and the waits of its condition run in the
// current state, then
//
//	if cond { A } else { B }
//
// becomes "if !(cond) { jump else }", the states of A, a jump past the
// else, the states of B, and the state after the if. A condition is
// negated by flipping a comparison of integers or strings, and with ! (and
// parentheses) otherwise, never by flipping a comparison that may involve
// NaN.
//
// A for loop "for init; cond; post { body }" becomes init in the current
// state, a head state "if !(cond) { jump after }", the body's states, and
// a post state that jumps back to the head. break jumps after the loop,
// continue to the post state (labeled ones to their loop's states, across
// nested loops). From countdown in control.txtar:
//
//	case 1: // loop at line 23
//		if c.i <= 0 {
//			state = 11 // after the loop at line 23
//			continue
//		}
//		fallthrough
//	case 2: // loop body at line 23
//	...
//	case 10: // loop post statement at line 23
//		c.i--
//		state = 1 // loop at line 23
//		continue
//
// A range loop is a for loop over hidden variables: the range expression
// is evaluated once into seq (limit for an integer), index counts, and
// each iteration declares the iteration variables from them. Over a string
// it decodes one rune at each byte offset (runtime.DecodeRune, which gives
// utf8.RuneError for invalid bytes, as range does). Over a map it visits
// the keys present at the start (runtime.MapKeys) and skips those deleted
// before they are reached, which is what Go's range guarantees (an entry
// added during the loop may or may not be produced; here it is not). A
// key that may be NaN (a float, a complex, an interface, a struct or array
// holding one) is found by no lookup, so for such key types the loop starts
// from the keys and their values (runtime.MapEntries) and runtime.MapLookup
// gives a NaN key the value it had, as long as the map still holds a NaN
// key: only clear removes one, and it removes them all. (A clear followed
// by a new NaN key during the loop is the one case where this produces
// the old entries, which Go would not.) Over a channel it receives until
// the channel is closed. (A range over a function is the next
// paragraph's.) With one iteration variable or none, over an array
// or a pointer to one with no call or receive in it, the length is a
// constant and Go does not evaluate the range expression ("for i :=
// range *p" with a nil p runs len(*p) times): the loop counts to the
// length, limit = 3, and never reads *p.
//
// A range over a function (an iterator) calls the function with the body
// as its yield: the body runs inside the iterator's call, whose frames a
// stackless machine cannot keep across a wait. Without waits in the body,
// the loop stays a Go loop in its state, and Go runs it. With waits, the
// machine pulls the iterator instead (runtime.Pull, which runs it on a
// coroutine of Go's runtime with iter.Pull, in a field of its own) and asks
// for one value per iteration; what the program sees is what Go's range
// does, in the same order. From rangefuncwait.txtar:
//
//	case 0:
//		c.sum = 0
//		c.iter = runtime.Pull2[string, int](&c.pulls, c.seq)
//		fallthrough
//	case 1: // range loop at line 17
//		key, value, ok := c.iter.Next()
//		if !ok {
//			state = 4 // after the range loop at line 17
//			continue
//		}
//		name, v := key, value
//		if name == c.stop {
//			state = 3 // leaving the range loop at line 17
//			continue
//		}
//		...
//	case 3: // leaving the range loop at line 17
//		c.iter.Stop()
//		fallthrough
//	case 4: // after the range loop at line 17
//
// continue jumps back to the head. A break, a continue of an outer loop
// or a goto that leaves the body goes through a state that stops the
// iterator (the yield it waits in returns false, and its code after the
// yield runs) before the jump's target, one such state per iterator left,
// the innermost first; a plain range over a function between (Go's) has
// returned when the state runs, as in Go, where its iterator is left
// first. The machine's runtime.Pulls (the field pulls) is the stack of the
// iterators it is in: a return stops them all (runtime.StopPulls) before
// the deferred calls run, and a panic goes through them
// (runtime.UnwindPulls: each yield panics, the iterator's deferred calls
// see the panic) before Unwind runs the deferred calls, so such a machine
// is compiled as one that defers calls (see "Defer"). An iterator that
// breaks the rules of range, one that swallows the body's panic or goes
// on after its yield returned false, gets Go's runtime errors
// (rangefuncpanic.txtar). The iterator runs on iter.Pull's goroutine:
// only goroutine-local state (runtime.LockOSThread) and stack traces can
// tell.
//
// A switch with waits in its case expressions or bodies evaluates its tag
// once into tag, then tests the cases in order, each "if tag == e { jump
// to its body }", so that a case expression that waits is evaluated only
// when no case before it matched, as in Go. Each body is states of its
// own; fallthrough jumps to the next body and break after the switch.
//
// A type switch with waits in its bodies dispatches with a type switch of
// its own, whose clauses store the clause's variable (when the clause uses
// it) and jump to the clause's states; a select likewise, its clauses
// receiving into temporaries (received, received2, ...) that the clause's
// states assign to the user's variables. When a select's channel operands
// or sent values wait, all of them are evaluated first, in source order,
// as Go evaluates them on entering the select. From select.txtar:
//
//	select {
//	case c.received = <-c.a:
//		state = 1 // select case at line 11
//		continue
//	case c.received2, c.received3 = <-c.b:
//		state = 3 // select case at line 13
//		continue
//	}
//
// A label that a goto targets, in a coroutine that waits, starts a state,
// and the goto (at any depth, across waits, forward or backward) jumps
// there.
//
// x && y where y waits becomes
//
//	c.cond1 = x
//	if !c.cond1 { jump after }
//	... c.cond1 = y ...
//
// (and || the same with the test reversed), so that y, its calls and its
// waits run only when x does not decide, as Go's short-circuit requires.
// The expression then reads cond1.
//
// # Variables in loops
//
// Since Go 1.22 each iteration of a loop has its own iteration variables,
// and a variable declared in a loop body is a new variable each time. A
// stored variable shared by all iterations would break a closure or a
// pointer that outlives its iteration. So a stored variable that is
// declared in a transformed loop and whose address is taken or that a
// closure captures is a cell: its field is a pointer, its declaration
// makes a new variable (c.s = new(string)), its uses are *c.s, and before
// a loop's post statement the variables of its init statement get a new
// copy (c.k = runtime.CopyVar(c.k)). A closure must keep the cell of its
// own iteration, not read the field later, so a statement that makes
// closures first binds the pointer:
//
//	sRef := c.s // this iteration's s, for the closures below
//	c.funcs = append(c.funcs, func() string { return *sRef })
//
// Variables declared at state level get names unique in the coroutine (x,
// x2, ...), since each case is one scope where Go's blocks had several.
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
// # Defer
//
// A deferred call runs when the coroutine ends, not when Poll returns
// because a child is not ready. So "defer f(x)" evaluates f and x at once,
// as Go does, and pushes the call on the machine's list of
// runtime.Deferred:
//
//	{
//		fn, arg2, arg3 := fmt.Println, c.x, out1
//		c.defers = append(c.defers, func(next func()) { defer fn("leaving with", arg2, arg3); next() })
//	}
//
// recover stops a panic only in the function the deferring calls itself,
// so the user's function must be the deferred one, never called by a
// closure. A call with arguments is therefore pushed as a link of a chain,
// which defers the call itself and calls the next link: when the calls
// run, each link's frame holds one real deferred call of the user's
// function, and recover in it works (defer recoverTo(&err) recovers as in
// Go, and defer recover() recovers nothing, as in Go). What takes nothing
// is pushed itself: "defer func() { ... }()" pushes the literal, "defer
// cleanup()" and "defer mu.Unlock()" the function or method value
// (c.mu.Unlock, evaluated now), and "defer func(p *T) { ... }(&x)" binds
// its arguments now with func(p *T) func() { return func() { ... } }(&x).
// The link's names (fn, argK, next) are free in the coroutine, so a
// constant argument, written as it is, keeps its meaning. A return sets the
// results (the named result, or the field result), then
// runtime.RunDeferred runs the calls, the last first, each as a real
// deferred call, so a deferred closure may change a named result as in Go.
// When a panic escapes the body, or a child the machine polls, Poll's own
// deferred function runs the calls through runtime.Unwind while the panic
// propagates: recover() in them works, and if one recovers, the coroutine
// completes with its named results (from defer.txtar):
//
//	defer func() {
//		if c.state == runtime.StatePoisoned && runtime.Unwind(&c.defers, recover()) {
//			c.state = runtime.StateDone
//			result2, ready = c.res, true
//		}
//	}()
//
// A return in the body of a range over a function that the machine keeps
// as a Go loop (one whose body does not wait) must not run the calls
// there: Go runs them
// when the function returns, after the iterator's call has returned, and
// the iterator may still run code after the yield that said stop (its own
// deferred calls among it). Such a return sets the results, notes it in the
// machine's field returned, and breaks out of the outermost such loop, as
// Go's own rewrite of these bodies does; the machine completes after the
// loop (rangefuncreturn.txtar):
//
//	iterate:
//		for x := range count("first", c.n) {
//			if x > c.limit {
//				c.r, c.err = x, nil
//				c.returned = true
//				break iterate
//			}
//		}
//		if c.returned {
//			runtime.RunDeferred(&c.defers)
//			c.state = runtime.StateDone
//			return runtime.Tuple2Of[int, error](c.r, c.err), true
//		}
//
// A loop the user labeled keeps its label, which the break names.
//
// Only coroutines that defer get that function: it costs a little on every
// Poll. Named results of such coroutines are always stored. Unwind
// recovers the panic to run the calls, and panics again with it when none
// recovers, so a program that crashes through such a coroutine prints
// "panic: v [recovered, repanicked]" where Go prints "panic: v" (the value,
// the exit status and the stack of the panic's origin are Go's).
//
// # Several results and generics
//
// A coroutine with two or three results is a Future of runtime.Tuple2 or
// Tuple3 (fields R0, R1, R2; Unpack for plain Go). "a, b := f.wait"
// unpacks the output (a, b := out1.R0, out1.R1), and a return builds the
// tuple with explicit type arguments, so that "return 0, nil" and "return
// g()" both work:
//
//	return runtime.Tuple2Of[int, error](c.x+y, err), true
//
// A generic coroutine's machine has the coroutine's type parameters, and a
// coroutine method of a generic type has the type's (with the constraints
// of the type's declaration):
//
//	type boxGetCoroutine[K comparable, V any] struct { ... }
//	func (c *boxGetCoroutine[K, V]) Poll(w runtime.Waker) (V, bool)
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
// By default every line of Poll, and every top-level declaration (after
// its keyword, so that doc comments stay doc comments), carries a
// /*line file.gocoro:L:C*/ directive: the compiler then reports errors,
// the runtime panics and stack traces, debuggers stop, and go vet reports,
// at .gocoro positions: a panic in the body above shows main.gocoro:14,
// not a line of main_corofied.go. A directive sets the position of the
// character right after it, which gofmt makes the space before the
// statement, so the directive names the column before the statement's.
// Inside Poll the directives name no file (/*line :L:C*/): the compiler
// takes the one of the machine type's directive above. corofy -l leaves
// the directives out.
//
// Each statement carries the position of the source it comes from, at any
// depth: a statement kept whole is printed at another indentation than in
// the source, so without its own directive its lines would have other
// columns, and those after a rewritten return or break other lines. The
// statements corofy adds take the position of what they stand for: the
// poll of a wait and its not-ready return take the wait's (a breakpoint on
// the line after a wait never stops in the not-ready return), the jumps of
// a break take the break's, the prelude of Poll the coroutine's name. The
// colon of each case takes its first statement's position, so that a
// coverage block, which begins after the colon, begins where its first
// statement does; the case keyword itself takes the coroutine's line (a
// directive at the end of the line before it), because the compiler
// places the switch's comparisons there, and every Poll runs some of
// them: on a statement's line, a debugger would stop there at each Poll.
//
//	/*line :30:15*/ fallthrough /*line :29:1*/
//	case 1 /*line :31:31*/ : // Get("/600/HelloWorld1").wait
//		/*line :31:32*/ txt, ready := c.fut1.Poll(w)
//		/*line :31:32*/ if !ready {
//			/*line :31:32*/ c.state = 1
//			/*line :31:32*/ return struct{}{}, false
//		}
//
// gofmt puts a directive that follows a blank line or a comment on a line
// of its own, where it would name the next line: blank lines before a
// statement of Poll are dropped, and after a comment the directive moves
// to the comment's first line, counted back over the lines the comments
// take (the statement's line is then right, its column is the generated
// code's). The count follows the printer: a // comment ends its line, and
// /* */ comments after one go on a line of their own, the statement on the
// next. A comment the passes would lose, put before a statement once its
// directive is written (keepAllComments), has the directive written
// again, counted for both.
//
// A function literal's statements each start a line, as every statement
// of Poll does: a literal the source writes on one line takes several,
// and what follows its closing brace would count on from the last of
// them. A directive at the end of the last statement, naming the line
// before the brace's, gives the brace its own line back:
//
//	/*line :466:3*/ go func(a int, s string) {
//		/*line :466:30*/ ok <- a*10 + len(s) /*line :465:1*/
//	}(at(466, depth), s)
//
// So, wherever Poll's text has fewer lines than the source, or other
// ones:
//
//   - an expression that spans lines and is replaced by a temporary
//     (f(g(\n1,\n).wait, h()) becomes f(out1, h())) is followed by a
//     directive naming where it ended, for what follows it; a replacement
//     takes the replaced expression's line break and comments;
//   - the clauses of a select's dispatch, printed without their bodies,
//     each have a directive after the case keyword;
//   - the specs of a var group each take their own line;
//   - comments on lines of their own after a statement go to the start
//     of the next one, where its directive is counted for them.
//
// testdata/positions and TestPositions check lines at run time, columns
// through go vet, and that every statement lands where a node of the
// source begins; the random programs (randprog's Positions) check the
// lines of here(N) statements and at(N, x) operands at random places.
// The reference program (Reference) keeps the .gocoro's lines too, with
// a /*line file:L*/ comment before each line whose line the ones before
// it do not count to (its comments are dropped), so that what both print
// of positions is the same.
//
// A file read by people more than by debuggers (the repository's examples)
// can be written with corofy -sparse, which keeps only the directives a
// panic's line needs (SparseLines): a directive that shifts the lines after
// it as the one before does says nothing new, and one whose lines hold
// nothing that can panic or be a frame of a stack trace (the not-ready
// return, a state change, a fallthrough) says nothing a panic will ask.
// The same part of Poll then reads
//
//	fallthrough
//	case 1: // Get("/600/HelloWorld1").wait
//		/*line :31:32*/ txt, ready := c.fut1.Poll(w)
//		if !ready {
//			c.state = 1
//			return struct{}{}, false
//		}
//
// and panics and stack traces show the same .gocoro lines (TestSparseLines
// compares every node that can panic, TestPositions runs a sparse copy);
// columns, coverage blocks and breakpoints need the full directives.
//
// # Comments
//
// No comment of the source is lost. A statement kept whole keeps its
// comments; a wait's statement gives its comments to the statement that
// stores its future, the first of its line:
//
//	x := num(1).wait // define
//
// becomes, in the state before the wait,
//
//	c.fut1 = num(1) // define
//
// The comments on the parts of an if, a loop, a switch or a select that
// waits (after an opening brace, on a case line, before a closing brace)
// go before the next statement made from it. Whatever shape carried a
// comment, a last pass (keepAllComments) checks that every comment of the
// coroutine is in the output and puts any that is not before the first
// statement of Poll that comes from its line or a later one. TestCommentsKept
// checks the golden cases, and the random programs (with their Comments
// feature) check every program.
//
// # The passes
//
// Each coroutine goes through these passes, in this order (machine.build);
// each file states at its top what its pass leaves for the next one.
//
//  1. Resolve (index.go, see Resolve): every identifier of the body is
//     bound to what it denotes in the type-checked source, once; copies
//     keep the binding.
//  2. Desugar (desugar.go, lift.go): the body in a smaller language:
//     one spec per waiting var declaration, bare returns with named
//     results and defers, no local type or constant.
//  3. Order (order.go): for each statement, and each head expression of
//     a compound statement where Go evaluates it, the steps that evaluate
//     it in gc's order: "tmpK := e", "outK := x.wait" and "condK := x && y".
//     The table of gc's rules is at the top of order.go.
//  4. Cut (flow.go, split.go): the ordered body becomes states, the cases
//     of Poll. Each ends in a jump to another state, a return, or a wait,
//     which stores the future and starts the state that polls it.
//     Compound statements with waits become states joined by jumps;
//     statements without waits are copied whole, their break, continue
//     and goto turned into jumps where they leave for a cut statement.
//  5. Control flow (cfg.go): each state gets its terminator (a jump, a
//     dispatch, a return, another terminating statement, or running off
//     its end, where the coroutine completes) and its exits, in the order
//     of the code: every jump and every completion, each with its guards
//     (the branches and clauses around it). Liveness reads the successors
//     there, and corofy -graph (graph.go) draws the exits, labelled with
//     their guards as the generated code prints them; the tests read the
//     graph off the printed Poll again and compare.
//  6. Storage (vars.go): liveness over the state graph, on bitsets,
//     decides which variables live across a state boundary and become
//     fields; which of those are cells (their address is taken in a loop);
//     which temporaries share a field.
//  7. Names (names.go, see Names): one owner per kind of name.
//  8. Lower (lower.go, positions.go): each state's case of Poll in its
//     final Go: the variables named as storage decided (c.x, *c.x, or
//     their name in Poll), each wait its poll and not-ready return, each
//     jump "state = N; continue" or a fallthrough, each return the
//     machine's completion, each defer a push onto the deferred calls,
//     with line directives. Its last step (bindings.go) walks the cases
//     it wrote: an identifier that still names a stored variable as a
//     local, or a local by another name than Poll's, would compile
//     wherever another object of that name is in scope, and mean that
//     object; it is an internal error, never code.
//  9. Emit (emit.go, comments.go): the constructor, the machine's type
//     and Poll assembled around those cases, and the user's comments.
//     It decides nothing: it reads the storage decisions, the waits'
//     futures and the lowered cases, never the body.
//  10. Print (chunks.go, text.go, splice.go, format.go): each machine,
//     once built, is written as Go text straight from its trees while
//     the next are built (as dst's restorer and go/printer would print
//     it, less their work: text.go), and stands in the file as a
//     placeholder, as runs of
//     declarations without coroutines do (copied as their text, never
//     decorated). The file is restored and printed around the
//     placeholders, their texts put in, and the whole formatted in
//     pieces, cut at blank lines between declarations, several at once
//     (those of a long run of copied declarations while the machines
//     are built).
//     The output is the one of the whole file restored and formatted at
//     once (the tests check it), in time and memory that grow with one
//     machine, not with the file.
//
// To see what each pass made of a coroutine, set COROFY_DUMP to its name
// (T.M for a method, or a path.Match pattern such as "*"), as the
// compiler's GOSSAFUNC does:
//
//	COROFY_DUMP=sum corofy main.gocoro
//
// prints, on standard error, the desugared body, the ordered body cut into
// states with its jumps and each state's terminator and exits, and where
// each variable is stored:
//
//	== sum: ordered and cut into 3 states
//	state 0
//		tmp1 := double(a)
//		c.fut1 = runtime.Ready(b)
//		goto state1
//		(ends in a jump; exits to state 1)
//	state 1: polls fut1 (runtime.Ready(b).wait) into out1
//		c.fut2 = runtime.Ready(tmp1 + out1)
//		goto state2
//		(ends in a jump; exits to state 2)
//	state 2: polls fut2 (runtime.Ready(double(a) + runtime.Ready(b).wait).wait) into total
//		return total
//		(ends in a return; exits to done)
//	== sum: storage
//		tmp1 int: field tmp1 [temporary]
//		out1 int: local of Poll [temporary]
//		...
//
// # Desugaring
//
// Before the body is cut into states, desugar.go rewrites it into a
// smaller language, and each later step may rely on it:
//
//   - A var declaration that waits declares one spec: the specs of a block
//     are sequential, a later spec may read an earlier one, also across a
//     wait, so "var ( a = x.wait; b = len(a) + y.wait )" becomes
//     "var a = x.wait" then "var b = len(a) + y.wait". A comment before a
//     spec goes before its var, where it takes the lines it took in the
//     block, so that the spec's code stays on its own line; one after the
//     last spec, before the block's ")", ends the last var.
//   - In a coroutine with named results that defers calls, every return
//     is a bare return: "return e1, e2" becomes "r1, r2 = e1, e2" and
//     "return", which evaluates each operand once, in order, then assigns
//     the results, then completes the machine and runs the deferred calls,
//     which see and may change the results ("r = r" is left out).
//   - Local types and constants are declared at package level (next
//     section).
//   - A constant expression has no wait: Go does not evaluate it, so in
//     unsafe.Sizeof(f.wait) f is never polled. The expression is written
//     as its value, uintptr(8).
//
// The statements desugaring makes take the source positions of those
// they replace, and their identifiers are the user's own, moved, so they
// keep what they denote (see Resolve).
//
// # Local types and constants
//
// A type or constant declared in the body is visible to the end of its
// block, but each state is a case of Poll's switch, a scope of its own, and
// a stored variable's type must be named where the machine's struct is
// declared. A declaration in a statement list that no wait cuts (nor a
// goto's label) stays where it is: the list is copied into one case, where
// it keeps its scope and its name. Every other local type and constant of
// the body (outside closures) lift.go declares at package level, under its
// own name where it is free in the package and means nothing else in the
// coroutine, else under a fresh one (celsius2); its uses are renamed.
// Keeping the name keeps what %T prints (main.point); a type that must
// take a fresh name shows it in %T, %#v and reflection, where Go shows its
// own, and corofy warns of each (testdata/script/liftname.txtar). In a
// generic coroutine the moved types take the coroutine's type parameters,
// as Go names a local type of a generic function: main.holder[int]; a
// generic local type takes them before its own (pair[U any] in gcell[T]
// is pair[T, U] at package level, and an own parameter that hid one of
// the coroutine's is renamed). As a type argument Go numbers a local
// type, main.Box[main.local·1] (the package's local types in order); a
// type declared at package level has no number, and the local types after
// it in the coroutine another one: corofy warns of each such type argument
// (testdata/script/lifttypearg.txtar).
//
//	type point struct{ x, y int }      type point struct{ x, y int }
//	p := point{1, 2}                   (package level)
//	_ = after("a", 1, 0).wait          ...
//	                                   c.p = point{1, 2}
//
// An embedded field is named after its type, so a type that took a fresh
// name would embed as another field: the body keeps the type's own name
// there, and each case of Poll that embeds it declares that name as an
// alias first (two sibling blocks that each declare a type C and embed
// it, as Go's test/fixedbugs/issue50190.go does, with waits in them):
//
//	{                                  type C3 = int32   (package level)
//		type C = int32                 ...
//		_ = after("a", 1, 0).wait      case 2:
//		x = struct{ C }{}                  type C = C3 // the local type C, which a struct embeds
//	}                                      ...
//	                                       x = struct{ C }{}
//
// Where the alias would hide another C that the same case names, or the
// struct is the type of a stored variable (a field of the machine, at
// package level), corofy refuses it and says why.
//
// A constant whose value reads a local variable (len(a) of an array) is
// declared with its value; a type that does is refused, with its position.
//
// # Resolve
//
// What an identifier denotes, and an expression's type and position, are
// found from the node through the decorator's map to the type-checked
// source. A node the transform copies (a named result read twice, a
// receiver expression) is copied with typed.clone, which maps the copy to
// the same source, so a copy never loses its binding; nodes the transform
// makes itself refer to their variables through the identifiers of
// machine.ident.
//
// The decorator's source is not the type checker's parse but a second,
// clean parse (the type checker's has each x.wait lowered to a call) of
// the file's compact text (compact.go): the file with its runs of
// declarations copied as text (splice.go) left blank, their lines kept.
// A node's line and column are the source's; its offsets are the clean
// parse's, by which the type checker's record is indexed (index.go).
//
// That parse and its decoration need no types but one answer: the
// package a qualified identifier names (the decorator makes fmt.Println
// an identifier of path "fmt"). They are made while the go command lists
// the package and the type checker checks it (early.go), the answers
// guessed from the file's imports; once the record is indexed, every
// answer is checked against it, and where one was wrong (a local named
// fmt, a package whose name is not its path's last element) the file is
// decorated again. The output never depends on a guess.
//
// # Names
//
// One owner hands out each kind of name, and no name a user can write
// changes the meaning of the generated code:
//
//   - Package level (packageNamer, one per package): machine types and
//     lifted declarations. It starts with every name the package declares
//     or imports, in any file (a dot import's: every exported name of the
//     package it imports, which a local type Reader, in a file with import
//     . "strings", cannot be at package level), and every predeclared
//     name. The machine of
//     foo is fooCoroutine, of the method T.foo tFooCoroutine; when that is
//     taken (a declaration of the package, another coroutine's machine,
//     VarArgs and varArgs, box.Run and boxRun) it is fooCoroutine2, and so
//     on. It also differs from the coroutine's parameters, which are in
//     scope where the constructor names it.
//   - Poll's receiver and locals (c, w, state, ready, outK, tmpK) never
//     hide a name the body uses, nor a name the file imports a package
//     under (the tree names a package by its path): when the body uses c,
//     or the file imports c "fmt", the receiver is co.
//   - The machine's fields are named after the variables they store; state,
//     futK and the rest avoid those names, and no field is named Poll.
//   - A variable of the coroutine named like a predeclared identifier
//     (true, nil, len, string), which the generated code writes in its
//     scope, or Poll, is renamed: true2.
//   - A variable declared at state level (where Go had a block, the case
//     now is the scope) gets a name unique among such variables and the
//     coroutine's parameters and results, and free of every name the
//     package declares, imports or predeclares: a block's level := "block"
//     beside a package-level level becomes level2.
//   - A package the file imports more than once (import "fmt"; import f
//     "fmt"; import . "fmt") is named in the tree, by its path, only
//     through its first import that is not blank; f.Println stays a
//     selector, whose f no local of Poll hides, and each import keeps its
//     name (imports.go).
//   - The runtime package is imported under runtime, or under
//     corofyruntime where the file declares runtime otherwise; another
//     package the generated code names (the type of a stored variable,
//     syscall.RawConn) and the file does not import is imported under a
//     name nothing of the file has (syscall2 beside a var syscall).
//   - Go's predeclared names the generated code writes (int, bool, nil,
//     true, len, new, panic and the basic types) have no other name: a
//     package-level declaration that hides one (const int = 15), an
//     import under one (import bool "fmt") or a type parameter named like
//     one ([int any]) is refused at its position; the names it does not
//     write (max, copy), and an alias of the same type (type any =
//     interface{}), are not.
//   - A blank result beside named ones gets a name of its own (result2),
//     for the machine to hold it.
//
// ReservedNames lists the names a user could write that the generated
// code also uses; the random program generator names locals after them.
package transform
