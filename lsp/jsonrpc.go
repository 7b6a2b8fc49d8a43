package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// A message is one JSON-RPC 2.0 message: a request (ID and Method), a
// notification (Method only) or a response (ID, and Result or Error).
// Params and Result are kept raw: the proxy rewrites only what it must.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *responseError  `json:"error,omitempty"`
}

func (m *message) isRequest() bool      { return m.Method != "" && m.ID != nil }
func (m *message) isNotification() bool { return m.Method != "" && m.ID == nil }
func (m *message) isResponse() bool     { return m.Method == "" && m.ID != nil }

// A responseError is the error member of a JSON-RPC response.
type responseError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

func (e *responseError) Error() string { return e.Message }

// JSON-RPC and LSP error codes.
const (
	codeParseError       = -32700
	codeInvalidRequest   = -32600
	codeMethodNotFound   = -32601
	codeInvalidParams    = -32602
	codeInternalError    = -32603
	codeRequestCancelled = -32800
	codeContentModified  = -32801
	codeRequestFailed    = -32803
)

// maxMessage is the largest message body read (a whole file travels in
// didOpen: corofy reads .gocoro files of at most 64 MiB).
const maxMessage = 80 << 20

// errFraming reports a header the reader could not understand. The stream
// can go on: the reader has consumed the bad header block.
type errFraming struct{ msg string }

func (e errFraming) Error() string { return "lsp: " + e.msg }

// readMessage reads one message body framed by a Content-Length header
// (the LSP base protocol). It returns io.EOF at the end of the stream
// before a message starts, an errFraming after a bad header block (the
// next call reads the next block), and any other error of r. It never
// panics and never waits for more bytes than the header announced.
func readMessage(r *bufio.Reader) ([]byte, error) {
	length := -1
	var bad string
	for n := 0; ; n++ {
		line, err := readLine(r)
		if err != nil {
			if err == io.EOF && n > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			if n == 0 {
				n = -1 // blank lines between messages are tolerated
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("malformed header line %q", line)
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || v < 0 {
				bad = fmt.Sprintf("bad Content-Length %q", strings.TrimSpace(value))
				continue
			}
			length = v
		}
	}
	switch {
	case bad != "":
		return nil, errFraming{bad}
	case length < 0:
		return nil, errFraming{"header without Content-Length"}
	case length > maxMessage:
		if _, err := io.CopyN(io.Discard, r, int64(length)); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, errFraming{fmt.Sprintf("message of %d bytes is too large (at most %d)", length, maxMessage)}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	return body, nil
}

// maxHeaderLine bounds a header line: a stream of bytes without a newline
// is not a header.
const maxHeaderLine = 4096

// readLine reads a header line without its "\r\n" (or "\n").
func readLine(r *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxHeaderLine {
			// Skip the rest of the line: it is not a header.
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err != nil {
				return "", err
			}
			return "\x00too long", nil // reported as malformed
		}
		switch err {
		case nil:
			return strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r"), nil
		case bufio.ErrBufferFull:
			continue
		default:
			if err == io.EOF && len(buf) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
}

// decodeMessage parses a message body. A body that is not JSON is a
// parse error, one that is not a JSON-RPC 2.0 message an invalid request;
// either way the error says why, for a response with a null id.
func decodeMessage(body []byte) (*message, *responseError) {
	m, ok := scanMessage(body) // see rawjson.go
	if !ok {
		m = &message{}
		if err := json.Unmarshal(body, m); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) || bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
				return nil, &responseError{codeInvalidRequest, "invalid request: " + err.Error()}
			}
			return nil, &responseError{codeParseError, "parse error: " + err.Error()}
		}
	}
	switch {
	case m.JSONRPC != "2.0":
		return m, &responseError{codeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`}
	case m.ID != nil && string(m.ID) == "null" && m.Method == "" && m.Error != nil:
		return m, nil // an error response to a request whose id could not be read
	case m.ID != nil && !validID(m.ID):
		return m, &responseError{codeInvalidRequest, "invalid request: id must be a number or a string"}
	case m.Method == "" && m.ID == nil:
		return m, &responseError{codeInvalidRequest, "invalid request: no method and no id"}
	case m.Method != "" && (m.Result != nil || m.Error != nil):
		return m, &responseError{codeInvalidRequest, "invalid request: a request has no result or error"}
	}
	return m, nil
}

// validID reports whether id is a JSON number or string.
func validID(id json.RawMessage) bool {
	if len(id) > 0 && (id[0] == '"' || id[0] == '-' || '0' <= id[0] && id[0] <= '9') && skipValue(id, 0, 0) == len(id) {
		return true // what a JSON value starting so is
	}
	var v any
	if json.Unmarshal(id, &v) != nil {
		return false
	}
	switch v.(type) {
	case float64, string:
		return true
	}
	return false
}

// writeMessage writes m with its Content-Length header, in one write.
// Its raw members are written as they are: they hold JSON read by
// decodeMessage or made by json.Marshal.
func writeMessage(w io.Writer, m *message) error {
	body := make([]byte, 0, 64+len(m.Method)+len(m.ID)+len(m.Params)+len(m.Result))
	body = append(body, `{"jsonrpc":"2.0"`...)
	if m.ID != nil {
		body = append(append(body, `,"id":`...), m.ID...)
	}
	if m.Method != "" {
		body = appendJSONString(append(body, `,"method":`...), m.Method)
	}
	if m.Params != nil {
		body = append(append(body, `,"params":`...), m.Params...)
	}
	if m.Result != nil {
		body = append(append(body, `,"result":`...), m.Result...)
	}
	if m.Error != nil {
		e, err := json.Marshal(m.Error)
		if err != nil {
			return err
		}
		body = append(append(body, `,"error":`...), e...)
	}
	body = append(body, '}')
	buf := make([]byte, 0, len(body)+32)
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, body...)
	_, err := w.Write(buf)
	return err
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, and each byte that is not UTF-8 written as
// U+FFFD, as encoding/json writes strings (it also escapes <, > and &,
// for HTML, which JSON does not need).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(append(b, s[start:i]...), `\ufffd`...)
				start = i + 1
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// A conn is one side of a JSON-RPC connection: it writes messages one at
// a time and matches the responses it reads to the calls it made.
type conn struct {
	r *bufio.Reader

	wmu sync.Mutex
	w   io.Writer

	mu      sync.Mutex
	seq     int64
	pending map[string]func(*message) // by id, what to do with the response
	closed  error
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{r: bufio.NewReaderSize(r, 64<<10), w: w, pending: map[string]func(*message){}}
}

// send writes m.
func (c *conn) send(m *message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return writeMessage(c.w, m)
}

// notify sends a notification.
func (c *conn) notify(method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return c.send(&message{Method: method, Params: raw})
}

// reply sends the response to the request id. A result that is a
// json.RawMessage is sent as it is.
func (c *conn) reply(id json.RawMessage, result any, rerr *responseError) error {
	m := &message{ID: id, Error: rerr}
	if rerr == nil {
		raw, ok := result.(json.RawMessage)
		if !ok || raw == nil {
			var err error
			if raw, err = json.Marshal(result); err != nil {
				return err
			}
		}
		m.Result = raw
	}
	return c.send(m)
}

// start sends a request and returns its id and the channel its response
// will come on.
func (c *conn) start(method string, params json.RawMessage) (json.RawMessage, chan *message, error) {
	ch := make(chan *message, 1)
	id, err := c.startFunc(method, params, func(m *message) { ch <- m })
	if err != nil {
		return nil, nil, err
	}
	return id, ch, nil
}

// startFunc sends a request; handle is called with its response, on the
// goroutine that reads the connection (it must not wait for the peer),
// or with an error response if the connection closes first. It is never
// called if startFunc fails, nor after forget.
func (c *conn) startFunc(method string, params json.RawMessage, handle func(*message)) (json.RawMessage, error) {
	c.mu.Lock()
	if c.closed != nil {
		c.mu.Unlock()
		return nil, c.closed
	}
	c.seq++
	id := json.RawMessage(strconv.FormatInt(c.seq, 10))
	c.pending[string(id)] = handle
	c.mu.Unlock()
	if err := c.send(&message{ID: id, Method: method, Params: params}); err != nil {
		c.forget(id)
		return nil, err
	}
	return id, nil
}

// forget drops the call id: its response, if one comes, is ignored. It
// reports whether the call was waiting for its response.
func (c *conn) forget(id json.RawMessage) bool {
	c.mu.Lock()
	_, ok := c.pending[string(id)]
	delete(c.pending, string(id))
	c.mu.Unlock()
	return ok
}

// deliver hands a response to the call waiting for it; it reports
// whether one was.
func (c *conn) deliver(m *message) bool {
	c.mu.Lock()
	handle, ok := c.pending[string(m.ID)]
	delete(c.pending, string(m.ID))
	c.mu.Unlock()
	if ok {
		handle(m)
	}
	return ok
}

// close fails every pending call with err, and every later one.
func (c *conn) close(err error) {
	c.mu.Lock()
	if c.closed == nil {
		c.closed = err
	}
	pending := c.pending
	c.pending = map[string]func(*message){}
	c.mu.Unlock()
	for id, handle := range pending {
		handle(&message{ID: json.RawMessage(id), Error: &responseError{codeRequestFailed, err.Error()}})
	}
}

// read reads the next message. Framing and decoding errors come back as a
// responseError for the peer, with a nil message.
func (c *conn) read() (*message, *responseError, error) {
	body, err := readMessage(c.r)
	if err != nil {
		var fe errFraming
		if errors.As(err, &fe) {
			return nil, &responseError{codeParseError, fe.msg}, nil
		}
		return nil, nil, err
	}
	m, rerr := decodeMessage(body)
	if rerr != nil {
		return m, rerr, nil
	}
	return m, nil, nil
}
