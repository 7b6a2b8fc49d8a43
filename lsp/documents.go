package lsp

import (
	"bytes"
	"encoding/json"
	"go/scanner"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/corofy/corofy/transform"
)

// A document is a .gocoro file the proxy keeps a shadow of in gopls: the
// Go text of its lowering, opened in gopls under the name of the file
// corofy generates from it (x.gocoro -> x_corofied.go). gopls then sees
// the package as the go command will once corofy has run, with the
// lowering in place of the generated state machines (the two declare the
// same names), and positions in the shadow map back to the .gocoro.
//
// A document is open in the editor (owned), or shadowed only because a
// sibling in its package is: then its text is the file's on disk and its
// diagnostics are not published.
type document struct {
	path, uri  string // the .gocoro file
	shadowPath string
	shadowURI  string

	// pubMu orders publications: a publication that reads the document
	// later is sent later, so the editor's last one is the newest.
	pubMu sync.Mutex
	// sendMu orders the shadow's versions: a state is made and sent to
	// gopls under it.
	sendMu sync.Mutex

	mu         sync.Mutex
	owned      bool
	version    int // the editor's version of the text
	st         *docState
	history    []*docState       // recent states, to map gopls's late diagnostics
	goplsDiags []Diagnostic      // gopls's, mapped to the source
	lastErrs   scanner.ErrorList // corofy's errors of the last state checked
	// refused is what the transform said of the text last saved;
	// refusing is set while it runs, refuseAgain when asked to run
	// again meanwhile (see refused.go).
	refused     *refusal
	refusing    bool
	refuseAgain bool
}

// A docState is one version of a document's text and lowering; it never
// changes once made, so requests may keep it while the document moves on.
type docState struct {
	doc           *document
	version       int // the editor's
	shadowVersion int // gopls's version of the shadow
	low           *lowering
	src, goText   *text
	errs          scanner.ErrorList // corofy's, set under doc.mu once found
	checked       bool              // errs are st's (else the last ones found)
	// diagnosed is closed when gopls has published the diagnostics of
	// this shadow version.
	diagnosed chan struct{}
	once      sync.Once
}

// goplsDiagnosed records that gopls published st's diagnostics.
func (st *docState) goplsDiagnosed() { st.once.Do(func() { close(st.diagnosed) }) }

// shadowPathOf returns the shadow's file name for the .gocoro path.
func shadowPathOf(path string) string { return transform.DefaultOutput(path) }

// sourceOfGenerated returns the .gocoro file that the generated file path
// would come from, or "".
func sourceOfGenerated(path string) string {
	switch {
	case strings.HasSuffix(path, "_corofied_test.go"):
		return strings.TrimSuffix(path, "_corofied_test.go") + "_test.gocoro"
	case strings.HasSuffix(path, "_corofied.go"):
		return strings.TrimSuffix(path, "_corofied.go") + ".gocoro"
	}
	return ""
}

// newState lowers src as the next state of d.
func (d *document) newState(src []byte, version int) *docState {
	return d.newStateFrom(lowerGo(d.path, src), version)
}

// newStateFrom makes low the next state of d.
func (d *document) newStateFrom(low *lowering, version int) *docState {
	return d.newStateWith(low, version, newText(low.src), newText(low.goSrc))
}

// newStateEdited makes e the next state of d, and returns the change of
// the shadow from d's current state to it, or nil. When e was made from
// the current state's lowering, the texts' line tables are the current
// ones moved, and the change is e's (if positions can say where it is);
// else (the current state changed meanwhile, see checkLater) they are
// made from the whole texts.
func (d *document) newStateEdited(e *editedLowering, version int) (*docState, *contentChange) {
	prev := d.st
	if prev == nil || prev.low != e.base {
		return d.newStateFrom(e.lowering, version), nil
	}
	st := d.newStateWith(e.lowering, version,
		prev.src.edited(e.src, e.start, e.end, len(e.text)),
		prev.goText.edited(e.goSrc, e.gStart, e.gEnd, len(e.text)))
	if !prev.goText.between(e.gStart) || !prev.goText.between(e.gEnd) {
		return st, nil // no position says where the change is
	}
	r := Range{prev.goText.position(e.gStart), prev.goText.position(e.gEnd)}
	return st, &contentChange{Range: &r, Text: e.text}
}

// newStateWith makes low, whose texts are src and goText, the next state
// of d.
func (d *document) newStateWith(low *lowering, version int, src, goText *text) *docState {
	st := &docState{doc: d, version: version, low: low, src: src, goText: goText, diagnosed: make(chan struct{})}
	if d.st != nil {
		st.shadowVersion = d.st.shadowVersion + 1
	} else {
		st.shadowVersion = 1
	}
	d.st = st
	d.history = append(d.history, st)
	if len(d.history) > 16 {
		d.history = d.history[len(d.history)-16:]
	}
	return st
}

// stateForShadow returns the state whose shadow version is v, or the
// current one.
func (d *document) stateForShadow(v *int) *docState {
	if v != nil {
		for _, st := range d.history {
			if st.shadowVersion == *v {
				return st
			}
		}
	}
	return d.st
}

// gocoroNotification handles didOpen, didChange, didClose and didSave of a
// .gocoro document.
func (s *server) gocoroNotification(m *message) {
	switch m.Method {
	case "textDocument/didOpen":
		var p didOpenParams
		if json.Unmarshal(m.Params, &p) != nil {
			return
		}
		path := uriToPath(p.TextDocument.URI)
		d := s.shadow(path, []byte(p.TextDocument.Text), p.TextDocument.Version, true)
		d.mu.Lock()
		d.uri = p.TextDocument.URI
		d.mu.Unlock()
		s.shadowSiblings(filepath.Dir(path))
		s.publish(d)
		s.refuse(d)
	case "textDocument/didChange":
		var p didChangeParams
		if json.Unmarshal(m.Params, &p) != nil {
			return
		}
		d := s.doc(uriToPath(p.TextDocument.URI))
		if d == nil {
			return
		}
		d.mu.Lock()
		cur := d.st
		d.mu.Unlock()
		fast := fastEdit(cur, p.ContentChanges)
		var src []byte
		if fast != nil {
			src = fast.src
		} else {
			t, err := cur.src.apply(p.ContentChanges)
			if err != nil {
				s.showMessage(1, "corofy lsp: "+d.path+": "+err.Error())
				return
			}
			src = t.src
		}
		s.shadowEdit(d.path, src, p.TextDocument.Version, true, fast)
		// The diagnostics of the edit are published once gopls has
		// published its own: before, those the editor has are the best
		// there are (it moves them with the edits; publishing them again
		// would put them back where they were). corofy's errors of an edit
		// made by lowering.edit come with its check (checkLater); those of
		// another edit are known now, and go out with gopls's diagnostics,
		// or on their own if gopls has none to publish (see publishLater).
		if fast == nil {
			d.mu.Lock()
			st := d.st
			d.mu.Unlock()
			go s.publishLater(d, st)
		}
	case "textDocument/didClose":
		var p didCloseParams
		json.Unmarshal(m.Params, &p)
		s.closeDoc(uriToPath(p.TextDocument.URI))
	case "textDocument/didSave":
		var p didCloseParams
		json.Unmarshal(m.Params, &p)
		if d := s.doc(uriToPath(p.TextDocument.URI)); d != nil {
			s.publish(d) // the stale check reads the saved file
			s.refuse(d)
		}
	}
}

// doc returns the document of the .gocoro path, or nil.
func (s *server) doc(path string) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[path]
}

// docByShadow returns the document whose shadow is path, or nil.
func (s *server) docByShadow(path string) *document {
	src := sourceOfGenerated(path)
	if src == "" {
		return nil
	}
	d := s.doc(src)
	if d == nil || d.shadowPath != path {
		return nil
	}
	return d
}

// shadow makes src the text of the .gocoro document path, creating it if
// need be, and sends its lowering to gopls. owned marks it open in the
// editor (a sibling shadowed from disk is not).
func (s *server) shadow(path string, src []byte, version int, owned bool) *document {
	return s.shadowEdit(path, src, version, owned, nil)
}

// fastEdit returns the lowering that lowering.edit makes of cur's for a
// single ranged change, or nil.
func fastEdit(cur *docState, changes []contentChange) *editedLowering {
	if len(changes) != 1 || changes[0].Range == nil {
		return nil
	}
	start, err1 := cur.src.offset(changes[0].Range.Start)
	end, err2 := cur.src.offset(changes[0].Range.End)
	if err1 != nil || err2 != nil {
		return nil
	}
	return cur.low.edit(start, end, changes[0].Text)
}

// shadowEdit is shadow; fast, if not nil, is the lowering of src that
// lowering.edit made: it goes to gopls at once, and the full lowering,
// made after, only if it differs and src has no errors (with errors there
// is no right lowering, and the one with the structure of the last good
// source keeps gopls's answers about the rest of the file).
func (s *server) shadowEdit(path string, src []byte, version int, owned bool, fast *editedLowering) *document {
	s.mu.Lock()
	d := s.docs[path]
	isNew := d == nil
	if isNew {
		sp := shadowPathOf(path)
		d = &document{path: path, uri: pathToURI(path), shadowPath: sp, shadowURI: pathToURI(sp)}
		s.docs[path] = d
	}
	p := s.gopls
	s.mu.Unlock()

	d.sendMu.Lock()
	d.mu.Lock()
	d.owned = d.owned || owned
	owned = d.owned
	d.version = version
	prev := d.st
	var st *docState
	var change *contentChange
	if fast != nil && !isNew {
		st, change = d.newStateEdited(fast, version)
		st.errs = d.lastErrs // until checked
	} else {
		st = d.newState(src, version)
	}
	d.mu.Unlock()
	if p != nil {
		s.sendShadow(p, d, isNew, prev, st, change)
	}
	d.sendMu.Unlock()
	if !owned {
		return d // no diagnostics are published for it
	}
	if fast != nil && !isNew {
		go s.checkLater(p, d, st, src)
		return d
	}
	errs, _ := check(path, src)
	d.mu.Lock()
	st.errs, st.checked, d.lastErrs = errs, true, errs
	d.mu.Unlock()
	return d
}

// publishLater publishes d's diagnostics if gopls has not published
// those of st within checkDelay (it publishes only when they change) and
// st is still d's state.
func (s *server) publishLater(d *document, st *docState) {
	select {
	case <-st.diagnosed:
		return // published with gopls's
	case <-time.After(checkDelay):
	}
	d.mu.Lock()
	current := d.st == st
	d.mu.Unlock()
	if current {
		s.publish(d)
	}
}

// checkDelay bounds how long the check of an edit lowered by
// lowering.edit waits for gopls's diagnostics of it, and checkQuiet is
// how long the document must then go unchanged for the check to run.
const (
	checkDelay = 50 * time.Millisecond
	checkQuiet = 30 * time.Millisecond
)

// checkLater runs corofy's checks of the state st, made by lowering.edit
// from the text src, once gopls has published st's diagnostics (or after
// checkDelay) and no edit has followed for checkQuiet: the parse they take
// (milliseconds on a large file) is then in the way neither of gopls's
// work on the edit nor of its work on the next one. The full lowering made
// with them replaces st if it differs, with no errors. A state superseded
// meanwhile is not checked: the newer one will be. So while the user types
// faster than that, gopls's diagnostics come at once and corofy's own are
// those of the last check, brought up to date when the typing pauses (an
// edit lowering.edit accepts touches no wait and no coroutine header: the
// syntax errors it may make, gopls reports too).
func (s *server) checkLater(p *goplsProc, d *document, st *docState, src []byte) {
	select {
	case <-st.diagnosed:
	case <-time.After(checkDelay):
	}
	time.Sleep(checkQuiet)
	d.mu.Lock()
	current := d.st == st
	d.mu.Unlock()
	if !current {
		return
	}
	errs, full := check(d.path, src)
	d.sendMu.Lock()
	d.mu.Lock()
	if d.st != st {
		d.mu.Unlock()
		d.sendMu.Unlock()
		return
	}
	prev := st
	if len(errs) == 0 && !bytes.Equal(full.goSrc, st.low.goSrc) {
		st = d.newStateFrom(full, st.version)
	}
	st.errs, st.checked, d.lastErrs = errs, true, errs
	d.mu.Unlock()
	if st != prev && p != nil {
		s.sendShadow(p, d, false, prev, st, nil)
	}
	d.sendMu.Unlock()
	s.publish(d)
}

// sendShadow sends gopls the shadow of st: opened, or changed from prev,
// by change if it is not nil.
func (s *server) sendShadow(p *goplsProc, d *document, isNew bool, prev, st *docState, change *contentChange) {
	if isNew {
		p.conn.notify("textDocument/didOpen", didOpenParams{TextDocument: textDocumentItem{
			URI: d.shadowURI, LanguageID: "go", Version: st.shadowVersion, Text: string(st.low.goSrc)}})
		return
	}
	if change == nil {
		c := shadowChange(prev, st)
		change = &c
	}
	p.conn.notify("textDocument/didChange", didChangeParams{
		TextDocument:   versionedDocID{URI: d.shadowURI, Version: st.shadowVersion},
		ContentChanges: []contentChange{*change}})
}

// shadowSiblings shadows, from disk, every .gocoro file of dir that is not
// shadowed yet: gopls must see the whole package lowered, or the names a
// sibling declares would come from its generated file, or be missing.
func (s *server) shadowSiblings(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.gocoro"))
	sort.Strings(matches)
	for _, path := range matches {
		if s.doc(path) != nil || strings.HasPrefix(filepath.Base(path), ".") || strings.HasPrefix(filepath.Base(path), "_") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		s.shadow(path, src, 0, false)
	}
}

// closeDoc handles the editor closing the .gocoro document path: it stays
// shadowed, from disk, while another document of its directory is open;
// else the whole directory's shadows are closed.
func (s *server) closeDoc(path string) {
	d := s.doc(path)
	if d == nil {
		return
	}
	d.mu.Lock()
	d.owned = false
	d.mu.Unlock()
	s.client.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: d.uri, Diagnostics: []Diagnostic{}})
	dir := filepath.Dir(path)
	if s.dirInUse(dir) {
		if src, err := os.ReadFile(path); err == nil {
			s.shadow(path, src, 0, false)
		}
		return
	}
	s.mu.Lock()
	var closed []*document
	for p, d := range s.docs {
		if filepath.Dir(p) == dir {
			closed = append(closed, d)
			delete(s.docs, p)
		}
	}
	gp := s.gopls
	s.mu.Unlock()
	if gp != nil {
		for _, d := range closed {
			gp.conn.notify("textDocument/didClose", didCloseParams{TextDocument: docID{URI: d.shadowURI}})
		}
	}
}

// dirInUse reports whether the editor has a document of dir open.
func (s *server) dirInUse(dir string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, d := range s.docs {
		d.mu.Lock()
		owned := d.owned
		d.mu.Unlock()
		if owned && filepath.Dir(p) == dir {
			return true
		}
	}
	for p := range s.goDocs {
		if filepath.Dir(p) == dir {
			return true
		}
	}
	return false
}

// goNotification keeps the text of the editor's .go documents, to reopen
// them in a restarted gopls, and shadows the .gocoro files of their
// package; uri is the document's. It reports whether the notification
// goes on to gopls: not when it is about a file that gopls has as a
// shadow.
func (s *server) goNotification(m *message, uri string) bool {
	if s.docByShadow(uriToPath(uri)) != nil {
		return false
	}
	switch m.Method {
	case "textDocument/didOpen":
		var p didOpenParams
		if json.Unmarshal(m.Params, &p) != nil {
			return true
		}
		path := uriToPath(p.TextDocument.URI)
		s.mu.Lock()
		g := &goDoc{item: p.TextDocument, text: newText([]byte(p.TextDocument.Text))}
		g.item.Text = ""
		s.goDocs[path] = g
		s.mu.Unlock()
		s.shadowSiblings(filepath.Dir(path))
	case "textDocument/didChange":
		var p didChangeParams
		if json.Unmarshal(m.Params, &p) != nil {
			return true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if g := s.goDocs[uriToPath(p.TextDocument.URI)]; g != nil {
			if t, err := g.text.apply(p.ContentChanges); err == nil {
				g.text = t
				g.item.Version = p.TextDocument.Version
			}
		}
	case "textDocument/didClose":
		var p didCloseParams
		json.Unmarshal(m.Params, &p)
		s.mu.Lock()
		delete(s.goDocs, uriToPath(p.TextDocument.URI))
		s.mu.Unlock()
	}
	return true
}

// reopenAll opens every shadow and every .go document in a restarted gopls.
func (s *server) reopenAll() {
	s.mu.Lock()
	p := s.gopls
	var items []textDocumentItem
	for _, g := range s.goDocs {
		item := g.item
		item.Text = string(g.text.src)
		items = append(items, item)
	}
	for _, d := range s.docs {
		d.mu.Lock()
		items = append(items, textDocumentItem{URI: d.shadowURI, LanguageID: "go", Version: d.st.shadowVersion, Text: string(d.st.low.goSrc)})
		d.mu.Unlock()
	}
	s.mu.Unlock()
	for _, it := range items {
		p.conn.notify("textDocument/didOpen", didOpenParams{TextDocument: it})
	}
}

// shadowChange returns the change from the shadow of prev to that of st:
// the span between their common prefix and suffix, replaced.
func shadowChange(prev, st *docState) contentChange {
	a, b := prev.low.goSrc, st.low.goSrc
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	// Whole characters, never between "\r" and "\n".
	for pre > 0 && pre < len(a) && (!utf8.RuneStart(a[pre]) || a[pre] == '\n' && a[pre-1] == '\r') {
		pre--
	}
	for suf > 0 && (!utf8.RuneStart(a[len(a)-suf]) || a[len(a)-suf] == '\n' && len(a)-suf > 0 && a[len(a)-suf-1] == '\r') {
		suf--
	}
	r := Range{prev.goText.position(pre), prev.goText.position(len(a) - suf)}
	return contentChange{Range: &r, Text: string(b[pre : len(b)-suf])}
}
