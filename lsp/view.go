package lsp

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
)

// rangeToSource maps a range of st's Go text to its .gocoro text, and
// reports whether both ends map exactly.
func (st *docState) rangeToSource(r Range) (Range, bool) {
	start, err1 := st.goText.offset(r.Start)
	end, err2 := st.goText.offset(r.End)
	if err1 != nil || err2 != nil {
		return Range{}, false
	}
	s, ok1 := st.low.m.toSource(start, false)
	e, ok2 := s, ok1
	if end != start {
		e, ok2 = st.low.m.toSource(end, true)
	}
	return Range{st.src.position(s), st.src.position(e)}, ok1 && ok2 && e >= s
}

// rangeToGo maps a range of st's .gocoro text to its Go text.
func (st *docState) rangeToGo(r Range) (Range, bool) {
	start, err1 := st.src.offset(r.Start)
	end, err2 := st.src.offset(r.End)
	if err1 != nil || err2 != nil {
		return Range{}, false
	}
	s, ok1 := st.low.m.toGo(start, false)
	e, ok2 := s, ok1
	if end != start {
		e, ok2 = st.low.m.toGo(end, true)
	}
	return Range{st.goText.position(s), st.goText.position(e)}, ok1 && ok2 && e >= s
}

// positionToGo maps a position of the .gocoro text to the Go text; the
// offsets are returned too.
func (st *docState) positionToGo(p Position) (Position, int, bool) {
	off, err := st.src.offset(p)
	if err != nil {
		return Position{}, 0, false
	}
	g, ok := st.low.m.toGo(off, false)
	return st.goText.position(g), off, ok
}

// A view is the state of every shadow at one moment, to map what gopls
// says about them.
type view struct {
	byShadow map[string]*docState
}

// view returns the current view.
func (s *server) view() *view {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &view{byShadow: map[string]*docState{}}
	for _, d := range s.docs {
		d.mu.Lock()
		v.byShadow[d.shadowPath] = d.st
		d.mu.Unlock()
	}
	return v
}

// location maps a location in a shadow to its .gocoro file; others are
// returned as they are. It reports false for a location in text that the
// lowering wrote.
func (v *view) location(loc Location) (Location, bool) {
	st := v.byShadow[uriToPath(loc.URI)]
	if st == nil {
		return loc, true
	}
	r, ok := st.rangeToSource(loc.Range)
	return Location{URI: st.doc.uri, Range: r}, ok
}

// mapJSON maps every location, location link and workspace edit in the
// JSON value raw from shadows to their .gocoro files, leaving out those
// in text the lowering wrote. Anything it does not understand it returns
// as it is.
func (v *view) mapJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || !mayNameShadow(raw) {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if dec.Decode(&x) != nil {
		return raw
	}
	x, _ = v.mapValue(x)
	out, err := json.Marshal(x)
	if err != nil {
		return raw
	}
	return out
}

// mapValue maps x (see mapJSON); false means x is to be left out.
func (v *view) mapValue(x any) (any, bool) {
	switch x := x.(type) {
	case []any:
		out := x[:0]
		for _, e := range x {
			if e, ok := v.mapValue(e); ok {
				out = append(out, e)
			}
		}
		return out, true
	case map[string]any:
		return v.mapObject(x)
	}
	return x, true
}

// mapObject maps a JSON object: a Location, a LocationLink, a
// WorkspaceEdit, or anything holding them.
func (v *view) mapObject(x map[string]any) (any, bool) {
	if uri, ok := x["uri"].(string); ok {
		if st := v.byShadow[uriToPath(uri)]; st != nil {
			x["uri"] = st.doc.uri
			if r, ok := x["range"]; ok {
				mr, ok := mapRangeValue(st, r)
				if !ok {
					return nil, false
				}
				x["range"] = mr
			}
		}
	}
	if uri, ok := x["targetUri"].(string); ok {
		if st := v.byShadow[uriToPath(uri)]; st != nil {
			x["targetUri"] = st.doc.uri
			for _, k := range []string{"targetRange", "targetSelectionRange"} {
				mr, ok := mapRangeValue(st, x[k])
				if !ok {
					return nil, false
				}
				x[k] = mr
			}
		}
	}
	if changes, ok := x["changes"].(map[string]any); ok {
		out := map[string]any{}
		for uri, edits := range changes {
			st := v.byShadow[uriToPath(uri)]
			if st == nil {
				out[uri] = edits
				continue
			}
			out[st.doc.uri] = mapEdits(st, edits)
		}
		x["changes"] = out
	}
	if dcs, ok := x["documentChanges"].([]any); ok {
		for _, dc := range dcs {
			dc, _ := dc.(map[string]any)
			td, _ := dc["textDocument"].(map[string]any)
			uri, _ := td["uri"].(string)
			if st := v.byShadow[uriToPath(uri)]; st != nil {
				td["uri"] = st.doc.uri
				td["version"] = st.version
				dc["edits"] = mapEdits(st, dc["edits"])
			}
		}
	}
	for k, e := range x {
		switch k {
		case "uri", "range", "targetUri", "targetRange", "targetSelectionRange", "changes", "documentChanges":
			continue
		}
		if e, ok := v.mapValue(e); ok {
			x[k] = e
		} else {
			delete(x, k)
		}
	}
	return x, true
}

// mapEdits maps a JSON list of text edits of st's shadow; an edit of text
// the lowering wrote is left out.
func mapEdits(st *docState, edits any) []any {
	list, _ := edits.([]any)
	out := []any{}
	for _, e := range list {
		e, _ := e.(map[string]any)
		if e == nil {
			continue
		}
		mr, ok := mapRangeValue(st, e["range"])
		if !ok {
			continue
		}
		e["range"] = mr
		if t, ok := e["newText"].(string); ok {
			e["newText"] = cleanMessage(t)
		}
		out = append(out, e)
	}
	return out
}

// mapRangeValue maps a JSON range of st's shadow to the .gocoro text.
func mapRangeValue(st *docState, r any) (any, bool) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, false
	}
	var rr Range
	if json.Unmarshal(raw, &rr) != nil {
		return nil, false
	}
	m, ok := st.rangeToSource(rr)
	return m, ok
}

// cleanError rewords an error of gopls: the names of shadow files become
// those of their .gocoro files.
func (v *view) cleanError(msg string) string {
	for shadow, st := range v.byShadow {
		msg = strings.ReplaceAll(msg, shadow, st.doc.path)
		msg = strings.ReplaceAll(msg, filepath.Base(shadow), filepath.Base(st.doc.path))
	}
	return cleanMessage(msg)
}
