package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/corofy/corofy/internal/testmod"
	"golang.org/x/tools/txtar"
)

// goplsVersion is the gopls the tests are run with: .ci/run installs it
// (go install golang.org/x/tools/gopls@pinnedGopls). A gopls found on
// PATH or in GOBIN is used whatever its version, which the test logs.
const pinnedGopls = "v0.23.0"

// findGoplsForTest returns the gopls to test with, or skips the test.
func findGoplsForTest(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs gopls: skipped in -short mode")
	}
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	out, err := exec.Command(testmod.GoTool(), "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var dirs []string
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, p := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
		for _, d := range dirs {
			p := filepath.Join(d, "gopls")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	t.Skipf("gopls is not installed (not on PATH, nor in GOBIN or GOPATH/bin): install it with go install golang.org/x/tools/gopls@%s (.ci/run does)", pinnedGopls)
	return ""
}

var (
	buildOnce sync.Once
	corofyBin string
	buildErr  error
)

// corofyCommand builds cmd/corofy once and returns its path.
func corofyCommand(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corofy-lsp-test")
		if err != nil {
			buildErr = err
			return
		}
		corofyBin = filepath.Join(dir, "corofy")
		args := []string{"build", "-o", corofyBin}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(testmod.GoTool(), append(args, filepath.Join(testmod.Root(), "cmd", "corofy"))...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/corofy: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return corofyBin
}

// A client is an editor, for tests: it runs corofy lsp in a workspace and
// talks to it.
type client struct {
	t    testing.TB
	dir  string
	conn *conn
	cmd  *exec.Cmd

	mu       sync.Mutex
	diags    map[string]publishDiagnosticsParams // by path
	messages []showMessageParams
	stray    []*message    // responses to no request of the client
	changed  chan struct{} // receives after each notification
	versions map[string]int
	texts    map[string]string
	// fullChanges sends the whole text at each change.
	fullChanges bool
}

// newWorkspace writes the files of the txtar archive file to a new module
// that requires this repository, and returns its directory.
func newWorkspace(t testing.TB, archive string) string {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := testmod.New(t)
	for _, f := range ar.Files {
		if f.Name == "checks" || f.Name == "generate" || strings.HasSuffix(f.Name, ".formatted") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := f.Data
		// A file whose name ends in .crlf is written with CRLF line
		// endings, and one ending in .bom with a byte order mark, under
		// the name without that suffix.
		if name, ok := strings.CutSuffix(p, ".crlf"); ok {
			p, data = name, []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
		}
		if name, ok := strings.CutSuffix(p, ".bom"); ok {
			p, data = name, append([]byte("\ufeff"), data...)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A file "generate" lists the arguments of a corofy run before the
	// session, as a user's go generate would have made the files.
	for _, f := range ar.Files {
		if f.Name == "generate" {
			cmd := exec.Command(corofyCommand(t), strings.Fields(string(f.Data))...)
			cmd.Dir = dir
			cmd.Env = testmod.Env()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("corofy %s: %v\n%s", f.Data, err, out)
			}
		}
	}
	return dir
}

// startClient starts corofy lsp in dir with the test's gopls and
// initializes the session.
func startClient(t testing.TB, dir string) *client {
	t.Helper()
	return startServer(t, dir, corofyCommand(t), "lsp", "-gopls", findGoplsForTest(t))
}

// startServer starts the language server argv in dir and initializes the
// session.
func startServer(t testing.TB, dir string, argv ...string) *client {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(testmod.Env(), "GOPLS_TEST=1")
	var stderr strings.Builder
	cmd.Stderr = &lockedWriter{w: &stderr}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, dir: dir, conn: newConn(out, in), cmd: cmd,
		diags: map[string]publishDiagnosticsParams{}, changed: make(chan struct{}, 1),
		versions: map[string]int{}, texts: map[string]string{}}
	go c.read()
	t.Cleanup(func() {
		c.callRaw("shutdown", nil)
		c.conn.notify("exit", nil)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s exited with %v; its standard error:\n%s", argv, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%s did not exit 10s after exit; its standard error:\n%s", argv, stderr.String())
		}
	})
	var res struct {
		Capabilities map[string]any `json:"capabilities"`
		ServerInfo   struct {
			Name, Version string
		} `json:"serverInfo"`
	}
	c.call("initialize", map[string]any{
		"processId":        nil,
		"rootUri":          pathToURI(dir),
		"workspaceFolders": []any{map[string]any{"uri": pathToURI(dir), "name": "w"}},
		"capabilities": map[string]any{
			"textDocument": map[string]any{
				"hover":          map[string]any{"contentFormat": []string{"markdown"}},
				"documentSymbol": map[string]any{"hierarchicalDocumentSymbolSupport": true},
				"completion":     map[string]any{"completionItem": map[string]any{"snippetSupport": false}},
				"rename":         map[string]any{"prepareSupport": true},
			},
			"workspace": map[string]any{"configuration": true, "workspaceFolders": true},
			"general":   map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}},
		},
	}, &res)
	t.Logf("server: %s %s", res.ServerInfo.Name, res.ServerInfo.Version)
	c.conn.notify("initialized", struct{}{})
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// read reads the server's messages: responses, diagnostics, and requests
// it answers as an editor with no configuration would.
func (c *client) read() {
	for {
		m, rerr, err := c.conn.read()
		if err != nil {
			c.conn.close(err)
			return
		}
		if rerr != nil {
			continue
		}
		switch {
		case m.isResponse():
			if !c.conn.deliver(m) {
				c.mu.Lock()
				c.stray = append(c.stray, m)
				c.mu.Unlock()
				select {
				case c.changed <- struct{}{}:
				default:
				}
			}
		case m.isRequest():
			var result any
			if m.Method == "workspace/configuration" {
				var p struct{ Items []any }
				json.Unmarshal(m.Params, &p)
				items := make([]any, len(p.Items))
				for i := range items {
					items[i] = map[string]any{}
				}
				result = items
			}
			c.conn.reply(m.ID, result, nil)
		default:
			c.mu.Lock()
			switch m.Method {
			case "textDocument/publishDiagnostics":
				var p publishDiagnosticsParams
				json.Unmarshal(m.Params, &p)
				c.diags[uriToPath(p.URI)] = p
			case "window/showMessage":
				var p showMessageParams
				json.Unmarshal(m.Params, &p)
				c.messages = append(c.messages, p)
			}
			c.mu.Unlock()
			select {
			case c.changed <- struct{}{}:
			default:
			}
		}
	}
}

// callRaw sends a request and returns its raw result.
func (c *client) callRaw(method string, params any) (json.RawMessage, *responseError) {
	raw, _ := json.Marshal(params)
	_, ch, err := c.conn.start(method, raw)
	if err != nil {
		return nil, &responseError{Message: err.Error()}
	}
	select {
	case m := <-ch:
		return m.Result, m.Error
	case <-time.After(time.Minute):
		return nil, &responseError{Message: method + ": no response within a minute"}
	}
}

// call sends a request and decodes its result into result.
func (c *client) call(method string, params, result any) {
	c.t.Helper()
	raw, rerr := c.callRaw(method, params)
	if rerr != nil {
		c.t.Fatalf("%s(%v): error %d %s", method, params, rerr.Code, rerr.Message)
	}
	if result != nil {
		if err := json.Unmarshal(raw, result); err != nil {
			c.t.Fatalf("%s: cannot decode %s: %v", method, raw, err)
		}
	}
}

func (c *client) path(name string) string { return filepath.Join(c.dir, filepath.FromSlash(name)) }
func (c *client) uri(name string) string  { return pathToURI(c.path(name)) }

// open opens the workspace file name as on disk.
func (c *client) open(name string) {
	c.t.Helper()
	data, err := os.ReadFile(c.path(name))
	if err != nil {
		c.t.Fatal(err)
	}
	lang := "go"
	if strings.HasSuffix(name, ".gocoro") {
		lang = "gocoro"
	}
	c.mu.Lock()
	c.versions[name] = 1
	c.texts[name] = string(data)
	c.mu.Unlock()
	c.conn.notify("textDocument/didOpen", didOpenParams{TextDocument: textDocumentItem{URI: c.uri(name), LanguageID: lang, Version: 1, Text: string(data)}})
}

// save writes the editor's text of the document name to disk and tells
// the server.
func (c *client) save(name string) {
	c.t.Helper()
	c.mu.Lock()
	txt := c.texts[name]
	c.mu.Unlock()
	if err := os.WriteFile(c.path(name), []byte(txt), 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.conn.notify("textDocument/didSave", didCloseParams{TextDocument: docID{URI: c.uri(name)}})
}

// change replaces the n-th (from 0) occurrence of old in the document name
// by new, as an incremental change.
func (c *client) change(name, old string, n int, new string) {
	c.t.Helper()
	c.mu.Lock()
	txt := c.texts[name]
	c.versions[name]++
	v := c.versions[name]
	c.mu.Unlock()
	start := c.at(name, old, n, 0)
	end := c.at(name, old, n, len(old))
	c.mu.Lock()
	i := nthIndex(txt, old, n)
	c.texts[name] = txt[:i] + new + txt[i+len(old):]
	c.mu.Unlock()
	change := contentChange{Range: &Range{start, end}, Text: new}
	if c.fullChanges {
		c.mu.Lock()
		change = contentChange{Text: c.texts[name]}
		c.mu.Unlock()
	}
	c.conn.notify("textDocument/didChange", didChangeParams{
		TextDocument:   versionedDocID{URI: c.uri(name), Version: v},
		ContentChanges: []contentChange{change},
	})
}

// at returns the LSP position k bytes into the n-th occurrence of needle
// in the document name, computed here independently of the server's code:
// lines split at "\n", columns in UTF-16 units.
func (c *client) at(name, needle string, n, k int) Position {
	c.t.Helper()
	c.mu.Lock()
	txt := c.texts[name]
	c.mu.Unlock()
	if txt == "" {
		data, err := os.ReadFile(c.path(name))
		if err != nil {
			c.t.Fatal(err)
		}
		txt = string(data)
	}
	i := nthIndex(txt, needle, n)
	if i < 0 {
		c.t.Fatalf("%q (occurrence %d) not in %s", needle, n, name)
	}
	before := txt[:i+k]
	line := strings.Count(before, "\n")
	lastLine := before[strings.LastIndex(before, "\n")+1:]
	return Position{Line: line, Character: len(utf16.Encode([]rune(lastLine)))}
}

func nthIndex(s, sub string, n int) int {
	off := 0
	for ; n >= 0; n-- {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return -1
		}
		if n == 0 {
			return off + i
		}
		off += i + len(sub)
	}
	return -1
}

// waitFor waits until cond, called with c.mu held, is true; after a
// minute it fails saying what was waited for.
func (c *client) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.After(time.Minute)
	for {
		c.mu.Lock()
		ok := cond()
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-c.changed:
		case <-deadline:
			c.t.Fatalf("still waiting for %s after a minute", what)
		}
	}
}

// waitDiagnostics waits until the diagnostics of name satisfy ok, and
// returns them; after a minute it fails, printing the last ones.
func (c *client) waitDiagnostics(name string, ok func([]Diagnostic) bool) []Diagnostic {
	c.t.Helper()
	deadline := time.After(time.Minute)
	for {
		c.mu.Lock()
		p, have := c.diags[c.path(name)]
		c.mu.Unlock()
		if have && ok(p.Diagnostics) {
			return p.Diagnostics
		}
		select {
		case <-c.changed:
		case <-deadline:
			c.t.Fatalf("diagnostics of %s: still %s after a minute", name, fmtDiags(p.Diagnostics))
		}
	}
}

func fmtDiags(ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n\t%d:%d-%d:%d %s: %s", d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Line, d.Range.End.Character, d.Source, d.Message)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}
