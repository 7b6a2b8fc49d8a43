package lsp

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMapCompletion maps a completion list as gopls gives it for a
// shadow: each item's range lands on the same text of the .gocoro, items
// of the lowering's names or edits are left out, the runtime's name is
// reworded, "wait" comes first after a future's methods, and members the
// proxy does not know are kept as they are.
func TestMapCompletion(t *testing.T) {
	src := "package p\n\ncoroutine func leaf(x int) int {\n\treturn x\n}\n\ncoroutine func f() int {\n\tn := leaf(1).wait\n\treturn n\n}\n"
	d := &document{path: "/w/p.gocoro", uri: "file:///w/p.gocoro", shadowPath: "/w/p_corofied.go", shadowURI: "file:///w/p_corofied.go"}
	st := d.newState([]byte(src), 1)
	goSrc := string(st.low.goSrc)
	// rangeOf returns the JSON range of the first needle in text, at its
	// end minus k bytes to its end.
	rangeOf := func(text, needle string, k int) string {
		tx := newText([]byte(text))
		end := strings.Index(text, needle) + len(needle)
		if end < len(needle) {
			t.Fatalf("no %q in %s", needle, text)
		}
		return string(appendRange(nil, Range{tx.position(end - k), tx.position(end)}))
	}
	inGo := rangeOf(goSrc, "Await(leaf", len("leaf")) // further right than in the .gocoro
	inLowering := rangeOf(goSrc, "corofyruntime.Await", len("Await"))
	res := `{"isIncomplete":true,"items":[` +
		`{"label":"n","kind":6,"detail":"int","textEdit":{"range":` + inGo + `,"newText":"n"},"x-extra":{"a":[1, 2]}},` +
		`{"label":"corofyruntime","kind":9,"detail":"\"github.com/corofy/corofy/runtime\"","textEdit":{"range":` + inGo + `,"newText":"corofyruntime"}},` +
		`{"label":"Poll","kind":2,"detail":"func(w corofyruntime.Waker) (int, bool)","documentation":{"kind":"markdown","value":"Poll of a corofyruntime.Future[int]"},"textEdit":{"range":` + inGo + `,"newText":"Poll"}},` +
		`{"label":"Await","kind":3,"detail":"func()","textEdit":{"range":` + inLowering + `,"newText":"Await"}}` +
		`]}`
	if !json.Valid([]byte(res)) {
		t.Fatalf("invalid test input %s", res)
	}
	raw := mapCompletion(st, json.RawMessage(res), true)
	var got struct {
		IsIncomplete bool
		Items        []map[string]any
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("mapCompletion gave %s: %v", raw, err)
	}
	var want Range
	json.Unmarshal([]byte(rangeOf(src, "n := leaf", len("leaf"))), &want)
	var labels []string
	for _, it := range got.Items {
		labels = append(labels, it["label"].(string))
		te, _ := json.Marshal(it["textEdit"])
		var edit struct {
			Range   Range
			NewText string
		}
		json.Unmarshal(te, &edit)
		if edit.Range != want {
			t.Errorf("item %s: range %+v, want %+v (leaf in the .gocoro)", it["label"], edit.Range, want)
		}
	}
	if !got.IsIncomplete || strings.Join(labels, " ") != "wait n Poll" {
		t.Fatalf("got %s, want isIncomplete and the items wait, n and Poll", raw)
	}
	wait, n, poll := got.Items[0], got.Items[1], got.Items[2]
	if wait["detail"] != "int" || wait["textEdit"].(map[string]any)["newText"] != "wait" {
		t.Errorf("wait item %v: want detail int and newText wait", wait)
	}
	if x, _ := json.Marshal(n["x-extra"]); string(x) != `{"a":[1,2]}` {
		t.Errorf("item n lost its member x-extra: %v", n)
	}
	if poll["detail"] != "func(w runtime.Waker) (int, bool)" || poll["documentation"].(map[string]any)["value"] != "Poll of a runtime.Future[int]" {
		t.Errorf("item Poll not reworded: %v", poll)
	}
	if strings.Contains(string(raw), "corofyruntime") {
		t.Errorf("the lowering's runtime name is in %s", raw)
	}
}

// TestReplaceRuntimeNames checks replaceRuntimeNames against the regular
// expression it stands for.
func TestReplaceRuntimeNames(t *testing.T) {
	for _, s := range []string{
		"", "corofyruntime", "corofyruntime.X", "xcorofyruntime.X", "_corofyruntime.A (corofyruntime1.B)",
		"a corofyruntime12.Future[corofyruntime.Waker] corofyruntime3x. corofyruntime",
		"corofyruntimecorofyruntime.x", "é corofyruntime.A", "(corofyruntime.", "corofyruntime9",
	} {
		if got, want := replaceRuntimeNames(s), runtimeName.ReplaceAllString(s, "runtime."); got != want {
			t.Errorf("replaceRuntimeNames(%q) = %q, want %q", s, got, want)
		}
	}
}
