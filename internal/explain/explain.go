// Package explain makes the page of corofy explain: one self-contained
// HTML file that shows a .gocoro file, the state machines corofy generates
// from it and their state graphs side by side, tied line to line, and,
// when the program was run, replays a trace of its machines' polls.
//
// The transform is a black box here: the page is read off the generated
// file, written with line directives, and the graphs of
// [transform.Result]. The directives give each generated line its .gocoro
// line, as the compiler reads them; the cases of each Poll give the
// generated lines of each state. To trace a run, the generated file is
// instrumented (calls inserted at the start of Poll, of each state's case,
// and before each return of Poll, on the lines they stand on, so the
// file's lines do not move), built with the go command against the
// package's other files through an overlay, and run.
//
// Each instrumented Poll also passes on, in place of the Waker it was
// given, a recording Waker that wraps it: its Wake notes a wake event (the
// machine, the state it waits in, the time) and calls the wrapped Waker's.
// It has the method Unwrap, through which runtime.Spawn finds the
// executor of the task under it (see "Wakers that wrap Wakers" in package
// runtime). Wake may run on any goroutine, the reactor's thread among
// them, and must not block: it takes no lock and writes nothing to the
// trace, but pushes the machine onto a lock-free list that the next event
// recorded, of any machine, writes first, in the order of the wakes. So a
// wake is in the trace before the poll it causes, and after the wait not
// ready it ends (or before it, when the wake came while that Poll still
// ran); several wakes of a machine before the next event recorded are one
// wake event.
package explain

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"html"
	"path/filepath"
	"strings"
	"time"

	"github.com/corofy/corofy/internal/srcfile"
	"github.com/corofy/corofy/transform"
)

// Options says what to put in the page.
type Options struct {
	// Run builds and runs the program with instrumented machines and puts
	// the trace of their polls in the page.
	Run bool
	// Args are the program's arguments, with Run.
	Args []string
	// Main is the directory of the command to build and run, with Run,
	// when the file is not in it (its package is imported by the
	// command); "" means the file's own package, which must be main.
	Main string
	// Timeout ends the program after so long (with Run); 0 means one
	// minute.
	Timeout time.Duration
	// MaxEvents caps the trace; 0 means 20,000 events.
	MaxEvents int
}

// Page returns the page of the .gocoro file path. The errors of the
// transform are its scanner.ErrorList, at .gocoro positions; a program
// that fails or is ended by the timeout still has its page, which says
// so.
func Page(path string, opt Options) ([]byte, error) {
	x, err := load(path)
	if err != nil {
		return nil, err
	}
	var tr *trace
	if opt.Run {
		tr, err = runTraced(path, x.r, x.m, x.file, x.fset, opt)
		if err != nil {
			return nil, err
		}
	}
	return render(path, x.src, x.r, x.m, tr)
}

// loaded is a .gocoro file with its generated file and their map.
type loaded struct {
	src  []byte
	r    transform.Result
	m    *lineMap
	file *ast.File // the generated file
	fset *token.FileSet
}

func load(path string) (*loaded, error) {
	src, err := srcfile.Read(path)
	if err != nil {
		return nil, err
	}
	in := transform.Input{Path: path, Output: transform.DefaultOutput(path)}
	results, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy " + filepath.Base(path)}, []transform.Input{in})
	if err != nil {
		return nil, err
	}
	r := results[0]
	m, file, fset, err := mapLines(path, r.Src, r.Graphs)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", srcfile.Name(path), err)
	}
	return &loaded{src, r, m, file, fset}, nil
}

// pageData is the page's data for its script, as JSON.
type pageData struct {
	Source    string              `json:"source"`
	Generated string              `json:"generated"`
	GenSrc    []int               `json:"genSrc"`   // by generated line: .gocoro line or 0
	GenState  []*stateRef         `json:"genState"` // by generated line
	Cases     map[string][][2]int `json:"cases"`    // by coroutine, by state: first and last generated line
	Run       *trace              `json:"run,omitempty"`
}

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

func render(path string, src []byte, r transform.Result, m *lineMap, tr *trace) ([]byte, error) {
	gen := hideDirectives(r.Src)
	data := pageData{
		Source:    filepath.Base(path),
		Generated: filepath.Base(r.Output),
		GenSrc:    m.src,
		GenState:  m.state,
		Cases:     map[string][][2]int{},
		Run:       tr,
	}
	for _, g := range r.Graphs {
		cs := make([][2]int, len(g.States))
		for i := range g.States {
			c := m.cases[stateKey{g.Coroutine, i}]
			cs[i] = [2]int{c.from, c.to}
		}
		data.Cases[g.Coroutine] = cs
	}
	js, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	name := html.EscapeString(filepath.Base(path))
	w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	w("<meta name=\"generator\" content=\"corofy explain\">\n")
	w("<title>corofy explain: %s</title>\n<style>\n%s</style>\n</head>\n<body>\n", name, pageCSS)
	w("<header><h1>corofy explain <span class=\"file\">%s</span></h1>\n", name)
	w("<p class=\"help\">Hover or click a line of the source, of the generated code or a state of the graph: the lines and states that go with it light up. Click again elsewhere to change the selection; Esc clears it.")
	if tr != nil {
		w(" Below, the run's trace: step through the polls and wakes with the slider, the buttons or the arrow keys. In the graphs, the filled blue state is the step's; a dashed blue outline marks where each machine rests, the state its last Poll returned in.")
		w(" A <span class=\"legend-woken\">wake</span> is a call of Wake on the Waker a machine's Poll was given, by whatever it waits on (a timer, a socket, a task that completed): it means the machine is to be polled again. A woken machine's state is outlined in orange until that poll.")
	}
	w("</p></header>\n")
	w("<main class=\"panes\">\n")
	w("<section class=\"pane\" id=\"src-pane\"><h2>%s <span class=\"sub\">the source</span></h2>\n<div class=\"code\" id=\"src\">\n", name)
	for i, line := range highlight(src, true) {
		w("<div class=\"line\" id=\"s%d\" data-l=\"%d\"><span class=\"ln\">%d</span>%s</div>\n", i+1, i+1, i+1, line)
	}
	w("</div></section>\n")
	w("<section class=\"pane\" id=\"gen-pane\"><h2>%s <span class=\"sub\">generated by corofy, line directives hidden</span></h2>\n<div class=\"code\" id=\"gen\">\n", html.EscapeString(filepath.Base(r.Output)))
	for i, line := range highlight(gen, false) {
		l := i + 1
		attrs := ""
		if l < len(m.src) && m.src[l] != 0 {
			attrs += fmt.Sprintf(" data-src=\"%d\"", m.src[l])
		}
		if l < len(m.state) && m.state[l] != nil {
			attrs += fmt.Sprintf(" data-co=\"%s\" data-st=\"%d\"", html.EscapeString(m.state[l].Coroutine), m.state[l].State)
		}
		w("<div class=\"line\" id=\"g%d\" data-l=\"%d\"%s><span class=\"ln\">%d</span>%s</div>\n", l, l, attrs, l, line)
	}
	w("</div></section>\n")
	w("<section class=\"pane\" id=\"graph-pane\"><h2>state graphs <span class=\"sub\">a box is a case of Poll; rounded boxes wait</span></h2>\n")
	for k, g := range r.Graphs {
		w("<div class=\"machine\" data-co=\"%s\"><h3>%s <span class=\"sub\">%s:%d, %d states</span></h3>\n%s\n</div>\n",
			html.EscapeString(g.Coroutine), html.EscapeString(g.Coroutine), html.EscapeString(filepath.Base(g.Pos.Filename)), g.Pos.Line, len(g.States), graphSVG(g, k))
	}
	if len(r.Graphs) == 0 {
		w("<p class=\"sub\">This file declares no coroutine.</p>\n")
	}
	w("</section>\n</main>\n")
	if tr != nil {
		w("<section id=\"replay\">\n<div class=\"controls\">")
		w("<button id=\"first\" title=\"first step (Home)\">|◀</button><button id=\"prev\" title=\"previous step (←)\">◀</button>")
		w("<button id=\"play\" title=\"play or pause (space)\">play</button><button id=\"next\" title=\"next step (→)\">▶</button><button id=\"last\" title=\"last step (End)\">▶|</button>")
		w("<input type=\"range\" id=\"slider\" min=\"0\" max=\"%d\" value=\"0\"><span id=\"stepno\"></span></div>\n", max(len(tr.Events)-1, 0))
		w("<div id=\"status\"></div>\n<div class=\"replay-panes\">\n")
		w("<div class=\"rpane\"><h3>fields of the machine</h3><table id=\"fields\"></table></div>\n")
		w("<div class=\"rpane\"><h3>polls and wakes</h3><ol id=\"events\"></ol></div>\n")
		w("<div class=\"rpane\"><h3>standard output so far</h3><pre id=\"output\"></pre></div>\n")
		w("</div>\n<p class=\"sub\" id=\"runinfo\">%s</p>\n", html.EscapeString(tr.Summary))
		if tr.Stderr != "" {
			w("<details><summary>standard error</summary><pre id=\"stderr\">%s</pre></details>\n", html.EscapeString(tr.Stderr))
		}
		w("</section>\n")
	}
	w("<script type=\"application/json\" id=\"data\">%s</script>\n", js)
	w("<script>\n%s</script>\n</body>\n</html>\n", pageJS)
	return b.Bytes(), nil
}

// highlight returns the lines of src as HTML with Go's keywords, strings,
// numbers and comments in spans; with gocoro, "coroutine" before func and
// "wait" after a dot are keywords too.
func highlight(src []byte, gocoro bool) []string {
	type seg struct {
		text  string
		class string
	}
	var segs []seg
	fset := token.NewFileSet()
	tf := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(tf, src, func(token.Position, string) {}, scanner.ScanComments)
	last := 0
	prevDot := false
	prevCoroutine := -1 // the segment of a "coroutine" that may be the keyword
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		start := tf.Offset(pos)
		var class string
		text := lit
		switch {
		case tok == token.COMMENT:
			class = "com"
		case tok == token.STRING || tok == token.CHAR:
			class = "str"
		case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
			class = "num"
		case tok.IsKeyword():
			class, text = "kw", tok.String()
		case tok == token.IDENT && gocoro && lit == "wait" && prevDot:
			class = "kw"
		case tok == token.IDENT && (lit == "nil" || lit == "true" || lit == "false" || lit == "iota"):
			class = "num"
		}
		if tok == token.FUNC && prevCoroutine >= 0 {
			segs[prevCoroutine].class = "kw"
		}
		prevCoroutine = -1
		prevDot = tok == token.PERIOD
		if class == "" && !(tok == token.IDENT && gocoro && lit == "coroutine") {
			continue
		}
		if start < last || start+len(text) > len(src) || string(src[start:start+len(text)]) != text {
			continue // a token with \r removed, say: left plain
		}
		segs = append(segs, seg{string(src[last:start]), ""})
		if class == "" {
			prevCoroutine = len(segs)
		}
		segs = append(segs, seg{text, class})
		last = start + len(text)
	}
	segs = append(segs, seg{string(src[last:]), ""})
	var lines []string
	var cur strings.Builder
	for _, sg := range segs {
		parts := strings.Split(sg.text, "\n")
		for k, p := range parts {
			if k > 0 {
				lines = append(lines, cur.String())
				cur.Reset()
			}
			p = strings.TrimSuffix(p, "\r")
			if p == "" {
				continue
			}
			if sg.class == "" {
				cur.WriteString(html.EscapeString(p))
			} else {
				fmt.Fprintf(&cur, "<span class=\"%s\">%s</span>", sg.class, html.EscapeString(p))
			}
		}
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
