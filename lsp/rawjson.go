package lsp

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// Every message the proxy passes on is read for its envelope (id, method,
// params or result) and, for a request, for the document and position it
// is about. encoding/json does that by reflection, in a large body of code
// that is cold again each time a message comes, after gopls has had the
// CPU: it was the largest part of the proxy's own work in a profile of
// hovers (BENCHMARKS.md). The scanner below reads the plain JSON that editors and gopls
// write, in a few small loops, and gives up on anything else (a key with
// an escape or in another case, a repeated member, a string that is not
// plain, nesting deeper than maxScanDepth), which then goes to
// encoding/json: the results are always those of encoding/json (the fuzz
// targets of rawjson_test.go compare the two).

// maxScanDepth is the deepest nesting the scanner reads; deeper values go
// to encoding/json, which has its own limit.
const maxScanDepth = 100

// skipSpace returns the offset of the first byte at or after i of b that
// is not JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the offset just past the JSON value that starts at
// b[i], or -1 if there is none the scanner reads.
func skipValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		if depth >= maxScanDepth {
			return -1
		}
		return skipComposite(b, i, depth)
	case c == '-' || '0' <= c && c <= '9':
		return skipNumber(b, i)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	}
	return -1
}

func skipLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// skipComposite skips the object or array at b[i], validating its members.
func skipComposite(b []byte, i, depth int) int {
	closer, object := byte(']'), b[i] == '{'
	if object {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1
	}
	for {
		if object {
			if i = skipString(b, i); i < 0 {
				return -1
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return -1
			}
			i = skipSpace(b, i+1)
		}
		if i = skipValue(b, i, depth+1); i < 0 {
			return -1
		}
		if i = skipSpace(b, i); i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case closer:
			return i + 1
		default:
			return -1
		}
	}
}

// skipString skips the string at b[i], validating its escapes.
func skipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 {
					return -1
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// skipNumber skips the number at b[i], as JSON writes numbers.
func skipNumber(b []byte, i int) int {
	digits := func(i int) int {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return -1
		}
		return i
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if i = digits(i); i < 0 {
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(i); i < 0 {
			return -1
		}
	}
	return i
}

// eachMember calls f with the key and the value of each member of the
// JSON object raw (whitespace around it allowed), and the offsets of the
// value in raw, in order; it returns false if raw is not an object the
// scanner reads (see above), or when f does. A key is given only if it
// is plain ASCII without escapes; any other makes eachMember give up.
func eachMember(raw []byte, f func(key, v []byte, start int) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	for {
		end := skipString(raw, i)
		if end < 0 {
			return false
		}
		key := raw[i+1 : end-1]
		for _, c := range key {
			if c == '\\' || c >= 0x80 {
				return false
			}
		}
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return false
		}
		start := skipSpace(raw, i+1)
		if i = skipValue(raw, start, 1); i < 0 {
			return false
		}
		if !f(key, raw[start:i], start) {
			return false
		}
		if i = skipSpace(raw, i); i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return skipSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

// fields matches the keys of an object against the names of the fields
// encoding/json would fill: it reports the index of the name key is, -1
// for a key that fills none, and false for one encoding/json would match
// another way (in another case) or a second time.
type fields struct {
	names []string
	seen  uint64
}

func (fs *fields) match(key []byte) (int, bool) {
	for i, name := range fs.names {
		if string(key) == name {
			if fs.seen&(1<<i) != 0 {
				return 0, false
			}
			fs.seen |= 1 << i
			return i, true
		}
		if len(key) == len(name) && bytes.EqualFold(key, []byte(name)) {
			return 0, false
		}
	}
	return -1, true
}

// plainString returns the content of the JSON string v if it has no
// escape and only ASCII bytes (so encoding/json would give it as it is).
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	s := v[1 : len(v)-1]
	for _, c := range s {
		if c == '\\' || c >= 0x80 {
			return "", false
		}
	}
	return string(s), true
}

// plainInt returns the JSON number v as an int if it is written as one
// (encoding/json refuses "1.0" or "1e3" for an int).
func plainInt(v []byte) (int, bool) {
	for i, c := range v {
		if !('0' <= c && c <= '9' || c == '-' && i == 0) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(v))
	return n, err == nil
}

// Keep in sync with the json tags of message.
var messageFields = []string{"jsonrpc", "id", "method", "params", "result", "error"}

// scanMessage reads a message body as decodeMessage's json.Unmarshal
// would, or reports false if it is not plain enough (an error member
// included: they are rare, and go to encoding/json).
func scanMessage(body []byte) (*message, bool) {
	m := &message{}
	fs := fields{names: messageFields}
	ok := eachMember(body, func(key, v []byte, _ int) bool {
		i, ok := fs.match(key)
		if !ok {
			return false
		}
		switch i {
		case 0, 2: // jsonrpc, method
			s, ok := plainString(v)
			if !ok {
				return false
			}
			if i == 0 {
				m.JSONRPC = s
			} else {
				m.Method = s
			}
		case 1:
			m.ID = v
		case 3:
			m.Params = v
		case 4:
			m.Result = v
		case 5:
			return false
		}
		return true
	})
	return m, ok
}

// Keep in sync with the json tags of requestParams, positionParams,
// docID and Position.
var (
	requestFields  = []string{"textDocument", "position"}
	positionFields = []string{"line", "character"}
)

// scanRequestParams reads a request's params as json.Unmarshal into
// requestParams would, or reports false if they are not plain enough.
// It also returns the offsets of the values of "textDocument" and
// "position" in params, -1 if absent.
func scanRequestParams(params []byte) (p requestParams, spans [2][2]int, ok bool) {
	spans = [2][2]int{{-1, -1}, {-1, -1}}
	fs := fields{names: requestFields}
	ok = eachMember(params, func(key, v []byte, start int) bool {
		i, ok := fs.match(key)
		if !ok {
			return false
		}
		switch i {
		case 0:
			spans[0] = [2]int{start, start + len(v)}
			if string(v) == "null" {
				return true
			}
			uri, ok := memberString(v, "uri") // docID's only member
			p.TextDocument = &docID{URI: uri}
			return ok
		case 1:
			spans[1] = [2]int{start, start + len(v)}
			var ok bool
			p.Position, ok = scanPosition(v, p.Position)
			return ok
		}
		return true
	})
	return p, spans, ok
}

// A rawEdit replaces the bytes span of a JSON text by text.
type rawEdit struct {
	span [2]int
	text []byte
}

// applyRawEdits returns raw with the edits, of spans that do not overlap,
// made, in a new slice.
func applyRawEdits(raw []byte, edits []rawEdit) []byte {
	slices.SortFunc(edits, func(a, b rawEdit) int { return a.span[0] - b.span[0] })
	n := len(raw)
	for _, e := range edits {
		n += len(e.text) - (e.span[1] - e.span[0])
	}
	out, last := make([]byte, 0, n), 0
	for _, e := range edits {
		out = append(append(out, raw[last:e.span[0]]...), e.text...)
		last = e.span[1]
	}
	return append(out, raw[last:]...)
}

// scanPosition reads a Position as json.Unmarshal into p would.
func scanPosition(v []byte, p Position) (Position, bool) {
	fs := fields{names: positionFields}
	ok := eachMember(v, func(key, v []byte, _ int) bool {
		i, ok := fs.match(key)
		if !ok || i < 0 {
			return ok
		}
		n, ok := plainInt(v)
		if i == 0 {
			p.Line = n
		} else {
			p.Character = n
		}
		return ok
	})
	return p, ok
}

// Keep in sync with the json tags of Range.
var rangeFields = []string{"start", "end"}

// scanRange reads a Range as json.Unmarshal would.
func scanRange(v []byte) (Range, bool) {
	var r Range
	fs := fields{names: rangeFields}
	ok := eachMember(v, func(key, v []byte, _ int) bool {
		i, ok := fs.match(key)
		if !ok || i < 0 {
			return ok
		}
		if i == 0 {
			r.Start, ok = scanPosition(v, r.Start)
		} else {
			r.End, ok = scanPosition(v, r.End)
		}
		return ok
	})
	return r, ok
}

// documentURI returns the uri of params' textDocument, as json.Unmarshal
// into a struct with a docID would ("" if there is none).
func documentURI(params []byte) string {
	if p, _, ok := scanRequestParams(params); ok {
		if p.TextDocument == nil {
			return ""
		}
		return p.TextDocument.URI
	}
	var p struct {
		TextDocument docID `json:"textDocument"`
	}
	json.Unmarshal(params, &p)
	return p.TextDocument.URI
}

// memberString returns the string member name of the JSON object raw
// ("" if absent), or false if raw is not plain enough (see above) or the
// member is not a plain string.
func memberString(raw []byte, name string) (string, bool) {
	var out string
	fs := fields{names: []string{name}}
	ok := eachMember(raw, func(key, v []byte, _ int) bool {
		i, ok := fs.match(key)
		if !ok || i < 0 {
			return ok
		}
		out, ok = plainString(v)
		return ok
	})
	return out, ok
}
