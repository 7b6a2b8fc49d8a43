package lsp

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/tools/txtar"
)

// TestLSP runs corofy lsp as a subprocess against a real gopls over each
// workspace of testdata/*.txtar and plays the archive's "checks" file, an
// editor session, one command a line (see runCheck). In a needle, "|"
// marks the position meant; the rest of the needle locates it (its first
// occurrence in the document's current text).
func TestLSP(t *testing.T) {
	archives, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no testdata/*.txtar: %v", err)
	}
	for _, archive := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(archive), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(archive)
			if err != nil {
				t.Fatal(err)
			}
			var checks, formatted = "", map[string]string{}
			for _, f := range ar.Files {
				if f.Name == "checks" {
					checks = string(f.Data)
				}
				if name, ok := strings.CutSuffix(f.Name, ".formatted"); ok {
					formatted[name] = string(f.Data)
				}
			}
			c := startClient(t, newWorkspace(t, archive))
			for i, line := range strings.Split(checks, "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				args, err := splitArgs(line)
				if err != nil {
					t.Fatalf("checks:%d: %v", i+1, err)
				}
				c.runCheck(fmt.Sprintf("checks:%d: %s", i+1, line), args, formatted)
			}
		})
	}
}

// splitArgs splits a line into words; a word in double quotes is a Go
// string literal.
func splitArgs(line string) ([]string, error) {
	var args []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, fmt.Errorf("bad quoted word in %s", line)
			}
			s, _ := strconv.Unquote(q)
			args = append(args, s)
			line = line[len(q):]
			continue
		}
		i := strings.IndexFunc(line, unicode.IsSpace)
		if i < 0 {
			i = len(line)
		}
		args = append(args, line[:i])
		line = line[i:]
	}
	return args, nil
}

// marker returns the position of the "|" in needle, in the document name.
func (c *client) marker(name, needle string) Position {
	c.t.Helper()
	k := strings.Index(needle, "|")
	if k < 0 {
		c.t.Fatalf("needle %q has no |", needle)
	}
	return c.at(name, needle[:k]+needle[k+1:], 0, k)
}

// runCheck runs one command of a checks file:
//
//	open FILE                         the editor opens FILE
//	edit FILE OLD NEW                 an incremental change: OLD (first occurrence) becomes NEW
//	save FILE                         the editor writes FILE's text to disk and says so
//	diag FILE NEEDLE MSG              a diagnostic whose message holds MSG comes, starting at NEEDLE
//	nodiag FILE MSG                   no diagnostic's message holds MSG (waits until so)
//	hover FILE NEEDLE WANT            the hover holds WANT
//	def FILE NEEDLE TOFILE TONEEDLE   definition goes to TONEEDLE in TOFILE
//	refs FILE NEEDLE N                N references, none in a generated file
//	complete FILE NEEDLE LABEL DETAIL completion offers LABEL (with detail holding DETAIL)
//	nocomplete FILE NEEDLE LABEL      completion does not offer LABEL
//	rename FILE NEEDLE NEW TOFILE N...
//	                                  renaming gives N edits in TOFILE (for each pair TOFILE N), none elsewhere
//	format FILE                       formatting makes FILE what FILE.formatted holds
//	symbol FILE NAME NEEDLE           the document symbol NAME is at NEEDLE
//	sig FILE NEEDLE WANT              signature help's label holds WANT
//
// Every answer is checked for lowering details: no name of the runtime's
// import in the shadow, no Await, no location in a generated file.
func (c *client) runCheck(what string, args []string, formatted map[string]string) {
	t := c.t
	t.Helper()
	need := func(n int) {
		if len(args) != n {
			t.Fatalf("%s: want %d words, have %d", what, n, len(args))
		}
	}
	pp := func(file, needle string) positionParams {
		return positionParams{docID{c.uri(file)}, c.marker(file, needle)}
	}
	switch args[0] {
	case "open":
		need(2)
		c.open(args[1])
	case "edit":
		need(4)
		c.change(args[1], args[2], 0, args[3])
	case "save":
		need(2)
		c.save(args[1])
	case "diag":
		need(4)
		at := c.marker(args[1], args[2])
		c.waitDiagnostics(args[1], func(ds []Diagnostic) bool {
			return slices.ContainsFunc(ds, func(d Diagnostic) bool {
				return strings.Contains(d.Message, args[3]) && d.Range.Start == at
			})
		})
	case "nodiag":
		need(3)
		c.waitDiagnostics(args[1], func(ds []Diagnostic) bool {
			return !slices.ContainsFunc(ds, func(d Diagnostic) bool { return strings.Contains(d.Message, args[2]) })
		})
	case "hover":
		need(4)
		raw := c.answer(what, "textDocument/hover", pp(args[1], args[2]))
		var h hover
		json.Unmarshal(raw, &h)
		if !strings.Contains(h.Contents.Value, args[3]) {
			t.Errorf("%s: hover = %s, want it to hold %q", what, raw, args[3])
		}
	case "def":
		need(5)
		raw := c.answer(what, "textDocument/definition", pp(args[1], args[2]))
		var locs []Location
		json.Unmarshal(raw, &locs)
		want := Location{URI: c.uri(args[3]), Range: Range{Start: c.marker(args[3], args[4])}}
		if len(locs) == 0 || uriToPath(locs[0].URI) != uriToPath(want.URI) || locs[0].Range.Start != want.Range.Start {
			t.Errorf("%s: definition = %s, want %s at %v", what, raw, args[3], want.Range.Start)
		}
	case "refs":
		need(4)
		raw := c.answer(what, "textDocument/references", map[string]any{
			"textDocument": docID{c.uri(args[1])}, "position": c.marker(args[1], args[2]),
			"context": map[string]any{"includeDeclaration": true}})
		var locs []Location
		json.Unmarshal(raw, &locs)
		if n, _ := strconv.Atoi(args[3]); len(locs) != n {
			t.Errorf("%s: references = %s, want %d", what, raw, n)
		}
	case "complete", "nocomplete":
		raw := c.answer(what, "textDocument/completion", pp(args[1], args[2]))
		var list struct{ Items []map[string]any }
		json.Unmarshal(raw, &list)
		i := slices.IndexFunc(list.Items, func(it map[string]any) bool { return it["label"] == args[3] })
		switch {
		case args[0] == "nocomplete" && i >= 0:
			t.Errorf("%s: completion offers %q: %v", what, args[3], list.Items[i])
		case args[0] == "complete" && i < 0:
			t.Errorf("%s: completion = %.3000s, want %q among the labels", what, raw, args[3])
		case args[0] == "complete" && len(args) > 4 && !strings.Contains(fmt.Sprint(list.Items[i]["detail"]), args[4]):
			t.Errorf("%s: completion item %v, want detail %q", what, list.Items[i], args[4])
		}
	case "rename":
		if len(args) < 6 || len(args)%2 != 0 {
			t.Fatalf("%s: want rename FILE NEEDLE NEW followed by pairs TOFILE N", what)
		}
		want := map[string]int{}
		for i := 4; i < len(args); i += 2 {
			want[c.path(args[i])], _ = strconv.Atoi(args[i+1])
		}
		raw := c.answer(what, "textDocument/rename", map[string]any{
			"textDocument": docID{c.uri(args[1])}, "position": c.marker(args[1], args[2]), "newName": args[3]})
		var edit struct {
			Changes         map[string][]TextEdit
			DocumentChanges []struct {
				TextDocument docID
				Edits        []TextEdit
			}
		}
		json.Unmarshal(raw, &edit)
		for _, dc := range edit.DocumentChanges {
			if edit.Changes == nil {
				edit.Changes = map[string][]TextEdit{}
			}
			edit.Changes[dc.TextDocument.URI] = append(edit.Changes[dc.TextDocument.URI], dc.Edits...)
		}
		for uri, edits := range edit.Changes {
			if n, ok := want[uriToPath(uri)]; !ok {
				t.Errorf("%s: rename edits %s, a file not named: %s", what, uri, raw)
			} else if len(edits) != n {
				t.Errorf("%s: rename gives %d edits of %s, want %d: %s", what, len(edits), uriToPath(uri), n, raw)
			}
			for _, e := range edits {
				if e.NewText != args[3] {
					t.Errorf("%s: rename edit %+v, want new text %q", what, e, args[3])
				}
			}
		}
		for path := range want {
			if !slices.ContainsFunc(slices.Collect(maps.Keys(edit.Changes)), func(uri string) bool { return uriToPath(uri) == path }) {
				t.Errorf("%s: rename = %s, want edits of %s", what, raw, path)
			}
		}
	case "format":
		need(2)
		raw := c.answer(what, "textDocument/formatting", map[string]any{
			"textDocument": docID{c.uri(args[1])}, "options": map[string]any{"tabSize": 8, "insertSpaces": false}})
		var edits []TextEdit
		json.Unmarshal(raw, &edits)
		c.mu.Lock()
		txt := c.texts[args[1]]
		c.mu.Unlock()
		got := applyTestEdits(t, txt, edits)
		if want := formatted[args[1]]; got != want {
			t.Errorf("%s: formatting edits %s make\n%s\nwant\n%s", what, raw, got, want)
		}
	case "symbol":
		need(4)
		raw := c.answer(what, "textDocument/documentSymbol", map[string]any{"textDocument": docID{c.uri(args[1])}})
		var syms []struct {
			Name           string
			SelectionRange Range
		}
		json.Unmarshal(raw, &syms)
		at := c.marker(args[1], args[3])
		if !slices.ContainsFunc(syms, func(s struct {
			Name           string
			SelectionRange Range
		}) bool {
			return s.Name == args[2] && s.SelectionRange.Start == at
		}) {
			t.Errorf("%s: document symbols = %s, want %s at %v", what, raw, args[2], at)
		}
	case "sig":
		need(4)
		raw := c.answer(what, "textDocument/signatureHelp", pp(args[1], args[2]))
		if !strings.Contains(string(raw), args[3]) {
			t.Errorf("%s: signature help = %s, want it to hold %q", what, raw, args[3])
		}
	default:
		t.Fatalf("%s: unknown command %q", what, args[0])
	}
}

// answer sends a request and returns its result, failing on an error or
// on any lowering detail in it.
func (c *client) answer(what, method string, params any) json.RawMessage {
	c.t.Helper()
	raw, rerr := c.callRaw(method, params)
	if rerr != nil {
		c.t.Fatalf("%s: %s: error %d %s", what, method, rerr.Code, rerr.Message)
	}
	for _, leak := range []string{"corofyruntime", "Await", "_corofied"} {
		if strings.Contains(string(raw), leak) {
			c.t.Errorf("%s: %s answer shows the lowering (%s): %s", what, method, leak, raw)
		}
	}
	return raw
}

// applyTestEdits applies LSP edits to txt, independently of the server's
// code: lines split at "\n", columns in UTF-16 units.
func applyTestEdits(t testing.TB, txt string, edits []TextEdit) string {
	offset := func(p Position) int {
		off := 0
		for l := 0; l < p.Line; l++ {
			i := strings.IndexByte(txt[off:], '\n')
			if i < 0 {
				t.Fatalf("edit at %v: past the last line", p)
			}
			off += i + 1
		}
		for col := 0; col < p.Character && off < len(txt) && txt[off] != '\n'; {
			r := []rune(txt[off:])[0]
			col += len(string(r)) / len(string(r)) // one unit...
			if r >= 0x10000 {
				col++ // ...or two
			}
			off += len(string(r))
		}
		return off
	}
	slices.SortFunc(edits, func(a, b TextEdit) int { return offset(b.Range.Start) - offset(a.Range.Start) })
	for _, e := range edits {
		txt = txt[:offset(e.Range.Start)] + e.NewText + txt[offset(e.Range.End):]
	}
	return txt
}

var _ = os.ReadFile
