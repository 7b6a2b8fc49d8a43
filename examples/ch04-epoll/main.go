// Command ch04-epoll is the book's chapter 4 program: five requests to the
// delay server, one socket each, and one thread that waits for all of their
// responses in one event queue (package poll, the book's tiny mio).
//
// There is no runtime, no future and no coroutine yet: this is what every
// later chapter builds on. main opens five TCP connections, sends request i
// on connection i and registers the socket with the queue, its index as the
// token, edge-triggered (EPOLLIN|EPOLLET). Then it loops: Poll sleeps until
// sockets are readable, and each event's token says which socket to read.
// Because the registration is edge-triggered, each socket is read until the
// kernel has nothing more for it (EAGAIN), or until the server has closed it
// (a read of 0 bytes), which is when that request counts as handled.
//
// Request i waits (5-i)*250 ms: the book's (5-i) seconds, a quarter of them
// as in the other examples. The first request sent waits longest, so the
// responses arrive in reverse order, request-4 first, and the program takes
// about the longest delay, 1.25 s, not the sum. For each read it prints the
// event as the book prints it, the data read, and a separator:
//
//	RECEIVED: Event { events: 1, epoll_data: 4 }
//	HTTP/1.1 200 OK
//	...
//	request-4
//	------
//
// and FINISHED when all five are handled.
//
//	go run ./examples/ch04-epoll
package main

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/corofy/corofy/examples/ch04-epoll/poll"
	"github.com/corofy/corofy/examples/internal/bookhttp"
	"github.com/corofy/corofy/examples/internal/bookmain"
	"golang.org/x/sys/unix"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("ch04-epoll: ")
	defer bookmain.Setup()()
	if err := run(bookhttp.Addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// getReq formats a GET request for path, as the book's get_req does.
func getReq(path string) []byte {
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)
}

// run sends the five requests to the delay server at addr, handles their
// events until all five are done, and prints to w.
func run(addr string, w io.Writer) error {
	p, err := poll.New()
	if err != nil {
		return err
	}
	defer p.Close()
	const nEvents = 5
	var streams []int // socket descriptors; the token of streams[i] is i
	defer func() {
		for _, fd := range streams {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}()
	for i := range nEvents {
		delay := (nEvents - i) * 250
		stream, err := connect(addr)
		if err != nil {
			return err
		}
		streams = append(streams, stream)
		if err := sendNonblocking(stream, getReq(fmt.Sprintf("/%d/request-%d", delay, i))); err != nil {
			return err
		}
		if err := p.Registry().Register(stream, i, poll.EPOLLIN|poll.EPOLLET); err != nil {
			return err
		}
	}

	handled := 0
	for handled < nEvents {
		events := make(poll.Events, 0, 10)
		if err := p.Poll(&events, -1); err != nil {
			return err
		}
		if len(events) == 0 {
			fmt.Fprintln(w, "TIMEOUT (OR SPURIOUS EVENT NOTIFICATION)")
			continue
		}
		n, err := handleEvents(w, events, streams)
		if err != nil {
			return err
		}
		handled += n
	}
	fmt.Fprintln(w, "FINISHED")
	return nil
}

// handleEvents reads each event's socket until it would block, printing
// what it reads, and returns how many sockets it found closed by the server
// (finished requests).
func handleEvents(w io.Writer, events poll.Events, streams []int) (int, error) {
	handled := 0
	for _, event := range events {
		index := event.Token()
		data := make([]byte, 4096)
	drain:
		for {
			n, err := unix.Read(streams[index], data)
			switch {
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				// Nothing to read now, even if an event said there was: the
				// request is not finished; the next edge brings the rest.
				break drain
			case err != nil:
				return handled, os.NewSyscallError("read", err)
			case n == 0:
				// The server closed the connection: the request is done.
				// Data and close are two edges; if the close came while
				// we read, its event is already queued, and reading past
				// the end would count the request twice. Closing the
				// socket takes it out of the queue, pending event and all.
				unix.Close(streams[index])
				streams[index] = -1
				handled++
				break drain
			}
			fmt.Fprintf(w, "RECEIVED: %v\n", event)
			fmt.Fprintf(w, "%s\n------\n\n", data[:n])
		}
	}
	return handled, nil
}
