package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func frame(body string) string {
	return "Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestReadMessage reads streams of messages, good and bad, and checks
// what each read returns: a body, a framing error the stream survives, or
// the end.
func TestReadMessage(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []string // bodies, "framing: msg" for errors; the end is implied
		end    error
	}{
		{"one", frame(`{"a":1}`), []string{`{"a":1}`}, io.EOF},
		{"two", frame(`{}`) + frame(`[]`), []string{`{}`, `[]`}, io.EOF},
		{"other headers and LF only", "Content-Type: x\nContent-Length: 2\n\n{}", []string{`{}`}, io.EOF},
		{"case of the header name", "content-length: 2\r\n\r\n{}", []string{`{}`}, io.EOF},
		{"no length", "Foo: 1\r\n\r\n" + frame(`{}`), []string{"framing: header without Content-Length", `{}`}, io.EOF},
		{"bad length", "Content-Length: x\r\n\r\n" + frame(`{}`), []string{`framing: bad Content-Length "x"`, `{}`}, io.EOF},
		{"negative length", "Content-Length: -1\r\n\r\n", []string{`framing: bad Content-Length "-1"`}, io.EOF},
		{"not a header", "hello\r\n\r\n" + frame(`{}`), []string{`framing: malformed header line "hello"`, `{}`}, io.EOF},
		{"short body", "Content-Length: 10\r\n\r\n{}", nil, io.ErrUnexpectedEOF},
		{"end in header", "Content-Length: 2\r\n", nil, io.ErrUnexpectedEOF},
		{"too large", "Content-Length: 999999999999\r\n\r\n", nil, io.ErrUnexpectedEOF},
		{"empty", "", nil, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.stream))
			var got []string
			for {
				body, err := readMessage(r)
				var fe errFraming
				if errors.As(err, &fe) {
					got = append(got, "framing: "+fe.msg)
					continue
				}
				if err != nil {
					if err != tt.end {
						t.Errorf("readMessage(%q): the stream ends with %v, want %v", tt.stream, err, tt.end)
					}
					break
				}
				got = append(got, string(body))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("readMessage(%q) read %q, want %q", tt.stream, got, tt.want)
			}
		})
	}
}

// TestDecodeMessage checks the JSON-RPC error each malformed body gets.
func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		body string
		code int64 // 0: valid
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, 0},
		{`{"jsonrpc":"2.0","id":"x","method":"m","params":{}}`, 0},
		{`{"jsonrpc":"2.0","method":"initialized"}`, 0},
		{`{"jsonrpc":"2.0","id":1,"result":null}`, 0},
		{`{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}`, 0},
		{`not json`, codeParseError},
		{`{"jsonrpc":"2.0","id":1,"method":"m"`, codeParseError},
		{`[{"jsonrpc":"2.0","id":1,"method":"m"}]`, codeInvalidRequest},
		{`{"jsonrpc":"1.0","id":1,"method":"m"}`, codeInvalidRequest},
		{`{"id":1,"method":"m"}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0","id":{},"method":"m"}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0","id":null,"method":"m"}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}`, 0},
		{`{"jsonrpc":"2.0","id":null,"result":1}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0"}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0","method":3}`, codeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"m","result":1}`, codeInvalidRequest},
		{`"2.0"`, codeInvalidRequest},
	}
	for _, tt := range tests {
		_, rerr := decodeMessage([]byte(tt.body))
		var code int64
		if rerr != nil {
			code = rerr.Code
		}
		if code != tt.code {
			t.Errorf("decodeMessage(%s) = error %v, want code %d", tt.body, rerr, tt.code)
		}
	}
}

// FuzzReadMessage reads arbitrary streams: reading and decoding never
// panic, every read consumes input, so the loop ends, and a message read
// is written as it was read (checkRoundTrip).
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)))
	f.Add([]byte("Content-Length: 5\r\n\r\n{}{}{Content-Length: 2\n\n[]"))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\n\r\n:::\r\n\r\n"))
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":{"a":[1,2]},"method":7}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more messages read (%d) than bytes (%d)", i, len(data))
			}
			body, err := readMessage(r)
			var fe errFraming
			if errors.As(err, &fe) {
				continue
			}
			if err != nil {
				return
			}
			m, rerr := decodeMessage(body)
			if rerr == nil && m == nil {
				t.Fatalf("decodeMessage(%q) = nil, nil", body)
			}
			if rerr == nil {
				checkRoundTrip(t, m)
			}
		}
	})
}

// TestWriteMessage writes messages of each kind and reads them back.
func TestWriteMessage(t *testing.T) {
	for _, m := range []*message{
		{ID: json.RawMessage(`1`), Method: "textDocument/hover", Params: json.RawMessage(`{"textDocument":{"uri":"file:///a.gocoro"},"position":{"line":1,"character":2}}`)},
		{Method: "exit", Params: json.RawMessage(`null`)},
		{Method: "m\"é\u2028<\n", Params: json.RawMessage(`[1, "x" ,{"a" :null}]`)},
		{ID: json.RawMessage(`"s"`), Result: json.RawMessage(`null`)},
		{ID: json.RawMessage(`3`), Result: json.RawMessage(`{"contents":{"kind":"markdown","value":"a\u003cb"}}`)},
		{ID: json.RawMessage(`null`), Error: &responseError{codeParseError, "bad \"body\""}},
	} {
		var buf bytes.Buffer
		if err := writeMessage(&buf, m); err != nil {
			t.Fatalf("writeMessage(%+v): %v", m, err)
		}
		body, err := readMessage(bufio.NewReader(&buf))
		if err != nil {
			t.Fatalf("reading back %+v: %v", m, err)
		}
		got, rerr := decodeMessage(body)
		if rerr != nil {
			t.Fatalf("%s: %v", body, rerr)
		}
		if got.Method != m.Method || string(got.ID) != string(m.ID) || string(got.Params) != string(m.Params) ||
			string(got.Result) != string(m.Result) || (got.Error == nil) != (m.Error == nil) || got.Error != nil && *got.Error != *m.Error {
			t.Errorf("wrote %+v, read back %+v (%s)", m, got, body)
		}
		checkRoundTrip(t, got)
	}
}

// checkRoundTrip checks that m, read by decodeMessage, is written by
// writeMessage as a message that reads back the same.
func checkRoundTrip(t *testing.T, m *message) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeMessage(&buf, m); err != nil {
		t.Fatalf("writeMessage(%+v): %v", m, err)
	}
	body, err := readMessage(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("reading back %+v: %v", m, err)
	}
	got, rerr := decodeMessage(body)
	if rerr != nil {
		t.Fatalf("%+v written as %s, which reads as an error: %v", m, body, rerr)
	}
	if !json.Valid(body) || got.JSONRPC != "2.0" || got.Method != m.Method || string(got.ID) != string(m.ID) ||
		string(got.Params) != string(m.Params) || string(got.Result) != string(m.Result) ||
		(got.Error == nil) != (m.Error == nil) || got.Error != nil && *got.Error != *m.Error {
		t.Fatalf("%+v written as %s, which reads as %+v", m, body, got)
	}
}
