package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// passThrough answers a request about a .go file, or about no file, with
// gopls's answer, its locations in shadows mapped to .gocoro files. When
// an answer points into a generated file whose .gocoro the proxy does not
// shadow yet (a package the editor has no file of open), it shadows that
// package and asks again, so the answer lands in the .gocoro file.
func (s *server) passThrough(m *message) answer {
	return answer{method: m.Method, params: m.Params, then: s.mapLocations(m.Method, m.Params)}
}

// mapLocations returns the then of an answer whose result holds
// locations (see passThrough): they are mapped, or, if some are in
// generated files of packages not shadowed yet, those are shadowed and
// gopls is asked again (method, params).
func (s *server) mapLocations(method string, params json.RawMessage) func(json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
	return func(res json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
		if dirs := s.unshadowedGenerated(res); len(dirs) > 0 {
			return nil, nil, func(ctx context.Context) (any, *responseError) {
				for _, dir := range dirs {
					s.shadowSiblings(dir)
				}
				res, rerr := s.call(ctx, method, params)
				if rerr != nil {
					return nil, rerr
				}
				return s.view().mapJSON(res), nil
			}
		}
		if !mayNameShadow(res) {
			return res, nil, nil // nothing to map
		}
		return s.view().mapJSON(res), nil, nil
	}
}

// unshadowedGenerated returns the directories of the generated files that
// the result raw names whose .gocoro files are not shadowed yet.
func (s *server) unshadowedGenerated(raw json.RawMessage) []string {
	if !mayNameShadow(raw) {
		return nil
	}
	var dirs []string
	for _, uri := range urisIn(raw) {
		path := uriToPath(uri)
		src := sourceOfGenerated(path)
		if src == "" || s.doc(src) != nil {
			continue
		}
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if dir := filepath.Dir(src); !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// mayNameShadow reports whether the JSON value raw may hold the name of a
// shadow or of a generated file: they all end in _corofied.go or
// _corofied_test.go, which JSON strings never escape (gopls's URIs do not
// percent-encode them either).
func mayNameShadow(raw json.RawMessage) bool {
	return bytes.Contains(raw, []byte("_corofied"))
}

// urisIn returns the values of the "uri" and "targetUri" members found in
// the JSON value raw.
func urisIn(raw json.RawMessage) []string {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return nil
	}
	var out []string
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "uri" || k == "targetUri") {
					out = append(out, s)
				}
				walk(e)
			}
		}
	}
	walk(x)
	return out
}

// gocoroRequest answers a request about a .gocoro document, whose params
// are p, through its shadow.
func (s *server) gocoroRequest(m *message, p *requestParams) answer {
	d := s.doc(uriToPath(p.TextDocument.URI))
	if d == nil {
		return runAnswer(func(context.Context) (any, *responseError) {
			return nil, &responseError{codeInvalidParams, "corofy lsp: " + p.TextDocument.URI + " is not open"}
		})
	}
	d.mu.Lock()
	st := d.st
	d.mu.Unlock()
	switch m.Method {
	case "textDocument/formatting":
		return runAnswer(func(context.Context) (any, *responseError) { return formatEdits(st), nil })
	case "textDocument/hover":
		return s.hover(st, m.Params, p.Position)
	case "textDocument/completion":
		return s.completion(st, m.Params, p.Position)
	case "textDocument/definition", "textDocument/typeDefinition", "textDocument/implementation",
		"textDocument/references", "textDocument/rename", "textDocument/declaration":
		return s.atPosition(st, m, p.Position, nil)
	case "textDocument/prepareRename":
		return s.atPosition(st, m, p.Position, func(res json.RawMessage) any { return mapPrepareRename(st, res) })
	case "textDocument/documentHighlight":
		return s.atPosition(st, m, p.Position, func(res json.RawMessage) any { return mapHighlights(st, res) })
	case "textDocument/signatureHelp":
		return s.atPosition(st, m, p.Position, func(res json.RawMessage) any { return cleanSignatures(res) })
	case "textDocument/documentSymbol":
		return answer{method: m.Method, params: shadowParams(st, m.Params, nil),
			then: func(res json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
				return mapSymbols(st, res), nil, nil
			}}
	}
	// Anything else would show the shadow (code actions, semantic tokens,
	// inlay hints of the lowering...): nothing, rather than a wrong answer.
	return nothing
}

// shadowParams returns params with the document replaced by st's shadow
// and, if pos is not nil, the position by pos.
func shadowParams(st *docState, params json.RawMessage, pos *Position) json.RawMessage {
	doc := append(appendJSONString(append(make([]byte, 0, len(st.doc.shadowURI)+16), `{"uri":`...), st.doc.shadowURI), '}')
	if _, spans, ok := scanRequestParams(params); ok && spans[0][0] >= 0 && (pos == nil || spans[1][0] >= 0) {
		// The members replaced where they are (see rawjson.go).
		edits := []rawEdit{{spans[0], doc}}
		if pos != nil {
			edits = append(edits, rawEdit{spans[1], appendPosition(nil, *pos)})
		}
		return applyRawEdits(params, edits)
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(params, &p) != nil || p == nil {
		return params
	}
	p["textDocument"] = doc
	if pos != nil {
		p["position"] = appendPosition(nil, *pos)
	}
	return appendObject(make([]byte, 0, len(params)+len(st.doc.shadowURI)), p)
}

// appendObject appends the JSON object of the members m, in the order of
// their names.
func appendObject(b []byte, m map[string]json.RawMessage) []byte {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, k), ':')
		b = append(b, m[k]...)
	}
	return append(b, '}')
}

// atPosition answers a request at a position pos of st by asking gopls at
// the same place of the shadow, and mapping its answer with mapResult, or
// as locations and workspace edits if it is nil. A position in text the
// lowering replaced (the word "coroutine", ".wait") has no answer.
func (s *server) atPosition(st *docState, m *message, pos Position, mapResult func(json.RawMessage) any) answer {
	gp, _, ok := st.positionToGo(pos)
	if !ok {
		return nothing
	}
	params := shadowParams(st, m.Params, &gp)
	if mapResult == nil {
		// Locations: into generated files of packages not shadowed yet,
		// shadow them and ask again.
		return answer{method: m.Method, params: params, then: s.mapLocations(m.Method, params)}
	}
	return answer{method: m.Method, params: params,
		then: func(res json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
			return mapResult(res), nil, nil
		}}
}

// mapPrepareRename maps prepareRename's answer: a range, or a range and a
// placeholder, of st's shadow; a range the lowering wrote cannot be renamed.
func mapPrepareRename(st *docState, raw json.RawMessage) any {
	var withPlaceholder struct {
		Range       *Range `json:"range"`
		Placeholder string `json:"placeholder"`
	}
	if json.Unmarshal(raw, &withPlaceholder) == nil && withPlaceholder.Range != nil {
		r, ok := st.rangeToSource(*withPlaceholder.Range)
		if !ok {
			return nil
		}
		withPlaceholder.Range = &r
		return withPlaceholder
	}
	var r Range
	if json.Unmarshal(raw, &r) == nil && string(raw) != "null" {
		if mr, ok := st.rangeToSource(r); ok {
			return mr
		}
		return nil
	}
	return raw
}

// mapHighlights maps document highlights of st's shadow.
func mapHighlights(st *docState, raw json.RawMessage) any {
	var hs []struct {
		Range Range `json:"range"`
		Kind  int   `json:"kind,omitempty"`
	}
	if json.Unmarshal(raw, &hs) != nil {
		return nil
	}
	out := hs[:0]
	for _, h := range hs {
		if r, ok := st.rangeToSource(h.Range); ok {
			h.Range = r
			out = append(out, h)
		}
	}
	return out
}

// cleanSignatures rewords signature help in the user's terms. Parameter
// labels given as offsets into a signature's label become strings, since
// rewording changes the offsets.
func cleanSignatures(raw json.RawMessage) any {
	var help map[string]any
	if json.Unmarshal(raw, &help) != nil || help == nil {
		return raw
	}
	sigs, _ := help["signatures"].([]any)
	for _, sig := range sigs {
		sig, _ := sig.(map[string]any)
		label, _ := sig["label"].(string)
		params, _ := sig["parameters"].([]any)
		for _, p := range params {
			p, _ := p.(map[string]any)
			if span, ok := p["label"].([]any); ok && len(span) == 2 {
				from, _ := span[0].(float64)
				to, _ := span[1].(float64)
				p["label"] = cleanMessage(utf16Slice(label, int(from), int(to)))
			}
		}
		sig["label"] = cleanMessage(label)
		cleanDoc(sig)
	}
	return help
}

// cleanDoc rewords a "documentation" member, a string or markup content.
func cleanDoc(x map[string]any) {
	switch d := x["documentation"].(type) {
	case string:
		x["documentation"] = cleanMessage(d)
	case map[string]any:
		if v, ok := d["value"].(string); ok {
			d["value"] = cleanMessage(v)
		}
	}
}

// utf16Slice returns s[from:to] with from and to counted in UTF-16 units.
func utf16Slice(s string, from, to int) string {
	t := newText([]byte(strings.ReplaceAll(s, "\n", " ")))
	a, _ := t.offset(Position{Character: from})
	b, _ := t.offset(Position{Character: to})
	if b < a {
		return ""
	}
	return s[a:b]
}

// mapSymbols maps document symbols of st's shadow: hierarchical symbols
// (range, selection range, children) or flat symbol information (a
// location). A symbol of text the lowering wrote is left out.
func mapSymbols(st *docState, raw json.RawMessage) any {
	var list []map[string]any
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return mapSymbolList(st, list)
}

func mapSymbolList(st *docState, list []map[string]any) []map[string]any {
	out := []map[string]any{}
	v := &view{byShadow: map[string]*docState{st.doc.shadowPath: st}}
	for _, sym := range list {
		if loc, ok := sym["location"].(map[string]any); ok {
			m, keep := v.mapObject(loc)
			if !keep {
				continue
			}
			sym["location"] = m
		} else {
			// A coroutine's range ends in text the lowering wrote after its
			// body: it maps, inexactly, to the end of the body.
			r, _ := mapRangeValue(st, sym["range"])
			sr, ok := mapRangeValue(st, sym["selectionRange"])
			if !ok {
				continue
			}
			sym["range"], sym["selectionRange"] = r, sr
		}
		if d, ok := sym["detail"].(string); ok {
			sym["detail"] = cleanMessage(d)
		}
		if kids, ok := sym["children"].([]any); ok {
			var ks []map[string]any
			for _, k := range kids {
				if k, ok := k.(map[string]any); ok {
					ks = append(ks, k)
				}
			}
			sym["children"] = mapSymbolList(st, ks)
		}
		out = append(out, sym)
	}
	return out
}
