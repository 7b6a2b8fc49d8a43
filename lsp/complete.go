package lsp

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// completion answers a completion at the position pos of st: gopls's
// items at the same place of the shadow, less the names the lowering
// introduced, with their edits mapped, and, after "x." in a coroutine body
// where x is a future, the word "wait".
func (s *server) completion(st *docState, params json.RawMessage, pos Position) answer {
	gp, off, exact := st.positionToGo(pos)
	if !exact {
		return nothing
	}
	inBody := st.low.inBody(off)
	return answer{method: "textDocument/completion", params: shadowParams(st, params, &gp),
		then: func(res json.RawMessage) (any, *responseError, func(context.Context) (any, *responseError)) {
			return mapCompletion(st, res, inBody), nil, nil
		}}
}

// mapCompletion maps gopls's completion list res of st's shadow (see
// completion); inBody says the position is in a coroutine's body. Each
// item's members are kept as gopls wrote them but for those mapped or
// reworded.
func mapCompletion(st *docState, res json.RawMessage, inBody bool) json.RawMessage {
	var list struct {
		IsIncomplete bool              `json:"isIncomplete"`
		Items        []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(res, &list) != nil {
		// A bare array of items.
		if json.Unmarshal(res, &list.Items) != nil {
			return nil
		}
	}
	var items []completionItem
	for _, raw := range list.Items {
		if it, ok := mapItem(st, raw); ok {
			items = append(items, it)
		}
	}
	if inBody {
		if w := waitItem(items); w != nil {
			items = append([]completionItem{*w}, items...)
		}
	}
	out := []byte(`{"isIncomplete":`)
	out = strconv.AppendBool(out, list.IsIncomplete)
	out = append(out, `,"items":[`...)
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendObject(out, it.members)
	}
	return append(out, "]}"...)
}

// A completionItem is an item of a completion list: its members, and
// those the proxy reads.
type completionItem struct {
	members       map[string]json.RawMessage
	label, detail string
}

// mapItem maps the completion item raw of st's shadow; false leaves it
// out: a name of the lowering, or an edit of text the lowering wrote.
func mapItem(st *docState, raw json.RawMessage) (completionItem, bool) {
	var it completionItem
	if json.Unmarshal(raw, &it.members) != nil || it.members == nil {
		return it, false
	}
	json.Unmarshal(it.members["label"], &it.label)
	if strings.HasPrefix(it.label, "corofyruntime") && runtimeName.MatchString(it.label+".") {
		return it, false
	}
	if te, ok := it.members["textEdit"]; ok {
		var edit map[string]json.RawMessage
		json.Unmarshal(te, &edit)
		for _, k := range []string{"range", "insert", "replace"} {
			if r, ok := edit[k]; ok {
				var rr Range
				if json.Unmarshal(r, &rr) != nil {
					return it, false
				}
				mr, ok := st.rangeToSource(rr)
				if !ok {
					return it, false
				}
				edit[k] = appendRange(nil, mr)
			}
		}
		if edit != nil {
			it.members["textEdit"] = appendObject(nil, edit)
		}
	}
	if raw, ok := it.members["additionalTextEdits"]; ok {
		var edits []any
		if json.Unmarshal(raw, &edits) == nil {
			mapped := mapEdits(st, edits)
			if len(mapped) != len(edits) {
				return it, false
			}
			it.members["additionalTextEdits"], _ = json.Marshal(mapped)
		}
	}
	if raw, ok := it.members["detail"]; ok {
		json.Unmarshal(raw, &it.detail)
		it.detail = cleanString(it.members, "detail", it.detail)
	}
	it.label = cleanString(it.members, "label", it.label)
	if raw, ok := it.members["documentation"]; ok {
		var doc string
		var markup map[string]json.RawMessage
		if json.Unmarshal(raw, &doc) == nil {
			cleanString(it.members, "documentation", doc)
		} else if json.Unmarshal(raw, &markup) == nil && markup != nil {
			var value string
			if json.Unmarshal(markup["value"], &value) == nil {
				if v := cleanMessage(value); v != value {
					markup["value"] = appendJSONString(nil, v)
					it.members["documentation"] = appendObject(nil, markup)
				}
			}
		}
	}
	return it, true
}

// cleanString rewords s, the string member k of members, there too, and
// returns it reworded.
func cleanString(members map[string]json.RawMessage, k, s string) string {
	if c := cleanMessage(s); c != s {
		members[k] = appendJSONString(nil, c)
		return c
	}
	return s
}

// appendRange appends the JSON of r.
func appendRange(b []byte, r Range) []byte {
	b = appendPosition(append(b, `{"start":`...), r.Start)
	return append(appendPosition(append(b, `,"end":`...), r.End), '}')
}

// appendPosition appends p as JSON.
func appendPosition(b []byte, p Position) []byte {
	b = strconv.AppendInt(append(b, `{"line":`...), int64(p.Line), 10)
	return append(strconv.AppendInt(append(b, `,"character":`...), int64(p.Character), 10), '}')
}

// pollDetail matches the detail gopls gives a Poll method that makes its
// receiver a future: func(w runtime.Waker) (T, bool).
var pollDetail = regexp.MustCompile(`^func\(\w* ?runtime\.Waker\) \((.+), bool\)$`)

// waitItem returns the completion item "wait" when items complete the
// methods of a future (its Poll is among them), or nil.
func waitItem(items []completionItem) *completionItem {
	for _, it := range items {
		if it.label != "Poll" {
			continue
		}
		m := pollDetail.FindStringSubmatch(it.detail)
		if m == nil {
			continue
		}
		w := &completionItem{label: "wait", detail: m[1], members: map[string]json.RawMessage{
			"label":         json.RawMessage(`"wait"`),
			"kind":          json.RawMessage(`14`), // keyword
			"detail":        appendJSONString(nil, m[1]),
			"documentation": appendObject(nil, map[string]json.RawMessage{"kind": json.RawMessage(`"markdown"`), "value": appendJSONString(nil, waitDoc)}),
			"sortText":      json.RawMessage(`"00000"`),
			"preselect":     json.RawMessage(`true`),
		}}
		var edit map[string]json.RawMessage
		if json.Unmarshal(it.members["textEdit"], &edit) == nil && edit != nil {
			edit["newText"] = json.RawMessage(`"wait"`)
			w.members["textEdit"] = appendObject(nil, edit)
		}
		return w
	}
	return nil
}
