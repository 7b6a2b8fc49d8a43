package lsp

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// rawSeeds are messages and params as editors and gopls write them, and
// some that are not plain.
var rawSeeds = []string{
	`{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///w/a.gocoro"},"position":{"line":3,"character":12}}}`,
	`{"jsonrpc":"2.0","id":"x","result":{"contents":{"kind":"markdown","value":"` + "```go\\nfunc f() int\\n```" + `"},"range":{"start":{"line":1,"character":2},"end":{"line":1,"character":5}}}}`,
	`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.go","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}},"text":"é\t\"x\""}]}}`,
	`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`,
	` { "jsonrpc" : "2.0" , "id" : -1.5e+3 , "method" : "m" , "params" : [ 1 , true , false , null , { } , [ ] ] } `,
	`{"JSONRPC":"2.0","id":1,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1,"id":2,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1,"method":"m\u0041"}`,
	`{"jsonrpc":"2.0","id":{"a":1},"method":5}`,
	`{"textDocument":{"uri":"file:///w/a.gocoro","version":1},"position":{"line":0,"character":-1}}`,
	`{"position":{"line":1.0,"character":2},"textDocument":null}`,
	`{"textDocument":{"URI":"x"},"Position":{"line":1}}`,
	`[1,2]`, `{"a":01}`, `{"a":"\x01"}`, `{"a":"\uZZZZ"}`, `{"a" 1}`, `{"a":1,}`, `{}`, ` {} x`,
}

// FuzzScanMessage checks that what the scanner reads of a message body is
// what json.Unmarshal reads, and that it reads every plain message.
func FuzzScanMessage(f *testing.F) {
	for _, s := range rawSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanMessage(body)
		var want message
		err := json.Unmarshal(body, &want)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("scanMessage(%q) read a message; json.Unmarshal: %v", body, err)
		}
		if got.JSONRPC != want.JSONRPC || got.Method != want.Method || got.Error != nil ||
			!sameRaw(got.ID, want.ID) || !sameRaw(got.Params, want.Params) || !sameRaw(got.Result, want.Result) {
			t.Fatalf("scanMessage(%q) = %+v, json.Unmarshal gives %+v", body, got, &want)
		}
	})
}

// FuzzScanRequestParams checks that what the scanner reads of a request's
// params is what json.Unmarshal reads, spans included.
func FuzzScanRequestParams(f *testing.F) {
	for _, s := range rawSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, params []byte) {
		got, spans, ok := scanRequestParams(params)
		if !ok {
			return
		}
		var want requestParams
		if err := json.Unmarshal(params, &want); err != nil {
			t.Fatalf("scanRequestParams(%q) read params; json.Unmarshal: %v", params, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scanRequestParams(%q) = %+v, json.Unmarshal gives %+v", params, got, want)
		}
		var members map[string]json.RawMessage
		json.Unmarshal(params, &members)
		for i, name := range requestFields {
			raw, present := members[name]
			if present != (spans[i][0] >= 0) || present && !bytes.Equal(params[spans[i][0]:spans[i][1]], raw) {
				t.Fatalf("scanRequestParams(%q): span of %s %v, json.Unmarshal gives %q", params, name, spans[i], raw)
			}
		}
	})
}

// FuzzSkipValue checks the scanner's JSON grammar against json.Valid:
// it accepts only valid JSON, and all of it that is not nested deeper
// than it reads.
func FuzzSkipValue(f *testing.F) {
	for _, s := range rawSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end := skipValue(b, skipSpace(b, 0), 0)
		got := end >= 0 && skipSpace(b, end) == len(b)
		want := json.Valid(b)
		if got && !want || !got && want && nesting(b) < maxScanDepth {
			t.Fatalf("skipValue(%q) accepts: %v, json.Valid: %v", b, got, want)
		}
	})
}

// nesting returns the deepest nesting of brackets in b, strings aside.
func nesting(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			depth++
			deepest = max(deepest, depth)
		case !inString && (c == '}' || c == ']'):
			depth--
		}
	}
	return deepest
}

// sameRaw reports whether a and b are the same raw JSON, absent alike.
func sameRaw(a, b json.RawMessage) bool {
	return (a == nil) == (b == nil) && bytes.Equal(a, b)
}

// TestScanPlain checks that the scanner reads the plain messages and
// params of the seeds itself, not through encoding/json.
func TestScanPlain(t *testing.T) {
	for _, s := range rawSeeds[:5] {
		if _, ok := scanMessage([]byte(s)); !ok && s != rawSeeds[3] {
			t.Errorf("scanMessage(%s) gave up", s)
		}
	}
	st := (&document{path: "/w/p/p.gocoro"}).newState([]byte("package p\n\ncoroutine func f() int {\n\treturn 1\n}\n"), 1)
	hover := `{"contents":{"kind":"markdown","value":"` + "```go\\nfunc f() corofyruntime.Future[int]\\n```" + `"},"range":{"start":{"line":2,"character":15},"end":{"line":2,"character":16}}}`
	if got, ok := mapHoverRaw(st, json.RawMessage(hover)); !ok {
		t.Errorf("mapHoverRaw(%s) gave up", hover)
	} else if want := `{"contents":{"kind":"markdown","value":"` + "```go\\nfunc f() runtime.Future[int]\\n```" + `"},"range":{"start":{"line":2,"character":15},"end":{"line":2,"character":16}}}`; string(got) != want {
		t.Errorf("mapHoverRaw(%s) = %s, want %s", hover, got, want)
	}
	for _, s := range []string{`{"textDocument":{"uri":"file:///w/a.gocoro"},"position":{"line":3,"character":12}}`, `{"position":{"line":0,"character":0},"textDocument":{"uri":"u","version":3},"context":{"triggerKind":1}}`} {
		if _, _, ok := scanRequestParams([]byte(s)); !ok {
			t.Errorf("scanRequestParams(%s) gave up", s)
		}
	}
}

// FuzzAppendJSONString checks that appendJSONString writes a JSON string
// that reads as the one json.Marshal writes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c\n\r\t\x00\x1f\x7f", "é😀\u2028", "\xff\xfe<>&", "x\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: %v", s, appendJSONString(nil, s), err)
		}
		marshalled, _ := json.Marshal(s)
		json.Unmarshal(marshalled, &want)
		if got != want {
			t.Fatalf("appendJSONString(%q) reads as %q, json.Marshal's as %q", s, got, want)
		}
	})
}

// FuzzMapHover checks that a hover mapped on its raw JSON is the one
// mapped through encoding/json.
func FuzzMapHover(f *testing.F) {
	src := []byte("package p\n\nimport \"github.com/corofy/corofy/runtime\"\n\n// f waits.\ncoroutine func f(x runtime.Future[int]) int {\n\treturn x.wait + 1\n}\n")
	d := &document{path: "/w/p/p.gocoro"}
	st := d.newState(src, 1)
	for _, s := range []string{
		`{"contents":{"kind":"markdown","value":"` + "```go\\nfunc f(x corofyruntime.Future[int]) corofyruntime.Future[int]\\n```\\n\\nf waits." + `"},"range":{"start":{"line":5,"character":15},"end":{"line":5,"character":16}}}`,
		`{"contents":{"kind":"plaintext","value":"x \"github.com/corofy/corofy/runtime\".Future[int]"}}`,
		`{"range":null,"contents":{"value":"v","kind":"k"}}`,
		`{"contents":"a string"}`,
		`{"contents":{"kind":"markdown","value":"\u0063orofyruntime.Await(x)"},"range":{"start":{"line":6,"character":8},"end":{"line":6,"character":60}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, res []byte) {
		got, ok := mapHoverRaw(st, res)
		if !ok {
			return
		}
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("mapHoverRaw(%q) = %s: %v", res, got, err)
		}
		want, _ := json.Marshal(mapHoverDecoded(st, res))
		json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("mapHoverRaw(%q) = %s, through encoding/json: %s", res, got, want)
		}
	})
}

// FuzzURIToPath checks that uriToPath, which reads plain file URIs itself,
// gives what net/url gives.
func FuzzURIToPath(f *testing.F) {
	for _, s := range []string{"file:///w/a.gocoro", "file:///C:/w/a.go", "file:///w/a%20b.go", "file://host/w/a.go", "file:///w/../a.go", "file:////w//a.go", "untitled:Untitled-1", "file:///w/a.go?x#y", "file:///"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if got, want := uriToPath(uri), uriToPathParsed(uri); got != want {
			t.Fatalf("uriToPath(%q) = %q, net/url gives %q", uri, got, want)
		}
	})
}

// FuzzDocumentURI checks documentURI and memberString against
// json.Unmarshal.
func FuzzDocumentURI(f *testing.F) {
	for _, s := range rawSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"uri":"file:///w/a_corofied.go","version":3,"diagnostics":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}},"message":"m"}]}`))
	f.Fuzz(func(t *testing.T, params []byte) {
		var want struct {
			TextDocument docID `json:"textDocument"`
		}
		json.Unmarshal(params, &want)
		if got := documentURI(params); got != want.TextDocument.URI {
			t.Fatalf("documentURI(%q) = %q, json.Unmarshal gives %q", params, got, want.TextDocument.URI)
		}
		var p publishDiagnosticsParams
		json.Unmarshal(params, &p)
		if got, ok := memberString(params, "uri"); ok && got != p.URI {
			t.Fatalf("memberString(%q, uri) = %q, json.Unmarshal gives %q", params, got, p.URI)
		}
	})
}
