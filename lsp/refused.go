package lsp

import (
	"bytes"
	"errors"
	"go/scanner"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/corofy/corofy/transform"
)

// corofy's parser finds on its own what is wrong with a .gocoro file as
// such; some constructs only the transform refuses, knowing the types: a
// variable kept across a wait whose type the package cannot name, a type
// parameter that hides a predeclared name the generated code uses, and
// the like. The transform
// loads the package with the go command and type-checks it, which takes
// too long for each keystroke: it runs over the package when the editor
// opens or saves a .gocoro file that neither corofy's parser nor gopls
// finds an error in, on the files as saved (as corofy will read them), and
// its errors are shown while the document's text is the one saved.

// A refusal is what the transform said of a document's saved text.
type refusal struct {
	src  []byte            // the text it is about
	errs scanner.ErrorList // the transform's errors in the document
}

// refusalWait bounds how long a run of the transform waits for gopls's
// diagnostics of the document.
const refusalWait = 10 * time.Second

// refuse runs the transform over d's package in the background (again
// after the run under way, if there is one).
func (s *server) refuse(d *document) {
	d.mu.Lock()
	if d.refusing {
		d.refuseAgain = true
		d.mu.Unlock()
		return
	}
	d.refusing = true
	d.mu.Unlock()
	go func() {
		for {
			s.runTransform(d)
			d.mu.Lock()
			again := d.refuseAgain
			d.refuseAgain = false
			if !again {
				d.refusing = false
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
		}
	}()
}

// runTransform runs the transform over the .gocoro files of d's directory
// once gopls has published the diagnostics of d's current text, if that
// text is the file on disk and has no error that corofy's parser or gopls
// finds, and publishes its errors in d.
func (s *server) runTransform(d *document) {
	d.mu.Lock()
	st := d.st
	d.mu.Unlock()
	select {
	case <-st.diagnosed:
	case <-time.After(refusalWait):
	}
	d.mu.Lock()
	current, owned := d.st == st, d.owned
	goplsErrors := slices.ContainsFunc(d.goplsDiags, func(x Diagnostic) bool { return x.Severity == severityError })
	d.mu.Unlock()
	if !current || !owned || goplsErrors {
		return
	}
	saved, err := os.ReadFile(d.path)
	if err != nil || !bytes.Equal(saved, st.low.src) {
		return
	}
	if errs, _ := check(d.path, saved); len(errs) > 0 {
		return
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(d.path), "*.gocoro"))
	var inputs []transform.Input
	for _, m := range matches {
		if base := filepath.Base(m); !strings.HasPrefix(base, ".") && !strings.HasPrefix(base, "_") {
			inputs = append(inputs, transform.Input{Path: m})
		}
	}
	_, err = transform.Transform(transform.Config{}, inputs)
	var list scanner.ErrorList
	if err != nil && !errors.As(err, &list) {
		s.log.Printf("transforming the package of %s: %v", d.path, err)
		return
	}
	var mine scanner.ErrorList
	for _, e := range list {
		if filepath.Clean(e.Pos.Filename) == d.path && !transform.IsContinuation(e) {
			mine = append(mine, e)
		}
	}
	d.mu.Lock()
	d.refused = &refusal{src: saved, errs: mine}
	d.mu.Unlock()
	s.publish(d)
}

// refusalDiagnostics returns the transform's errors about st's text, if
// they are about that text.
func refusalDiagnostics(st *docState, r *refusal) []Diagnostic {
	if r == nil || !bytes.Equal(r.src, st.low.src) {
		return nil
	}
	return corofyDiagnostics(st, r.errs)
}
