// Package vet defines Analyzer, which reports misuse of corofy's
// coroutines and futures, at positions in the .gocoro files.
//
// It analyzes a package as the go command sees it: the files corofy
// generated from .gocoro files, and the package's other Go files. Run it
// with corofy vet, or with go vet and the tool cmd/corofy-vet:
//
//	corofy vet ./...
//
//	go install github.com/corofy/corofy/cmd/corofy-vet
//	go vet -vettool=$(go env GOPATH)/bin/corofy-vet ./...
//
// # Futures that are never waited
//
// A future does nothing until it is polled: calling a coroutine only
// stores its arguments. A call that makes a future and drops it does
// nothing at all, the classic async bug that Rust's must_use warns about.
// In every file of the package, plain Go included, the analyzer reports a
// call whose result is a future (a type with a method
// Poll(runtime.Waker) (T, bool)) and that is
//
//   - a statement: request(1), in a coroutine where request(1).wait was
//     meant, or in main where runtime.BlockOn(request(1)) was;
//   - assigned to _ in a function: _ = request(1);
//   - the call of a go or defer statement, whose result is dropped.
//
// A future that is stored, passed, returned, polled, waited or spawned is
// not reported, nor are a method that returns its own receiver (a setter
// such as HTTPGetFuture.Limit), a runtime.JoinHandle (its task runs
// whether the handle is waited or not: runtime.Spawn(f).wait drops one on
// purpose), the outputs of Poll, and a package-level "var _ T = f()",
// which asserts a type.
//
// # Calls that block the executor
//
// An executor polls its tasks one at a time on its thread. A coroutine
// body that blocks that thread blocks every task of the executor, and,
// if what it waits for is another of those tasks, forever. In the bodies
// of coroutines the analyzer reports, with what to use instead:
//
//   - time.Sleep, and receiving from time.After or time.Tick:
//     runtime.Sleep(d).wait;
//   - a channel receive or send, except as the case of a select with a
//     default case; a select without a default case; a range over a
//     channel: a select with a default case, or the operation in
//     runtime.SpawnBlocking(func() T { ... }).wait;
//   - sync.Mutex.Lock, sync.RWMutex.Lock and RLock held across a .wait:
//     the coroutine can be suspended at the wait (it returns from Poll)
//     before it calls Unlock (RUnlock) on the same mutex, named by the same
//     expression, deferred Unlocks included, which run when the coroutine
//     ends. Every other task and goroutine that locks the mutex then
//     blocks its thread, and a task of the same executor never gets it
//     back. Unlock before the .wait;
//   - net.Dial and its variants, net.Dialer.Dial and DialContext:
//     runtime.Connect(addr).wait;
//   - Read and Write on the connections of package net: those of a
//     runtime.Conn; Accept on its listeners: runtime.Listen and
//     l.Accept().wait;
//   - http.Get, Head, Post, PostForm and the same methods of http.Client,
//     and Client.Do: runtime.HTTPGet(addr, path).wait or
//     runtime.HTTPStream, or the request in runtime.SpawnBlocking;
//   - exec.Cmd.Run, Output, CombinedOutput and Wait, sync.Cond.Wait:
//     runtime.SpawnBlocking;
//   - sync.WaitGroup.Wait: the tasks' JoinHandles (runtime.Spawn), or
//     runtime.SpawnBlocking;
//   - runtime.BlockOn, BlockOnNamed and Await (which run a second executor
//     on the thread of the first): .wait; runtime.Thread.Join: a task of
//     runtime.Spawn and its JoinHandle.
//
// The list is short on purpose: calls that wait for time, the network,
// another process or other goroutines, not every call that may take a
// while (reading a file is not reported). The channel rules cannot know
// that a buffered channel has room or a value: such an operation does
// not block, and is still reported.
//
// A coroutine body is the Poll method of the coroutine's state machine,
// without the function literals it does not call at once (a closure given
// to runtime.SpawnBlocking runs on a goroutine of its own) and without go
// statements. Code outside coroutines, hand-written futures included, is
// not checked for blocking calls, nor are the functions a coroutine
// calls.
//
// # Several results passed as one value
//
// A wait for a coroutine with two or three results gives them as one
// value, which a, b := f().wait unpacks. Given as it is to a parameter of
// interface type, it stays one value: fmt.Println(divmod(7, 2).wait)
// prints {3 1}, where Go's fmt.Println(divmod(7, 2)) passes the results
// one by one and prints 3 1. In the bodies of coroutines the analyzer
// reports such a wait when it is written in the call's arguments:
//
//	main.gocoro:9:14: divmod(7, 2).wait is one value that holds the 2 results of divmod: fmt.Println gets them as one struct, not one by one as Go's f(g()) passes them; unpack them first (a, b := divmod(7, 2).wait)
//
// Other parameters need no check: a parameter of another type, or two
// parameters, do not take such a value, and corofy says so. A variable
// declared for the value (t := divmod(7, 2).wait) is not reported when
// it is printed: it was written as one value.
//
// # Stale generated files
//
// A generated file starts with the record of its source (see
// transform.ParseHeader). When the .gocoro file next to it changed since,
// or another version of corofy generated it, the analyzer reports it at
// its first line:
//
//	main_corofied.go:1:1: main_corofied.go is stale: main.gocoro changed since it was generated; run corofy main.gocoro
//
// The .gocoro file is not one of the package's files, so it is read with
// os.ReadFile. A generated file whose source is missing is not reported.
//
// # Coroutine code and positions
//
// A file is generated code when it starts with corofy's two header lines.
// A coroutine's state machine is a method Poll of such a file that sets
// its state to runtime.StatePoisoned, which only machines do: a
// hand-written future in a .gocoro file is not taken for one.
//
// Every statement of a machine carries a /*line file.gocoro:L:C*/
// directive, so that the //line-adjusted position of a generated
// statement, which go vet prints, is that of the source it stands for.
// An expression in it is printed at another column than in the source
// (c.x for the stored variable x): the analyzer finds the column of the
// call or receive it reports on the .gocoro line, and reports at a
// position that the directives map there. A statement that corofy adds
// without a position (the receive of a range loop over a channel whose
// body waits) is reported at the statement with a position before it. In
// a file generated with corofy -l, without directives, positions are
// those of the generated file. A reference program (corofy -reference)
// has no machines: only its dropped futures are reported.
package vet
