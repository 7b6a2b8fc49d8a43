package lsp

import (
	"context"
	"encoding/json"
	"strings"
)

// hover answers a hover at the position pos of st: gopls's hover at the
// same place of the shadow, reworded; on the word "wait" of x.wait, what
// the wait gives; on the word "coroutine", what a coroutine is.
func (s *server) hover(st *docState, params json.RawMessage, pos Position) answer {
	gp, off, exact := st.positionToGo(pos)
	if !exact {
		return runAnswer(func(ctx context.Context) (any, *responseError) {
			return s.loweredHover(ctx, st, params, off)
		})
	}
	return answer{method: "textDocument/hover", params: shadowParams(st, params, &gp),
		then: func(res json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
			return mapHover(st, res), nil, nil
		}}
}

// mapHover rewords gopls's hover of st's shadow and maps its range; nil
// if there is none.
func mapHover(st *docState, res json.RawMessage) any {
	if string(res) == "null" {
		return nil
	}
	if out, ok := mapHoverRaw(st, res); ok {
		return out
	}
	return mapHoverDecoded(st, res)
}

// mapHoverDecoded is mapHover through encoding/json.
func mapHoverDecoded(st *docState, res json.RawMessage) any {
	var h hover
	if json.Unmarshal(res, &h) != nil {
		return nil
	}
	h.Contents.Value = cleanMessage(h.Contents.Value)
	if h.Range != nil {
		r, ok := st.rangeToSource(*h.Range)
		if !ok {
			h.Range = nil
		} else {
			h.Range = &r
		}
	}
	return h
}

// Keep in sync with the json tags of hover and markupContent.
var (
	hoverFields  = []string{"contents", "range"}
	markupFields = []string{"kind", "value"}
)

// mapHoverRaw is mapHover on the raw JSON (see rawjson.go), or false if
// res is not plain enough.
func mapHoverRaw(st *docState, res json.RawMessage) (json.RawMessage, bool) {
	kind, value := "", []byte(`""`)
	var r *Range
	fs := fields{names: hoverFields}
	ok := eachMember(res, func(key, v []byte, _ int) bool {
		i, ok := fs.match(key)
		switch {
		case !ok:
			return false
		case i == 0:
			cs := fields{names: markupFields}
			return eachMember(v, func(key, v []byte, _ int) bool {
				i, ok := cs.match(key)
				switch {
				case !ok:
					return false
				case i == 0:
					kind, ok = plainString(v)
					return ok
				case i == 1:
					value = v
					return v[0] == '"'
				}
				return true
			})
		case i == 1 && string(v) != "null":
			rr, ok := scanRange(v)
			r = &rr
			return ok
		}
		return true
	})
	if !ok {
		return nil, false
	}
	var text string
	if json.Unmarshal(value, &text) != nil {
		return nil, false
	}
	if clean := cleanMessage(text); clean != text {
		value = appendJSONString(nil, clean)
	}
	out := appendJSONString(append(make([]byte, 0, len(res)+16), `{"contents":{"kind":`...), kind)
	out = append(append(append(out, `,"value":`...), value...), '}')
	if r != nil {
		if mr, ok := st.rangeToSource(*r); ok {
			out = appendRange(append(out, `,"range":`...), mr)
		}
	}
	return append(out, '}'), true
}

// loweredHover answers a hover over text the lowering replaced.
func (s *server) loweredHover(ctx context.Context, st *docState, params json.RawMessage, off int) (any, *responseError) {
	w, ok := st.low.waitAt(off)
	if !ok {
		if isKeywordAt(st.low.src, off) {
			return hover{Contents: markupContent{Kind: "markdown", Value: coroutineDoc}}, nil
		}
		return nil, nil
	}
	r := Range{st.src.position(w.word[0]), st.src.position(w.word[1])}
	value := "```go\n.wait\n```\n\n" + waitDoc
	// The type the wait gives is that of the lowered call's result:
	// gopls's hover of the runtime function, instantiated.
	if t := s.waitType(ctx, st, params, w); t != "" {
		value = "```go\n.wait " + t + "\n```\n\n" + waitDoc
	}
	return hover{Contents: markupContent{Kind: "markdown", Value: value}, Range: &r}, nil
}

// waitType returns the type of the values the wait w gives, from gopls's
// hover over the runtime function its lowering calls, or "".
func (s *server) waitType(ctx context.Context, st *docState, params json.RawMessage, w wait) string {
	// The lowering wrote "RT.AwaitN(" before x and ")" for ".wait": the
	// function's name ends at the "(" that this ")" closes.
	close, _ := st.low.m.toGo(w.word[1], false)
	close-- // the ")" that replaced ".wait"
	if close < 0 || close >= len(st.low.goSrc) || st.low.goSrc[close] != ')' {
		return ""
	}
	open := matchingOpen(st.low.goSrc, close)
	if open < len(w.await) {
		return ""
	}
	gp := st.goText.position(open - len(w.await))
	res, rerr := s.call(ctx, "textDocument/hover", shadowParams(st, params, &gp))
	if rerr != nil {
		return ""
	}
	var h hover
	if json.Unmarshal(res, &h) != nil {
		return ""
	}
	return resultOfSignature(h.Contents.Value)
}

// matchingOpen returns the offset of the "(" that the ")" at close closes,
// skipping brackets inside string and rune literals roughly; -1 if none.
func matchingOpen(src []byte, close int) int {
	depth := 0
	for i := close; i >= 0; i-- {
		switch src[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// resultOfSignature returns the result type of the first function
// signature in a hover text, "func Name(params) result", reworded.
func resultOfSignature(md string) string {
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "func ") {
			continue
		}
		i := strings.IndexByte(line, '(')
		if i < 0 {
			return ""
		}
		end := matchingParen(line, i+1)
		if end < 0 {
			return ""
		}
		return cleanMessage(strings.TrimSpace(line[end+1:]))
	}
	return ""
}

// isKeywordAt reports whether off is in a word "coroutine" of src.
func isKeywordAt(src []byte, off int) bool {
	const kw = "coroutine"
	for start := max(0, off-len(kw)); start <= off && start+len(kw) <= len(src); start++ {
		if string(src[start:start+len(kw)]) == kw {
			return true
		}
	}
	return false
}

const coroutineDoc = "```go\ncoroutine func\n```\n\n" +
	"A coroutine: calling it only stores its arguments and returns a `runtime.Future` of its results " +
	"(several results travel in a `runtime.Tuple2` or `Tuple3`). Its body runs when the future is polled, " +
	"and may wait on other futures with `x.wait`. corofy turns it into a state machine."

const waitDoc = "`x.wait` suspends the coroutine until the future `x` (any value with a method " +
	"`Poll(runtime.Waker) (T, bool)`) is ready, and evaluates to its value."
