//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// HTTPGet returns the book's HTTP GET leaf future (its Http::get): at the
// first poll it connects to addr ("127.0.0.1:8080", "localhost:8080"),
// writes
//
//	GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n
//
// registers the socket with the reactor for readability, and then reads
// until the server closes the connection (or until the body announced by
// Content-Length is complete), refreshing its Waker at every poll that is not
// ready. It completes with the raw response (status line, headers, body) or
// an error in [Response.Err]. The socket is closed when it completes.
//
// With [SetTrace] and [TraceFirstPoll], the first poll prints the book's
// "FIRST POLL - START OPERATION".
//
// The registration follows the operation: Writable while the connect or the
// request is under way (on loopback, never), Readable for the response; and
// the response is complete when its announced body is, not when the FIN,
// which may come apart from it, arrives. So the future wakes its task once,
// when the response has come, and a program prints the book's executor
// lines: one "Sleep until notified." per wait.
func HTTPGet(addr, path string) *HTTPGetFuture {
	return &HTTPGetFuture{addr: addr, path: path}
}

// Response is the result of an [HTTPGet].
type Response struct {
	Raw string // the whole response as received
	Err error  // why there is no complete response
}

// String returns the raw response, or "error: " and the error: printing a
// Response prints what the book prints.
func (r Response) String() string {
	if r.Err != nil {
		return "error: " + r.Err.Error()
	}
	return r.Raw
}

// Body returns the part of the raw response after the headers.
func (r Response) Body() string {
	_, body, _ := strings.Cut(r.Raw, "\r\n\r\n")
	return body
}

// HTTPGetFuture is the future returned by [HTTPGet].
type HTTPGetFuture struct {
	addr, path string
	state      httpState
	sock       *ownedFD
	request    []byte // what is left to write
	response   []byte
	interest   Interest // what the socket is registered for

	// Once the headers are in: where the body starts and how long it is
	// (-1: not announced, read to end of file).
	bodyStart, bodyLength int
}

type httpState uint8

const (
	httpStart httpState = iota
	httpConnecting
	httpWriting
	httpReading
	httpDone
)

// readChunk is the least free room the response buffer gets for a read.
const readChunk = 4096

// Poll implements [Future]. It is a small state machine: each state falls
// through to the next as soon as its operation has succeeded, so a poll does
// all that can be done without blocking.
func (f *HTTPGetFuture) Poll(w Waker) (Response, bool) {
	if f.state == httpDone {
		panic("runtime: HTTPGet future polled after completion")
	}
	r, err := DefaultReactor()
	if err != nil {
		return f.fail(err)
	}
	if f.state == httpStart {
		if t := tracer(TraceFirstPoll); t != nil {
			fmt.Fprintln(t, "FIRST POLL - START OPERATION")
		}
		if err := f.start(); err != nil {
			return f.fail(err)
		}
	}
	if f.state == httpConnecting {
		if err := f.wait(r, w, Writable); err != nil {
			return f.fail(err)
		}
		connected, err := connectDone(f.fd())
		if err != nil {
			return f.fail(err)
		}
		if !connected {
			return Response{}, false
		}
		f.state = httpWriting
	}
	if f.state == httpWriting {
		if err := f.write(r, w); err != nil {
			return f.fail(err)
		}
		if f.state == httpWriting {
			return Response{}, false
		}
	}
	return f.read(r, w)
}

func (f *HTTPGetFuture) fd() int { return int(f.sock.fd.Load()) }

// start opens the socket and starts the connect.
func (f *HTTPGetFuture) start() error {
	f.request = fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", f.path)
	sa, family, err := sockaddr(f.addr, false)
	if err != nil {
		return err
	}
	fd, err := newSocket(family)
	if err != nil {
		return err
	}
	f.sock = own(f, fd)
	connected, err := startConnect(fd, sa)
	if err == nil && !connected {
		// On loopback the handshake is usually over already: then no
		// registration for writability, whose event would be a wake for
		// nothing.
		connected, err = connectDone(fd)
	}
	if err != nil {
		return err
	}
	if connected {
		f.state = httpWriting
		return nil
	}
	f.state = httpConnecting
	return nil
}

// wait makes the socket registered for in, with w as its Waker, creating
// or changing the registration on the way. The caller then tries its
// operation: with edge-triggered events, readiness is only learnt by trying.
func (f *HTTPGetFuture) wait(r *Reactor, w Waker, in Interest) error {
	switch {
	case f.interest == 0:
		if err := f.sock.register(r, in); err != nil {
			return err
		}
	case f.interest != in:
		if err := r.Reregister(f.fd(), in, f.sock.resource()); err != nil {
			return err
		}
	}
	f.interest = in
	return r.SetWaker(f.sock.resource(), in, w)
}

// write sends what is left of the request; it registers for writability
// only if the socket's buffer is full, which it never is for one request.
func (f *HTTPGetFuture) write(r *Reactor, w Waker) error {
	for len(f.request) > 0 {
		n, err := writeFD(f.fd(), f.request)
		if err == unix.EAGAIN {
			if err := f.wait(r, w, Writable); err != nil {
				return err
			}
			// Try again now that the Waker is in place: room may have
			// appeared before it was.
			n, err = writeFD(f.fd(), f.request)
			if err == unix.EAGAIN {
				return nil
			}
		}
		if err != nil {
			return os.NewSyscallError("write", err)
		}
		f.request = f.request[n:]
	}
	f.request = nil
	f.state = httpReading
	return nil
}

// read reads what has arrived; at end of file it checks the response and
// completes.
func (f *HTTPGetFuture) read(r *Reactor, w Waker) (Response, bool) {
	if err := f.wait(r, w, Readable); err != nil {
		return f.fail(err)
	}
	for {
		if cap(f.response)-len(f.response) < readChunk {
			f.response = append(f.response, make([]byte, readChunk)...)[:len(f.response)]
		}
		n, err := readFD(f.fd(), f.response[len(f.response):cap(f.response)])
		switch {
		case err == unix.EAGAIN:
			return Response{}, false
		case err != nil:
			return f.fail(os.NewSyscallError("read", err))
		case n == 0:
			return f.complete()
		}
		f.response = f.response[:len(f.response)+n]
		if f.bodyStart == 0 {
			f.findBody()
		}
		if f.bodyStart > 0 && f.bodyLength >= 0 && len(f.response)-f.bodyStart >= f.bodyLength {
			// The whole announced body is in: done without waiting for
			// the server's FIN, which may come as a separate event (one
			// more wake and sleep for nothing).
			return f.complete()
		}
	}
}

// complete checks the response read so far and completes with it.
func (f *HTTPGetFuture) complete() (Response, bool) {
	raw := string(f.response)
	if err := checkResponse(raw); err != nil {
		return f.fail(err)
	}
	f.finish()
	return Response{Raw: raw}, true
}

// findBody notes where the body starts and its Content-Length, once the
// headers have arrived.
func (f *HTTPGetFuture) findBody() {
	end := bytes.Index(f.response, []byte("\r\n\r\n"))
	if end < 0 {
		return
	}
	f.bodyStart, f.bodyLength = end+4, -1
	for _, line := range strings.Split(string(f.response[:end]), "\r\n")[1:] {
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, "content-length") {
			if n, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && n >= 0 {
				f.bodyLength = n
			}
		}
	}
}

func (f *HTTPGetFuture) finish() {
	f.state = httpDone
	f.response = nil
	if f.sock != nil {
		f.sock.release()
	}
}

func (f *HTTPGetFuture) fail(err error) (Response, bool) {
	f.finish()
	return Response{Err: fmt.Errorf("runtime: GET %s%s: %w", f.addr, f.path, err)}, true
}

// Cancel implements [Canceler]: a pending GET is abandoned, its socket
// deregistered and closed.
func (f *HTTPGetFuture) Cancel() { f.finish() }

// errTruncated says the server closed the connection before the response
// was complete.
var errTruncated = errors.New("connection closed in the middle of the response")

// checkResponse verifies that raw, read until the server closed the
// connection, is a whole HTTP/1.x response: a status line, the end of the
// headers, and as many body bytes as Content-Length announced (or a
// chunked body's last chunk).
func checkResponse(raw string) error {
	if !strings.HasPrefix(raw, "HTTP/1.") {
		if raw == "" {
			return fmt.Errorf("empty response: %w", io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("not an HTTP/1 response: %q", truncate(raw, 40))
	}
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return fmt.Errorf("%w (in the headers): %w", errTruncated, io.ErrUnexpectedEOF)
	}
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			n, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("bad Content-Length %q", value)
			}
			if len(body) < n {
				return fmt.Errorf("%w (%d of %d body bytes): %w", errTruncated, len(body), n, io.ErrUnexpectedEOF)
			}
		case "transfer-encoding":
			if strings.EqualFold(value, "chunked") && !strings.HasSuffix(body, "0\r\n\r\n") {
				return fmt.Errorf("%w (no last chunk): %w", errTruncated, io.ErrUnexpectedEOF)
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
