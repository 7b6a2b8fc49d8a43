//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
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
// path is the request target as it goes on the wire: a path that is empty or
// holds a space or a control character (CR, LF, ...) fails with an error
// wrapping [ErrInvalidTarget], and nothing is sent.
//
// The whole response is kept in memory, so its size is limited: to
// [DefaultMaxResponseSize] bytes, or to what [HTTPGetFuture.Limit] sets. A
// longer response ends the request with an error wrapping
// [ErrResponseTooLarge] as soon as it is known (at the headers, when
// Content-Length announces too much), the socket closed and the bytes read
// so far dropped: memory stays proportional to the limit whatever the server
// sends. [HTTPStream] reads a body of any size chunk by chunk instead.
//
// A response whose Content-Length is not a plain decimal number (negative,
// signed, a list) or that announces two different lengths is an error, as
// soon as its headers are in: where its body ends cannot be known.
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

// DefaultMaxResponseSize is the most bytes of a response, status line and
// headers included, that an [HTTPGet] keeps in memory, and of the head (status
// line and headers) that an [HTTPStream] does, unless [HTTPGetFuture.Limit]
// or [HTTPStreamFuture.Limit] sets another limit: 16 MiB.
const DefaultMaxResponseSize = 16 << 20

// ErrInvalidTarget is wrapped by the error of an [HTTPGet] or [HTTPStream]
// whose path cannot be sent as the request target: it is empty, or it has a
// space or a control character (CR and LF among them, which would add
// headers to the request or a second request to the connection). Such a
// request fails at its first poll, before it connects. Percent-encode those
// bytes (url.PathEscape) to send them.
var ErrInvalidTarget = errors.New("invalid request target")

// checkTarget verifies that path can be written as the request target of
// the request line: not empty, no space, no control character.
func checkTarget(path string) error {
	if path == "" {
		return fmt.Errorf("%w: empty", ErrInvalidTarget)
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("%w: byte %#02x at offset %d", ErrInvalidTarget, c, i)
		}
	}
	return nil
}

// ErrResponseTooLarge is wrapped by the error of an [HTTPGet] whose response
// is longer than its limit, and of an [HTTPStream] whose head is.
var ErrResponseTooLarge = errors.New("response larger than the limit")

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
	limit      int  // 0: DefaultMaxResponseSize; -1: Limit was given no positive size
	stream     bool // complete at the end of the head (HTTPStream)
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

// readChunk is the least free room the response buffer gets for a read,
// unless the limit leaves less.
const readChunk = 4096

// Limit sets the most bytes of the response the future keeps in memory,
// status line and headers included, in place of [DefaultMaxResponseSize],
// and returns f; call it before the first poll:
//
//	resp := runtime.HTTPGet(addr, "/big").Limit(64 << 20).wait
//
// n must be positive; otherwise the request fails at its first poll.
func (f *HTTPGetFuture) Limit(n int) *HTTPGetFuture {
	f.limit = -1
	if n > 0 {
		f.limit = n
	}
	return f
}

// maxSize returns the limit on the bytes kept in memory.
func (f *HTTPGetFuture) maxSize() int {
	if f.limit == 0 {
		return DefaultMaxResponseSize
	}
	return min(f.limit, math.MaxInt-1) // one byte more must be countable
}

// Poll implements [Future].
func (f *HTTPGetFuture) Poll(w Waker) (Response, bool) {
	if f.state == httpDone {
		panic("runtime: HTTPGet future polled after completion")
	}
	done, err := f.advance(w)
	switch {
	case err != nil:
		return Response{Err: f.fail(err)}, true
	case !done:
		return Response{}, false
	}
	return f.complete()
}

// advance is a small state machine: each state falls through to the next as
// soon as its operation has succeeded, so a poll does all that can be done
// without blocking. It reports whether the response (or, for a stream, its
// head) has been read; the caller completes or fails the future.
func (f *HTTPGetFuture) advance(w Waker) (bool, error) {
	r, err := DefaultReactor()
	if err != nil {
		return false, err
	}
	if f.state == httpStart {
		if t := tracer(TraceFirstPoll); t != nil {
			fmt.Fprintln(t, "FIRST POLL - START OPERATION")
		}
		if f.limit < 0 {
			return false, errors.New("Limit of a size that is not positive")
		}
		if err := checkTarget(f.path); err != nil {
			return false, err
		}
		if err := f.start(); err != nil {
			return false, err
		}
	}
	if f.state == httpConnecting {
		if err := f.wait(r, w, Writable); err != nil {
			return false, err
		}
		connected, err := connectDone(f.fd())
		if err != nil {
			return false, err
		}
		if !connected {
			return false, nil
		}
		f.state = httpWriting
	}
	if f.state == httpWriting {
		if err := f.write(r, w); err != nil {
			return false, err
		}
		if f.state == httpWriting {
			return false, nil
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

// read reads what has arrived, as long as the response stays within the
// limit. It reports whether the response is complete: at end of file, when
// the body announced by Content-Length is in, or, for a stream, when the
// head is.
func (f *HTTPGetFuture) read(r *Reactor, w Waker) (bool, error) {
	if err := f.wait(r, w, Readable); err != nil {
		return false, err
	}
	limit := f.maxSize()
	for {
		// Here len(f.response) <= limit, and grow leaves room for at least
		// one byte: a read that comes back with 0 bytes is end of file.
		if cap(f.response)-len(f.response) < readChunk {
			f.grow(limit)
		}
		n, err := readFD(f.fd(), f.response[len(f.response):cap(f.response)])
		switch {
		case err == unix.EAGAIN:
			return false, nil
		case err != nil:
			return false, os.NewSyscallError("read", err)
		case n == 0:
			return true, nil
		}
		f.response = f.response[:len(f.response)+n]
		if f.bodyStart == 0 {
			if err := f.findBody(); err != nil {
				return false, err
			}
			if f.bodyStart > 0 {
				if err := f.checkSize(limit); err != nil {
					return false, err
				}
				if f.stream {
					return true, nil
				}
			}
		}
		if len(f.response) > limit {
			return false, tooLarge(limit)
		}
		if f.bodyStart > 0 && f.bodyLength >= 0 && len(f.response)-f.bodyStart >= f.bodyLength {
			// The whole announced body is in: done without waiting for
			// the server's FIN, which may come as a separate event (one
			// more wake and sleep for nothing).
			return true, nil
		}
	}
}

// grow makes room for the next read in the response buffer, doubling it but
// never beyond limit+1 bytes: one byte over the limit is how a response is
// known too large, so the buffer, and every buffer allocated on the way,
// stays proportional to the limit.
func (f *HTTPGetFuture) grow(limit int) {
	most := limit + 1
	if cap(f.response) >= most {
		return
	}
	size := min(max(2*cap(f.response), len(f.response)+readChunk), most)
	buf := make([]byte, len(f.response), size)
	copy(buf, f.response)
	f.response = buf
}

// checkSize fails a response whose head, or, for a whole response, head and
// announced body, are longer than limit, once the head is in.
func (f *HTTPGetFuture) checkSize(limit int) error {
	if f.bodyStart > limit || !f.stream && f.bodyLength > limit-f.bodyStart {
		return tooLarge(limit)
	}
	return nil
}

func tooLarge(limit int) error {
	return fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, limit)
}

// complete checks the response read so far and completes with it.
func (f *HTTPGetFuture) complete() (Response, bool) {
	raw := string(f.response)
	if err := checkResponse(raw); err != nil {
		return Response{Err: f.fail(err)}, true
	}
	f.finish()
	return Response{Raw: raw}, true
}

// findBody notes where the body starts and its Content-Length, once the
// headers have arrived; a bad Content-Length is an error at once.
func (f *HTTPGetFuture) findBody() error {
	end := bytes.Index(f.response, []byte("\r\n\r\n"))
	if end < 0 {
		return nil
	}
	length, _, err := parseHead(string(f.response[:end]))
	if err != nil {
		return err
	}
	f.bodyStart, f.bodyLength = end+4, length
	return nil
}

func (f *HTTPGetFuture) finish() {
	f.state = httpDone
	f.response = nil
	if f.sock != nil {
		f.sock.release()
	}
}

// fail ends the request and returns err, naming the request.
func (f *HTTPGetFuture) fail(err error) error {
	f.finish()
	target := f.path
	if checkTarget(target) != nil {
		target = strconv.Quote(target) // no control characters in messages
	}
	return fmt.Errorf("runtime: GET %s%s: %w", f.addr, target, err)
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
	if err := checkStatus(raw); err != nil {
		return err
	}
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return fmt.Errorf("%w (in the headers): %w", errTruncated, io.ErrUnexpectedEOF)
	}
	length, chunked, err := parseHead(head)
	if err != nil {
		return err
	}
	if length >= 0 && len(body) < length {
		return fmt.Errorf("%w (%d of %d body bytes): %w", errTruncated, len(body), length, io.ErrUnexpectedEOF)
	}
	if chunked && !strings.HasSuffix(body, "0\r\n\r\n") {
		return fmt.Errorf("%w (no last chunk): %w", errTruncated, io.ErrUnexpectedEOF)
	}
	return nil
}

// checkStatus verifies that raw starts like an HTTP/1.x response.
func checkStatus(raw string) error {
	if !strings.HasPrefix(raw, "HTTP/1.") {
		if raw == "" {
			return fmt.Errorf("empty response: %w", io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("not an HTTP/1 response: %q", truncate(raw, 40))
	}
	return nil
}

// errBadContentLength is wrapped by the error of a response whose
// Content-Length is not one decimal number of bytes.
var errBadContentLength = errors.New("bad Content-Length")

// parseContentLength parses the value of a Content-Length header: decimal
// digits only (no sign, no space, no list), within an int.
func parseContentLength(value string) (int, error) {
	for i := 0; i < len(value); i++ {
		if value[i] < '0' || value[i] > '9' {
			return 0, fmt.Errorf("%w %q", errBadContentLength, value)
		}
	}
	n, err := strconv.Atoi(value)
	if err != nil { // empty, or too large
		return 0, fmt.Errorf("%w %q", errBadContentLength, value)
	}
	return n, nil
}

// parseHead reads the framing of the body from the head (status line and
// headers, without the empty line): the Content-Length (-1 if none) and
// whether the body is chunked. A Content-Length that is not a decimal number
// (negative, signed, a list, too large) or is given twice with different
// values is an error: the response's end could not be known.
func parseHead(head string) (length int, chunked bool, err error) {
	length = -1
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			n, err := parseContentLength(value)
			if err != nil {
				return 0, false, err
			}
			if length >= 0 && n != length {
				return 0, false, fmt.Errorf("%w: two different values, %d and %d", errBadContentLength, length, n)
			}
			length = n
		case "transfer-encoding":
			chunked = chunked || strings.EqualFold(value, "chunked")
		}
	}
	return length, chunked, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
