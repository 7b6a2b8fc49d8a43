package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure [Serve].
type Options struct {
	// Gopls is the command that runs gopls; nil means FindGopls(Dir).
	Gopls []string
	// Dir is the directory gopls runs in ("" is the current one).
	Dir string
	// Log receives gopls's standard error and the proxy's own log; nil
	// discards them. It must not be the editor's connection.
	Log io.Writer
}

// maxRestarts is how many times in a row a crashed gopls is restarted
// before the proxy gives up on it.
const maxRestarts = 5

// Serve speaks LSP with an editor on in and out, in front of a gopls it
// starts, until the editor sends "exit" or closes in.
func Serve(in io.Reader, out io.Writer, opts Options) error {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Gopls == nil {
		argv, err := FindGopls(opts.Dir)
		if err != nil {
			return err
		}
		opts.Gopls = argv
	}
	s := &server{
		opts:     opts,
		client:   newConn(in, out),
		log:      log.New(opts.Log, "corofy lsp: ", log.Ltime),
		docs:     map[string]*document{},
		goDocs:   map[string]*goDoc{},
		inflight: map[string]inflightRequest{},
	}
	if err := s.startGopls(); err != nil {
		return err
	}
	defer s.stopGopls()
	return s.run()
}

// A server is the proxy: the editor's connection, the current gopls, and
// the documents the editor has open.
type server struct {
	opts   Options
	client *conn
	log    *log.Logger

	mu         sync.Mutex
	gopls      *goplsProc
	initParams json.RawMessage // the editor's initialize params, to restart gopls
	restarts   int
	exiting    bool
	docs       map[string]*document       // .gocoro documents by path, open or shadowed for a sibling
	goDocs     map[string]*goDoc          // .go documents the editor has open, by path
	inflight   map[string]inflightRequest // editor requests being answered, by id
}

// An inflightRequest is an editor request being answered.
type inflightRequest struct {
	r      *pendingRequest
	cancel context.CancelCauseFunc
	// path is the .gocoro document the request is about, or "": an edit
	// of it supersedes the request.
	path string
}

// errContentModified is why a request is cancelled when the document it
// is about changes before it is answered: its answer, about the text the
// editor no longer has, would be wrong.
var errContentModified = errors.New("content modified")

// A goDoc is a .go document the editor has open, kept to reopen it in a
// restarted gopls: its item, and its text kept apart with its line
// table, which a keystroke moves, where it copied the whole file three
// times and found its lines again (the item's Text is set when it is
// reopened).
type goDoc struct {
	item textDocumentItem
	text *text
}

// run reads the editor's messages until it exits.
func (s *server) run() error {
	for {
		m, rerr, err := s.client.read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if rerr != nil {
			id := json.RawMessage("null")
			if m != nil && m.ID != nil && validID(m.ID) {
				id = m.ID
			}
			s.client.reply(id, nil, rerr)
			continue
		}
		switch {
		case m.isResponse():
			s.client.deliver(m)
		case m.isNotification():
			if m.Method == "exit" {
				return nil
			}
			s.notification(m)
		default:
			s.request(m)
		}
	}
}

// request answers an editor request, with the documents as they are when
// it arrives: changes read after it do not apply to it.
//
// Most requests take one call to gopls: it is sent from this goroutine,
// and gopls's response is mapped and answered on the goroutine that reads
// gopls (see answer), so that no goroutine is woken in between. Others are
// answered on a goroutine of their own.
//
// A request is cancelled by $/cancelRequest, and superseded by an edit of
// the .gocoro document it is about: its answer would be about text the
// editor no longer has. Either way it gets its error at once (the LSP's
// RequestCancelled or ContentModified, which editors do not show), and
// gopls is told to stop working on it.
func (s *server) request(m *message) {
	p, _, ok := scanRequestParams(m.Params) // see rawjson.go
	if !ok {
		p = requestParams{}
		json.Unmarshal(m.Params, &p)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	r := &pendingRequest{s: s, id: m.ID, ctx: ctx, cancel: cancel}
	req := inflightRequest{r: r, cancel: cancel}
	if p.TextDocument != nil && isGocoro(p.TextDocument.URI) {
		req.path = uriToPath(p.TextDocument.URI)
	}
	s.mu.Lock()
	s.inflight[string(m.ID)] = req
	s.mu.Unlock()
	a := s.prepare(m, &p)
	if a.method == "" {
		go func() { r.reply(a.run(ctx)) }()
		return
	}
	s.ask(r, a)
}

// requestParams are the members of a request's params the proxy looks at
// to choose how to answer it.
type requestParams struct {
	TextDocument *docID   `json:"textDocument"`
	Position     Position `json:"position"`
}

// An answer is how to compute the result of a request. Most ask gopls
// once: method and params are the call, and then maps its result. then
// runs on the goroutine that reads gopls: it must neither call gopls nor
// wait; if the answer needs more (a package to shadow, and gopls asked
// again), then returns more, which finishes it on a goroutine of its own.
// An answer without a method is computed by run, on a goroutine of its own.
type answer struct {
	method string
	params json.RawMessage
	then   func(res json.RawMessage) (result any, rerr *responseError, more func(context.Context) (any, *responseError))
	run    func(ctx context.Context) (any, *responseError)
}

// runAnswer is the answer computed by run.
func runAnswer(run func(ctx context.Context) (any, *responseError)) answer {
	return answer{run: run}
}

// nothing answers null at once.
var nothing = runAnswer(func(context.Context) (any, *responseError) { return nil, nil })

// A pendingRequest is an editor request not answered yet.
type pendingRequest struct {
	s      *server
	id     json.RawMessage
	ctx    context.Context
	cancel context.CancelCauseFunc
	// stop, if set, unregisters what answers the request when ctx is
	// cancelled (see ask).
	stop    func() bool
	replied atomic.Bool
}

// reply answers the request with result or rerr, or with the error of
// its cancellation if it was cancelled; only the first reply is sent.
// The answer goes out first: what follows is bookkeeping that the editor
// need not wait for.
func (r *pendingRequest) reply(result any, rerr *responseError) {
	if !r.replied.CompareAndSwap(false, true) {
		return
	}
	s := r.s
	if r.ctx.Err() != nil {
		rerr = &responseError{codeRequestCancelled, "request cancelled"}
		if context.Cause(r.ctx) == errContentModified {
			rerr = &responseError{codeContentModified, "content modified: the document changed before the request was answered"}
		}
	}
	if rerr != nil {
		s.client.reply(r.id, nil, &responseError{rerr.Code, s.view().cleanError(rerr.Message)})
	} else {
		if result == nil {
			result = json.RawMessage("null")
		}
		s.client.reply(r.id, result, nil)
	}
	if r.stop != nil {
		r.stop()
	}
	s.mu.Lock()
	if s.inflight[string(r.id)].r == r { // not a later request with the same id
		delete(s.inflight, string(r.id))
	}
	s.mu.Unlock()
	r.cancel(nil)
}

// ask sends the call of the answer a to gopls, and answers r when its
// response comes, with what a.then makes of it, or at once when r is
// cancelled (gopls is then told to stop working on the call).
func (s *server) ask(r *pendingRequest, a answer) {
	p := s.current()
	if p == nil {
		r.reply(nil, &responseError{codeRequestFailed, "gopls is not running"})
		return
	}
	// r.ctx is cancelled only by this goroutine (see notification and
	// supersede), after ask returns and callID is set, or by r.reply,
	// which calls r.stop first.
	var callID json.RawMessage
	r.stop = context.AfterFunc(r.ctx, func() {
		if p.conn.forget(callID) {
			p.conn.notify("$/cancelRequest", struct {
				ID json.RawMessage `json:"id"`
			}{callID})
		}
		r.reply(nil, nil)
	})
	id, err := p.conn.startFunc(a.method, a.params, func(resp *message) {
		if r.replied.Load() {
			return
		}
		if resp.Error != nil {
			r.reply(nil, resp.Error)
			return
		}
		result, rerr, more := a.then(resp.Result)
		if more != nil {
			go func() { r.reply(more(r.ctx)) }()
			return
		}
		r.reply(result, rerr)
	})
	if err != nil {
		r.reply(nil, &responseError{codeRequestFailed, err.Error()})
		return
	}
	callID = id
}

// prepare returns how to answer the request m, whose params are p.
func (s *server) prepare(m *message, p *requestParams) answer {
	switch m.Method {
	case "initialize":
		return runAnswer(func(ctx context.Context) (any, *responseError) { return s.initialize(ctx, m.Params) })
	case "shutdown":
		return runAnswer(func(ctx context.Context) (any, *responseError) {
			s.mu.Lock()
			s.exiting = true
			s.mu.Unlock()
			return s.call(ctx, "shutdown", nil)
		})
	}
	if p.TextDocument != nil && isGocoro(p.TextDocument.URI) {
		return s.gocoroRequest(m, p)
	}
	return s.passThrough(m)
}

// notification handles an editor notification, in order with the others.
func (s *server) notification(m *message) {
	switch m.Method {
	case "$/cancelRequest":
		var p struct {
			ID json.RawMessage `json:"id"`
		}
		json.Unmarshal(m.Params, &p)
		s.mu.Lock()
		req, ok := s.inflight[string(p.ID)]
		s.mu.Unlock()
		if ok {
			req.cancel(context.Canceled)
		}
		return
	case "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose", "textDocument/didSave":
		uri := documentURI(m.Params)
		if isGocoro(uri) {
			if m.Method == "textDocument/didChange" || m.Method == "textDocument/didClose" {
				s.supersede(uriToPath(uri))
			}
			s.gocoroNotification(m)
			return
		}
		if !s.goNotification(m, uri) {
			return
		}
	}
	s.forward(m)
}

// supersede cancels the requests about the .gocoro document path that are
// being answered: it is changing.
func (s *server) supersede(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, req := range s.inflight {
		if req.path == path {
			req.cancel(errContentModified)
		}
	}
}

// forward sends the notification m to gopls as it is.
func (s *server) forward(m *message) {
	if p := s.current(); p != nil {
		p.conn.send(&message{Method: m.Method, Params: m.Params})
	}
}

// current returns the running gopls.
func (s *server) current() *goplsProc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gopls
}

// call sends a request to gopls and waits for its response, or for ctx
// to be cancelled, which cancels the request in gopls.
func (s *server) call(ctx context.Context, method string, params any) (json.RawMessage, *responseError) {
	raw, ok := params.(json.RawMessage)
	if !ok && params != nil {
		var err error
		if raw, err = json.Marshal(params); err != nil {
			return nil, &responseError{codeInternalError, err.Error()}
		}
	}
	p := s.current()
	if p == nil {
		return nil, &responseError{codeRequestFailed, "gopls is not running"}
	}
	id, ch, err := p.conn.start(method, raw)
	if err != nil {
		return nil, &responseError{codeRequestFailed, err.Error()}
	}
	select {
	case m := <-ch:
		return m.Result, m.Error
	case <-ctx.Done():
		p.conn.forget(id)
		p.conn.notify("$/cancelRequest", struct {
			ID json.RawMessage `json:"id"`
		}{id})
		return nil, &responseError{codeRequestCancelled, "request cancelled"}
	}
}

// initialize starts the session with gopls: the editor's parameters go to
// gopls, which is asked for UTF-16 positions (the only encoding the
// position maps speak), and gopls's capabilities come back with the
// proxy's own.
func (s *server) initialize(ctx context.Context, params json.RawMessage) (any, *responseError) {
	params = withoutPositionEncodings(params)
	s.mu.Lock()
	s.initParams = params
	s.mu.Unlock()
	res, rerr := s.call(ctx, "initialize", params)
	if rerr != nil {
		return nil, rerr
	}
	var result map[string]any
	if err := json.Unmarshal(res, &result); err != nil {
		return nil, &responseError{codeInternalError, "gopls's initialize result: " + err.Error()}
	}
	caps, _ := result["capabilities"].(map[string]any)
	if caps == nil {
		caps = map[string]any{}
		result["capabilities"] = caps
	}
	caps["positionEncoding"] = "utf-16"
	caps["documentFormattingProvider"] = true
	result["serverInfo"] = map[string]any{"name": "corofy lsp", "version": goplsVersion(result)}
	return result, nil
}

// goplsVersion returns the version gopls gave in its initialize result.
func goplsVersion(result map[string]any) string {
	if info, ok := result["serverInfo"].(map[string]any); ok {
		if v, ok := info["version"].(string); ok {
			// gopls gives its build information as JSON.
			var build struct{ Version string }
			if json.Unmarshal([]byte(v), &build) == nil && build.Version != "" {
				v = build.Version
			}
			return "gopls " + v
		}
	}
	return "gopls"
}

// withoutPositionEncodings removes capabilities.general.positionEncodings
// from initialize params: without it, positions are UTF-16.
func withoutPositionEncodings(params json.RawMessage) json.RawMessage {
	var p map[string]any
	if json.Unmarshal(params, &p) != nil {
		return params
	}
	if caps, ok := p["capabilities"].(map[string]any); ok {
		if gen, ok := caps["general"].(map[string]any); ok {
			delete(gen, "positionEncodings")
		}
	}
	out, err := json.Marshal(p)
	if err != nil {
		return params
	}
	return out
}

// startGopls starts gopls and the goroutine that reads it.
func (s *server) startGopls() error {
	p, err := startGopls(s.opts.Gopls, s.opts.Dir, s.opts.Log)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.gopls = p
	s.mu.Unlock()
	go s.readGopls(p)
	return nil
}

// stopGopls ends gopls: "exit", then a kill if it lingers.
func (s *server) stopGopls() {
	s.mu.Lock()
	s.exiting = true
	p := s.gopls
	s.mu.Unlock()
	if p == nil {
		return
	}
	p.conn.notify("exit", nil)
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		p.kill()
		<-p.done
	}
}

// readGopls reads what gopls sends until it exits, then restarts it
// unless the session is ending.
func (s *server) readGopls(p *goplsProc) {
	for {
		m, rerr, err := p.conn.read()
		if err != nil {
			break
		}
		if rerr != nil {
			s.log.Printf("from gopls: %s", rerr.Message)
			continue
		}
		switch {
		case m.isResponse():
			p.conn.deliver(m)
		case m.isNotification():
			s.goplsNotification(m)
		default:
			go s.goplsRequest(p, m)
		}
	}
	p.conn.close(errors.New("gopls exited"))
	p.wait()
	s.goplsExited(p)
}

// goplsRequest relays a request of gopls (workspace/configuration,
// workspace/applyEdit...) to the editor, and the editor's response back.
func (s *server) goplsRequest(p *goplsProc, m *message) {
	params := m.Params
	if m.Method == "workspace/applyEdit" {
		params = s.view().mapJSON(params)
	}
	id, ch, err := s.client.start(m.Method, params)
	if err != nil {
		p.conn.reply(m.ID, nil, &responseError{codeRequestFailed, err.Error()})
		return
	}
	_ = id
	resp := <-ch
	p.conn.send(&message{ID: m.ID, Result: resp.Result, Error: resp.Error})
}

// goplsNotification handles a notification of gopls: diagnostics of a
// shadow file go to its .gocoro document; the rest goes to the editor.
func (s *server) goplsNotification(m *message) {
	if m.Method == "textDocument/publishDiagnostics" {
		// Only a shadow's are decoded (see rawjson.go).
		uri, ok := memberString(m.Params, "uri")
		if !ok {
			var p publishDiagnosticsParams
			json.Unmarshal(m.Params, &p)
			uri = p.URI
		}
		if d := s.docByShadow(uriToPath(uri)); d != nil {
			var p publishDiagnosticsParams
			if json.Unmarshal(m.Params, &p) == nil {
				s.goplsDiagnostics(d, p)
				return
			}
		}
		params := m.Params
		if mayNameShadow(params) {
			params = s.view().mapJSON(params)
		}
		s.client.send(&message{Method: m.Method, Params: params})
		return
	}
	s.client.send(&message{Method: m.Method, Params: m.Params})
}

// goplsExited restarts a gopls that exited while the session goes on,
// reopens the documents in it, and tells the user.
func (s *server) goplsExited(p *goplsProc) {
	s.mu.Lock()
	if s.exiting || s.gopls != p {
		s.mu.Unlock()
		return
	}
	s.restarts++
	n := s.restarts
	params := s.initParams
	s.gopls = nil
	s.mu.Unlock()
	if n > maxRestarts {
		s.showMessage(1, fmt.Sprintf("corofy lsp: %v; it was restarted %d times and is not restarted again", p.err, maxRestarts))
		return
	}
	if err := s.startGopls(); err != nil {
		s.showMessage(1, fmt.Sprintf("corofy lsp: %v, and restarting it failed: %v", p.err, err))
		return
	}
	ctx := context.Background()
	if params != nil {
		if _, rerr := s.call(ctx, "initialize", params); rerr != nil {
			s.showMessage(1, fmt.Sprintf("corofy lsp: %v; the restarted gopls failed to initialize: %s", p.err, rerr.Message))
			return
		}
		s.current().conn.notify("initialized", struct{}{})
		s.reopenAll()
	}
	s.showMessage(2, fmt.Sprintf("corofy lsp: %v; restarted it", p.err))
}

// showMessage shows the user a message of the given type (1 error, 2
// warning, 3 info).
func (s *server) showMessage(typ int, msg string) {
	s.log.Print(msg)
	s.client.notify("window/showMessage", showMessageParams{Type: typ, Message: msg})
}

// isGocoro reports whether uri names a .gocoro file.
func isGocoro(uri string) bool { return strings.HasSuffix(uriToPath(uri), ".gocoro") }

// uriToPath returns the file path of a file URI, or "" for another URI.
// It is on the way of every message about a document, several times: a
// file URI of plain characters, as editors write most, is read without
// net/url (FuzzURIToPath checks they agree).
func uriToPath(uri string) string {
	if p, ok := strings.CutPrefix(uri, "file:///"); ok && plainURIPath(p) {
		return filepath.Clean(filepath.FromSlash("/" + p))
	}
	return uriToPathParsed(uri)
}

// plainURIPath reports whether p holds only characters that a URI's path
// has as they are: letters, digits, "/", "-", ".", "_" and "~".
func plainURIPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// uriToPathParsed is uriToPath through net/url.
func uriToPathParsed(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return filepath.Clean(filepath.FromSlash(u.Path))
}

// pathToURI returns the file URI of an absolute path.
func pathToURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
