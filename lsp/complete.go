package lsp

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// completion answers a completion at a position of st: gopls's items at
// the same place of the shadow, less the names the lowering introduced,
// with their edits mapped, and, after "x." in a coroutine body where x is
// a future, the word "wait".
func (s *server) completion(st *docState, params json.RawMessage) answer {
	var p positionParams
	json.Unmarshal(params, &p)
	gp, off, exact := st.positionToGo(p.Position)
	return func(ctx context.Context) (any, *responseError) {
		if !exact {
			return nil, nil
		}
		res, rerr := s.call(ctx, "textDocument/completion", shadowParams(st, params, &gp))
		if rerr != nil {
			return nil, rerr
		}
		var list struct {
			IsIncomplete bool             `json:"isIncomplete"`
			Items        []map[string]any `json:"items"`
		}
		if json.Unmarshal(res, &list) != nil {
			// A bare array of items.
			if json.Unmarshal(res, &list.Items) != nil {
				return nil, nil
			}
		}
		items := []map[string]any{}
		for _, it := range list.Items {
			if it, ok := mapItem(st, it); ok {
				items = append(items, it)
			}
		}
		if st.low.inBody(off) {
			if w := waitItem(items); w != nil {
				items = append([]map[string]any{w}, items...)
			}
		}
		return map[string]any{"isIncomplete": list.IsIncomplete, "items": items}, nil
	}
}

// mapItem maps a completion item of st's shadow; false leaves it out: a
// name of the lowering, or an edit of text the lowering wrote.
func mapItem(st *docState, it map[string]any) (map[string]any, bool) {
	label, _ := it["label"].(string)
	if runtimeName.MatchString(label+".") && strings.HasPrefix(label, "corofyruntime") {
		return nil, false
	}
	if te, ok := it["textEdit"].(map[string]any); ok {
		for _, k := range []string{"range", "insert", "replace"} {
			if r, ok := te[k]; ok {
				mr, ok := mapRangeValue(st, r)
				if !ok {
					return nil, false
				}
				te[k] = mr
			}
		}
	}
	if edits, ok := it["additionalTextEdits"].([]any); ok {
		mapped := mapEdits(st, edits)
		if len(mapped) != len(edits) {
			return nil, false
		}
		it["additionalTextEdits"] = mapped
	}
	for _, k := range []string{"detail", "label"} {
		if v, ok := it[k].(string); ok {
			it[k] = cleanMessage(v)
		}
	}
	cleanDoc(it)
	return it, true
}

// pollDetail matches the detail gopls gives a Poll method that makes its
// receiver a future: func(w runtime.Waker) (T, bool).
var pollDetail = regexp.MustCompile(`^func\(\w* ?runtime\.Waker\) \((.+), bool\)$`)

// waitItem returns the completion item "wait" when items complete the
// methods of a future (its Poll is among them), or nil.
func waitItem(items []map[string]any) map[string]any {
	for _, it := range items {
		if it["label"] != "Poll" {
			continue
		}
		detail, _ := it["detail"].(string)
		m := pollDetail.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		w := map[string]any{
			"label":         "wait",
			"kind":          14, // keyword
			"detail":        m[1],
			"documentation": map[string]any{"kind": "markdown", "value": waitDoc},
			"sortText":      "00000",
			"preselect":     true,
		}
		if te, ok := it["textEdit"].(map[string]any); ok {
			c := map[string]any{}
			for k, v := range te {
				c[k] = v
			}
			c["newText"] = "wait"
			w["textEdit"] = c
		}
		return w
	}
	return nil
}
