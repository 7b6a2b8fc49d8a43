// Package bookhttp is the leaf future of the book's chapter 7: an HTTP GET to
// the delay server that can be polled to completion without ever blocking.
//
// Chapter 7 builds coroutines before it has a runtime. A coroutine is a state
// machine whose poll runs until the next wait and returns; whatever drives it
// (in chapter 7, a loop in main) must call poll again later. At the bottom of
// every chain of waits there is a leaf future that does real I/O, and this is
// it. [Get] only records the path: futures are lazy, and nothing happens
// until the first [GetFuture.Poll]. That poll prints
//
//	FIRST POLL - START OPERATION
//
// opens a non-blocking TCP socket, starts connecting to the delay server at
// [Addr] and sends
//
//	GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n
//
// Every poll then reads whatever has arrived. When the server closes the
// connection the future is complete, and its value is the whole raw response:
// status line, headers and body.
//
// Why no reactor yet: nothing in chapter 7 can tell the program when the
// socket becomes readable; that is the job of chapter 8's reactor, which sits
// in epoll and calls the task's waker. Without one, a poll that finds no data
// (EAGAIN) can only say "not ready, try me again", so it calls w.Wake itself
// before returning. Under chapter 7's busy-polling main that changes nothing;
// under an executor that sleeps until woken it keeps the future correct, at
// the cost of polling it over and over. The socket calls go straight to the
// OS (golang.org/x/sys/unix) rather than through package net, whose blocking
// style would hide exactly what the book is showing.
//
// Errors are not values here: like the book's Http::get, a failed connect,
// write or read panics, with the path and the cause in the message.
package bookhttp

import (
	"fmt"
	"io"
	"os"
	goruntime "runtime"

	"github.com/corofy/corofy/runtime"
)

// Addr is the delay server's host:port; examples set it. It is read at a
// future's first poll. The host "localhost" means 127.0.0.1, as in the book.
var Addr = "localhost:8080"

// stdout receives the FIRST POLL line; tests replace it.
var stdout io.Writer = os.Stdout

// state is how far a GetFuture has got. Poll moves it forward only.
type state int

const (
	start      state = iota // not polled yet: no socket
	connecting              // connect returned EINPROGRESS
	writing                 // connected; request partly written
	reading                 // request written; reading to EOF
	done                    // completed or failed; the socket is closed
)

// GetFuture is a lazy HTTP GET to the delay server, resolving to the raw
// response. Create it with [Get] and drive it with [GetFuture.Poll]. It
// implements [runtime.Future] of string.
type GetFuture struct {
	path     string
	state    state
	addr     string // Addr at the first poll, for messages
	fd       int    // the socket while state is connecting, writing or reading
	request  []byte // the part of the request not written yet
	response []byte
	cleanup  goruntime.Cleanup // closes fd if the future is dropped unfinished
}

var _ runtime.Future[string] = (*GetFuture)(nil)

// Get returns a future for GET path (for example "/600/HelloWorld1") from the
// delay server at [Addr]. It does nothing else: the request starts at the
// future's first poll.
func Get(path string) *GetFuture {
	return &GetFuture{path: path, fd: -1}
}

// Poll advances the request as far as it can without blocking. It returns
// the raw response and true once the server has closed the connection;
// otherwise it calls w.Wake, because there is no reactor to do it later,
// and returns "" and false.
//
// Poll panics if the request fails, and if it is called again after it
// returned true or panicked.
func (g *GetFuture) Poll(w runtime.Waker) (string, bool) {
	for {
		switch g.state {
		case start:
			fmt.Fprintln(stdout, "FIRST POLL - START OPERATION")
			g.startConnect()
			// Like the book's Http::get, the first poll only starts the
			// operation. (Reading on, a fast response could complete within
			// it, and join_all would print it before polling the others.)
			return g.notReady(w)
		case connecting:
			if !g.connected() {
				return g.notReady(w)
			}
			g.state = writing
		case writing:
			if !g.write() {
				return g.notReady(w)
			}
			g.state = reading
		case reading:
			if !g.read() {
				return g.notReady(w)
			}
			g.close()
			return string(g.response), true
		default:
			panic(fmt.Sprintf("bookhttp: GetFuture for %s polled after completion", g.path))
		}
	}
}

// notReady asks to be polled again, since nothing else will wake the task,
// and returns Poll's not-ready result.
func (g *GetFuture) notReady(w runtime.Waker) (string, bool) {
	w.Wake()
	return "", false
}
