//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// HTTPStream returns a future that sends the request [HTTPGet] sends and
// reads the response's head (status line and headers), then completes with
// an [HTTPBody] from which the body is read chunk by chunk, each chunk into a
// buffer of the caller's:
//
//	body, err := runtime.HTTPStream(addr, "/big").wait.Unpack()
//	if err != nil {
//		return err
//	}
//	defer body.Close()
//	buf := make([]byte, 32<<10)
//	for {
//		n, err := body.Read(buf).wait.Unpack()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		use(buf[:n])
//	}
//
// Only the head is kept in memory, limited like an HTTPGet's response
// ([DefaultMaxResponseSize], or [HTTPStreamFuture.Limit]); the body can be of
// any length. It is given as the server sends it, like [Response.Body]: a
// chunked body keeps its chunk framing.
func HTTPStream(addr, path string) *HTTPStreamFuture {
	return &HTTPStreamFuture{get: &HTTPGetFuture{addr: addr, path: path, stream: true}}
}

// HTTPStreamFuture is the future returned by [HTTPStream].
type HTTPStreamFuture struct {
	get *HTTPGetFuture // the request, up to the end of the head
}

// Limit sets the most bytes of the head (status line and headers) the
// future keeps in memory, in place of [DefaultMaxResponseSize], and returns
// f; call it before the first poll. n must be positive; otherwise the request
// fails at its first poll.
func (f *HTTPStreamFuture) Limit(n int) *HTTPStreamFuture {
	f.get.Limit(n)
	return f
}

// Poll implements [Future].
func (f *HTTPStreamFuture) Poll(w Waker) (Result[*HTTPBody], bool) {
	g := f.get
	if g.state == httpDone {
		panic("runtime: HTTPStream future polled after completion")
	}
	done, err := g.advance(w)
	if err == nil && done {
		var body *HTTPBody
		if body, err = g.openBody(); err == nil {
			return Result[*HTTPBody]{Value: body}, true
		}
	}
	if err != nil {
		return Result[*HTTPBody]{Err: g.fail(err)}, true
	}
	return Result[*HTTPBody]{}, false
}

// Cancel implements [Canceler]: a pending request is abandoned, its socket
// deregistered and closed.
func (f *HTTPStreamFuture) Cancel() { f.get.Cancel() }

// openBody hands the socket of a request whose head is in over to an
// HTTPBody, with the body bytes read along with the head.
func (g *HTTPGetFuture) openBody() (*HTTPBody, error) {
	if err := checkStatus(string(g.response[:min(len(g.response), 64)])); err != nil {
		return nil, err
	}
	if g.bodyStart == 0 { // end of file before the end of the head
		return nil, fmt.Errorf("%w (in the headers): %w", errTruncated, io.ErrUnexpectedEOF)
	}
	head := string(g.response[:g.bodyStart-4])
	if _, _, err := parseHead(head); err != nil {
		return nil, err
	}
	b := &HTTPBody{head: head, remaining: int64(g.bodyLength)}
	b.buffered = bytes.Clone(g.response[g.bodyStart:])
	if b.remaining >= 0 && int64(len(b.buffered)) > b.remaining {
		b.buffered = b.buffered[:b.remaining] // the server sent more than it announced
	}
	r, err := DefaultReactor()
	if err != nil {
		return nil, err
	}
	fd, id := g.sock.handOver()
	if b.conn, err = newConn(r, fd, id); err != nil {
		return nil, err
	}
	g.finish()
	return b, nil
}

// HTTPBody is the body of a response to an [HTTPStream], read with
// [HTTPBody.Read] from the connection, which stays open until
// [HTTPBody.Close].
type HTTPBody struct {
	head      string
	buffered  []byte // body bytes that came with the head, not yet read
	remaining int64  // body bytes still to read; -1: until the server closes
	conn      *Conn
}

// Head returns the status line and the headers, lines separated by "\r\n",
// without the empty line that ends them.
func (b *HTTPBody) Head() string { return b.head }

// StatusLine returns the first line of the head, e.g. "HTTP/1.1 200 OK".
func (b *HTTPBody) StatusLine() string {
	line, _, _ := strings.Cut(b.head, "\r\n")
	return line
}

// Close closes the connection. Call it when done with the body, also after
// Read reported io.EOF.
func (b *HTTPBody) Close() error { return b.conn.Close() }

// Read returns a future that reads the next bytes of the body into p. It
// completes with the number of bytes read, at least one if p is not empty;
// with io.EOF (and 0 bytes) at the end of the body, which is where
// Content-Length says, or where the server closes the connection if the
// response has no Content-Length; with an error wrapping io.ErrUnexpectedEOF
// if the server closes before the announced end; or with the error of the
// system call. One Read may be pending at a time.
func (b *HTTPBody) Read(p []byte) *BodyReadFuture { return &BodyReadFuture{b: b, p: p} }

// BodyReadFuture is the future returned by [HTTPBody.Read].
type BodyReadFuture struct {
	b    *HTTPBody
	p    []byte
	read *ReadFuture // the read from the connection, once started
	done bool
}

// Poll implements [Future].
func (f *BodyReadFuture) Poll(w Waker) (Result[int], bool) {
	if f.done {
		panic("runtime: HTTPBody Read future polled after completion")
	}
	b := f.b
	if f.read == nil {
		switch {
		case len(f.p) == 0:
			return f.finish(0, nil)
		case len(b.buffered) > 0:
			n := copy(f.p, b.buffered)
			b.buffered = b.buffered[n:]
			if len(b.buffered) == 0 {
				b.buffered = nil
			}
			return f.finish(n, nil)
		case b.remaining == 0:
			return f.finish(0, io.EOF)
		}
		p := f.p
		if b.remaining > 0 && int64(len(p)) > b.remaining {
			p = p[:b.remaining]
		}
		f.read = b.conn.Read(p)
	}
	res, ok := f.read.Poll(w)
	if !ok {
		return Result[int]{}, false
	}
	if res.Err == io.EOF && b.remaining > 0 {
		return f.finish(0, fmt.Errorf("runtime: HTTP body: %w (%d body bytes missing): %w", errTruncated, b.remaining, io.ErrUnexpectedEOF))
	}
	return f.finish(res.Value, res.Err)
}

func (f *BodyReadFuture) finish(n int, err error) (Result[int], bool) {
	f.done = true
	f.read = nil
	if f.b.remaining > 0 {
		f.b.remaining -= int64(n)
	}
	return Result[int]{Value: n, Err: err}, true
}

// Cancel implements [Canceler]: the read stops waiting (the connection
// stays open until [HTTPBody.Close]).
func (f *BodyReadFuture) Cancel() {
	if f.read != nil {
		f.read.Cancel()
	}
	f.done = true
}
