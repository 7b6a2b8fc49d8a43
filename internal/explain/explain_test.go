package explain

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/transform"
)

var update = flag.Bool("update", false, "rewrite the golden files of the tests")

const countProg = "testdata/count/main.gocoro"

// generate returns the generated file of path, with line directives, as
// the page is made from.
func generate(t *testing.T, path string) transform.Result {
	t.Helper()
	rs, err := transform.Transform(transform.Config{LineDirectives: true}, []transform.Input{{Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	return rs[0]
}

// TestMapLines checks the map against the text of the files: every
// generated line that holds a string literal of the source maps to the
// source line that holds it, and lies in the case of the state the graph
// says runs it.
func TestMapLines(t *testing.T) {
	src, err := os.ReadFile(countProg)
	if err != nil {
		t.Fatal(err)
	}
	r := generate(t, countProg)
	m, _, _, err := mapLines(countProg, r.Src, r.Graphs)
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"[a-z ]+"`)
	srcLines := strings.Split(string(src), "\n")
	genLines := strings.Split(string(r.Src), "\n")
	checked := 0
	for i, sl := range srcLines {
		for _, s := range lit.FindAllString(sl, -1) {
			if s == `"fmt"` || s == `"time"` {
				continue
			}
			found := false
			for g, gl := range genLines {
				if !strings.Contains(gl, s) {
					continue
				}
				found = true
				checked++
				if got := m.src[g+1]; got != i+1 {
					t.Errorf("generated line %d (%s) maps to source line %d, want %d", g+1, strings.TrimSpace(gl), got, i+1)
				}
			}
			if !found {
				t.Errorf("%s of source line %d is in no generated line", s, i+1)
			}
		}
	}
	if checked < 4 {
		t.Errorf("only %d generated lines checked", checked)
	}
	// "tick" is printed after the wait in count's loop: its line is in the
	// case of the state that resumes at the wait.
	for g, gl := range genLines {
		if !strings.Contains(gl, `"tick"`) {
			continue
		}
		st := m.state[g+1]
		if st == nil || st.Coroutine != "count" {
			t.Fatalf("the generated line of \"tick\" is in no state of count: %v", st)
		}
		var graph transform.Graph
		for _, gr := range r.Graphs {
			if gr.Coroutine == "count" {
				graph = gr
			}
		}
		if lbl := graph.States[st.State].Label; !graph.States[st.State].Wait || !strings.Contains(lbl, "runtime.Sleep") {
			t.Errorf("the generated line of \"tick\" is in state %d (%q), not the Sleep's", st.State, lbl)
		}
	}
}

// TestHideDirectives checks that hiding the directives keeps every line
// and leaves no directive, and that the code is still Go as gofmt writes
// it where a directive stood between two words.
func TestHideDirectives(t *testing.T) {
	r := generate(t, countProg)
	out := hideDirectives(r.Src)
	if a, b := bytes.Count(r.Src, []byte("\n")), bytes.Count(out, []byte("\n")); a != b {
		t.Errorf("%d lines became %d", a, b)
	}
	if bytes.Contains(out, []byte("/*line")) {
		t.Errorf("a directive is left")
	}
	for _, want := range []string{"package main\n", "\tcase 0:\n", "func count(n int) runtime.Future[int] {"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// tagRE matches a start tag; attrRE an attribute in it.
var (
	tagRE  = regexp.MustCompile(`<([a-z0-9]+)((?:\s+[a-zA-Z:-]+(?:="[^"]*")?)*)\s*/?>`)
	attrRE = regexp.MustCompile(`([a-zA-Z:-]+)="([^"]*)"`)
)

type tag struct {
	name  string
	attrs map[string]string
}

func tags(page []byte) []tag {
	var out []tag
	// Not inside the scripts and the style.
	body := regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAll(page, []byte("<$1>"))
	for _, m := range tagRE.FindAllSubmatch(body, -1) {
		tg := tag{name: string(m[1]), attrs: map[string]string{}}
		for _, a := range attrRE.FindAllSubmatch(m[2], -1) {
			tg.attrs[string(a[1])] = string(a[2])
		}
		out = append(out, tg)
	}
	return out
}

// structure summarizes the page's elements that have an id or a class:
// tag#id.class[data-co], one line each, with runs of lines collapsed and
// the kinds of elements of each graph listed once, sorted (the numbers
// of lines and of states, and the graph's shape, are the transform's,
// checked apart).
func structure(page []byte) string {
	var b strings.Builder
	digits := regexp.MustCompile(`[0-9]+`)
	last := ""
	var inGraph []string
	flush := func() {
		slices.Sort(inGraph)
		for _, l := range slices.Compact(inGraph) {
			b.WriteString("\t" + l + "\n")
		}
		inGraph = nil
	}
	for _, tg := range tags(page) {
		if tg.name == "svg" {
			flush()
		}
		id, class := tg.attrs["id"], tg.attrs["class"]
		if id == "" && class == "" {
			continue
		}
		if tg.name == "span" {
			continue // highlighting
		}
		line := tg.name
		if id != "" {
			line += "#" + digits.ReplaceAllString(id, "N")
		}
		if class != "" {
			line += "." + strings.ReplaceAll(class, " ", ".")
		}
		if co := tg.attrs["data-co"]; co != "" && (tg.name == "svg" || tg.name == "div" && class == "machine") {
			line += "[" + co + "]"
		}
		if tg.name == "g" || tg.name == "path" || tg.name == "text" || (tg.name == "div" && class == "line") {
			line = digits.ReplaceAllString(line, "N") + " ..."
		}
		if strings.HasSuffix(line, " ...") && !strings.HasPrefix(line, "div") {
			inGraph = append(inGraph, line)
			continue
		}
		flush()
		if line == last {
			continue
		}
		last = line
		b.WriteString(line + "\n")
	}
	flush()
	return b.String()
}

// TestPageStructure checks the page of the test program against a golden
// summary of its elements, and its lines and states against the files
// and graphs they come from.
func TestPageStructure(t *testing.T) {
	page, err := Page(countProg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/count.structure"
	got := structure(page)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the page's structure differs from %s (go test -run TestPageStructure -update to accept it):\n%s", golden, lineDiff(string(want), got))
	}
	checkPage(t, countProg, page)
}

// checkPage checks the lines and the graphs of a page against the source,
// the generated file and the graphs of its transform.
func checkPage(t *testing.T, path string, page []byte) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := generate(t, path)
	m, _, _, err := mapLines(path, r.Src, r.Graphs)
	if err != nil {
		t.Fatal(err)
	}
	var srcN, genN int
	nodes := map[string]bool{}
	for _, tg := range tags(page) {
		a := tg.attrs
		switch {
		case tg.name == "div" && a["class"] == "line" && strings.HasPrefix(a["id"], "s"):
			srcN++
			if a["id"] != fmt.Sprintf("s%d", srcN) {
				t.Fatalf("source line %d has id %s", srcN, a["id"])
			}
		case tg.name == "div" && a["class"] == "line" && strings.HasPrefix(a["id"], "g"):
			genN++
			if a["id"] != fmt.Sprintf("g%d", genN) {
				t.Fatalf("generated line %d has id %s", genN, a["id"])
			}
			want := ""
			if m.src[genN] != 0 {
				want = strconv.Itoa(m.src[genN])
			}
			if a["data-src"] != want {
				t.Errorf("generated line %d: data-src %q, want %q", genN, a["data-src"], want)
			}
			wantSt := ""
			if st := m.state[genN]; st != nil {
				wantSt = fmt.Sprintf("%s/%d", st.Coroutine, st.State)
			}
			if gotSt := a["data-co"] + "/" + a["data-st"]; wantSt != "" && gotSt != wantSt || wantSt == "" && gotSt != "/" {
				t.Errorf("generated line %d: state %q, want %q", genN, gotSt, wantSt)
			}
		case tg.name == "g" && strings.HasPrefix(a["class"], "node"):
			nodes[a["data-co"]+"/"+a["data-st"]] = true
		}
	}
	if want := bytes.Count(src, []byte("\n")); srcN != want {
		t.Errorf("%d source lines, want %d", srcN, want)
	}
	if want := bytes.Count(r.Src, []byte("\n")); genN != want {
		t.Errorf("%d generated lines, want %d", genN, want)
	}
	want := map[string]bool{}
	for _, g := range r.Graphs {
		for i := range g.States {
			want[fmt.Sprintf("%s/%d", g.Coroutine, i)] = true
		}
		want[fmt.Sprintf("%s/%d", g.Coroutine, transform.GraphDone)] = true
	}
	if !maps.Equal(nodes, want) {
		t.Errorf("graph nodes %v, want %v", slices.Sorted(maps.Keys(nodes)), slices.Sorted(maps.Keys(want)))
	}
}

// lineDiff lists the lines only in want (-) or only in got (+), in order.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i++
			j++
		case i < len(a) && !slices.Contains(b[j:], a[i]):
			fmt.Fprintf(&out, "-%s\n", a[i])
			i++
		default:
			fmt.Fprintf(&out, "+%s\n", b[j])
			j++
		}
	}
	return out.String()
}

// readData reads the data of a page back.
func readData(t *testing.T, page []byte) pageData {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="data">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no data in the page")
	}
	var d pageData
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRun builds and runs the test program with traced machines and
// checks its trace: the polls come in the order the program makes them,
// the waits not ready are at the states that wait, and the fields and
// standard output at each step are those of that moment.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and runs a traced program with the go command (seconds); TestPageStructure checks the page without a run")
	}
	page, err := Page(countProg, Options{Run: true})
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/count-run.structure"
	if *update {
		if err := os.WriteFile(golden, []byte(structure(page)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := structure(page); got != string(want) {
		t.Errorf("the page's structure differs from %s (go test -run TestRun -update to accept it):\n%s", golden, lineDiff(string(want), got))
	}
	d := readData(t, page)
	tr := d.Run
	if tr == nil || len(tr.Events) == 0 {
		t.Fatalf("no trace in the page")
	}
	if want := "start\ntick 0\ntick 1\ntick 2\ntotal 3\nend\n"; tr.Output != want {
		t.Errorf("output %q, want %q", tr.Output, want)
	}
	r := generate(t, countProg)
	graphs := map[string]transform.Graph{}
	for _, g := range r.Graphs {
		graphs[g.Coroutine] = g
	}
	ev := tr.Events
	if e := ev[0]; e.Co != "twice" || e.Ev != evPoll || e.St != 0 {
		t.Errorf("first event %+v, want twice polled in state 0", e)
	}
	if e := ev[len(ev)-1]; e.Co != "twice" || e.Ev != evDone {
		t.Errorf("last event %+v, want twice done", e)
	}
	field := func(e event, name string) string {
		for _, f := range e.Fields {
			if f[0] == name {
				return f[1]
			}
		}
		t.Fatalf("no field %s in %+v", name, e)
		return ""
	}
	var visits []int // count's states, a run of enters of one state counted once
	countDone := -1
	for i, e := range ev {
		if e.Inst != 1 {
			t.Errorf("event %d: instance %d of %s, want 1", i, e.Inst, e.Co)
		}
		g := graphs[e.Co]
		switch e.Ev {
		case evPending:
			if !g.States[e.St].Wait {
				t.Errorf("event %d: %s not ready in state %d, which does not wait", i, e.Co, e.St)
			}
		case evEnter:
			if e.Co == "count" && (len(visits) == 0 || visits[len(visits)-1] != e.St) {
				visits = append(visits, e.St)
			}
		case evDone:
			if e.Co == "count" {
				countDone = i
				if s := field(e, "sum"); s != "3" {
					t.Errorf("count done with sum %s, want 3", s)
				}
				if out := tr.Output[:e.Out]; out != "start\ntick 0\ntick 1\ntick 2\n" {
					t.Errorf("output when count is done: %q", out)
				}
			}
		}
		// The generated line recorded is in the case of the state (or at
		// Poll's start, for a poll).
		if e.Ev == evEnter || e.Ev == evPending {
			if st := m(d, e.Line); st == nil || st.Coroutine != e.Co || (e.Ev == evEnter && st.State != e.St) {
				t.Errorf("event %d (%s %s %d) records line %d, of state %v", i, e.Co, e.Ev, e.St, e.Line, st)
			}
		}
	}
	if countDone < 0 || countDone > len(ev)-2 {
		t.Errorf("count done at event %d of %d", countDone, len(ev))
	}
	// count moves through its graph: each state it enters after another
	// is one the graph has an edge to, and it completes from a state with
	// an edge to the end.
	edge := func(from, to int) bool {
		return slices.ContainsFunc(graphs["count"].States[from].Edges, func(e transform.GraphEdge) bool { return e.To == to })
	}
	for k := 1; k < len(visits); k++ {
		if !edge(visits[k-1], visits[k]) {
			t.Errorf("count went from state %d to %d (states %v): no such edge in its graph", visits[k-1], visits[k], visits)
		}
	}
	if len(visits) == 0 || !edge(visits[len(visits)-1], transform.GraphDone) {
		t.Errorf("count completed from its state %v, which has no edge to the end", visits[len(visits)-1:])
	}
	waits := 0
	for _, st := range visits {
		if graphs["count"].States[st].Wait {
			waits++
		}
	}
	if waits != 3 {
		t.Errorf("count came to its wait %d times (states %v), want 3", waits, visits)
	}
	// The sum seen at each visit of the wait grows as the program sums.
	var sums []string
	for _, e := range ev {
		if e.Co == "count" && e.Ev == evPending {
			if s := field(e, "sum"); len(sums) == 0 || sums[len(sums)-1] != s {
				sums = append(sums, s)
			}
		}
	}
	if !slices.Equal(sums, []string{"0", "1"}) { // 0, 0, 1 at the three waits, repeats merged
		t.Errorf("sum at count's waits not ready: %v, want [0 1]", sums)
	}
	// count is woken by its timer, on the reactor's thread, and twice
	// through count's recording Waker, which wraps twice's: each poll
	// again of each comes after its wake.
	// (A timer could fire before the Poll that set it has returned: its
	// wake is then recorded before the wait not ready, which checkWakes
	// accepts. That all three do is not a risk worth a longer sleep.)
	checkWakes(t, ev, map[string]int{"count": 3, "twice": 3}, "count", "twice")
}

// checkWakes checks the wake events of a trace whose machines are polled
// again only when woken: each machine's poll again comes after a wake of
// it since its poll before (want[co] polls again of co, each); a wake
// comes after a poll of its machine, which it is later than, and before
// the next event, which it is not later than; a wake after the wait not
// ready of its machine has that wait's state; and each coroutine of
// afterWait has at least one wake after a wait not ready.
func checkWakes(t *testing.T, ev []event, want map[string]int, afterWait ...string) {
	t.Helper()
	type mach struct {
		last              *event // the last event other than a wake
		lastPoll          *event
		lastPollAt        int  // its index
		woken             bool // since lastPoll
		again, afterReady int  // polls again; wakes after a wait not ready
	}
	ms := map[string]*mach{}
	for i := range ev {
		e := &ev[i]
		if e.Ev == evRepeat {
			t.Fatalf("event %d is a repeat: the polls of this program differ", i)
		}
		key := fmt.Sprintf("%s#%d", e.Co, e.Inst)
		m := ms[key]
		if m == nil {
			m = &mach{}
			ms[key] = m
		}
		switch e.Ev {
		case evWake:
			if m.lastPoll == nil {
				t.Fatalf("event %d: %s woken before any poll of it", i, key)
			}
			if e.T < m.lastPoll.T {
				t.Errorf("event %d: %s woken at %dµs, before its poll at %dµs", i, key, e.T, m.lastPoll.T)
			}
			next := i + 1
			for next < len(ev) && ev[next].Ev == evWake {
				next++
			}
			if next < len(ev) && e.T > ev[next].T {
				t.Errorf("event %d: %s woken at %dµs, after the event that follows it (%s at %dµs)", i, key, e.T, ev[next].Ev, ev[next].T)
			}
			if m.last.Ev == evPending {
				m.afterReady++
				if e.St != m.last.St {
					t.Errorf("event %d: %s woken in state %d, waiting in state %d", i, key, e.St, m.last.St)
				}
			}
			m.woken = true
			continue
		case evPoll:
			if m.last != nil && m.last.Ev == evPending {
				m.again++
				if !m.woken {
					t.Errorf("event %d: %s polled again with no wake since its poll at event %d", i, key, m.lastPollAt)
				}
			}
			m.lastPoll, m.lastPollAt, m.woken = e, i, false
		}
		m.last = e
	}
	for co, n := range want {
		again := 0
		if m := ms[co+"#1"]; m != nil {
			again = m.again
		}
		if again != n {
			t.Errorf("%s polled again %d times, want %d", co, again, n)
		}
	}
	for _, co := range afterWait {
		if m := ms[co+"#1"]; m == nil || m.afterReady == 0 {
			t.Errorf("%s: no wake after a wait not ready", co)
		}
	}
}

// TestRunSpawn runs a program whose coroutine spawns a task, with the
// recording Wakers between the executor's task and runtime.Spawn: Spawn
// finds the executor through them (the program runs to its end), the
// task's timer wakes it and its completion wakes the coroutine waiting on
// its handle, each wake recorded before the poll it causes.
func TestRunSpawn(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and runs a traced program with the go command (seconds); TestPageStructure checks the page without a run")
	}
	page, err := Page("testdata/spawn/main.gocoro", Options{Run: true})
	if err != nil {
		t.Fatal(err)
	}
	tr := readData(t, page).Run
	if want := "napped\ngot 7\nend\n"; tr.Output != want || !strings.Contains(tr.Summary, "exit status 0") {
		t.Fatalf("output %q, want %q; %s\n%s", tr.Output, want, tr.Summary, tr.Stderr)
	}
	checkWakes(t, tr.Events, map[string]int{"nap": 1, "parent": 1}, "parent")
	// parent's wake is nap's completion, on the executor's goroutine:
	// between nap's done and parent's poll again. (nap's timer, on the
	// reactor's thread, may fire before nap's Poll has returned on a busy
	// machine: checkWakes accepts that.)
	var order []string
	for _, e := range tr.Events {
		if e.Ev != evEnter && (e.Co == "parent" || e.Ev == evDone) {
			order = append(order, e.Ev+" "+e.Co)
		}
	}
	if want := []string{"poll parent", "pending parent", "done nap", "wake parent", "poll parent", "done parent"}; !slices.Equal(order, want) {
		t.Errorf("waits, wakes and completions %v, want %v", order, want)
	}
}

// m returns the state of generated line l in page data d.
func m(d pageData, l int) *stateRef {
	if l <= 0 || l >= len(d.GenState) {
		return nil
	}
	return d.GenState[l]
}

// TestRunBusy runs a program that polls a coroutine in a busy loop: the
// polls that do the same as the one before are counted in repeat events,
// and the trace still accounts for every poll the program made. Polled
// with the same Waker each time, the coroutine passes on the same
// recording Waker each time: one, made at its first poll.
func TestRunBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and runs a traced program with the go command (seconds); TestPageStructure checks the page without a run")
	}
	page, err := Page("testdata/busy/main.gocoro", Options{Run: true})
	if err != nil {
		t.Fatal(err)
	}
	tr := readData(t, page).Run
	var polls, wakers int
	if _, err := fmt.Sscanf(tr.Output, "polls %d wakers %d", &polls, &wakers); err != nil {
		t.Fatalf("output %q: %v", tr.Output, err)
	}
	if wakers != 1 {
		t.Errorf("the future the coroutine waits on was polled with %d different Wakers in %d polls, want 1", wakers, polls)
	}
	seen, repeats := 0, 0
	for i, e := range tr.Events {
		switch e.Ev {
		case evPoll:
			seen++
		case evRepeat:
			repeats++
			// The repeated events are the poll before, from its start,
			// with the wakes before it.
			k := i - e.Len
			for k >= 0 && k < i && tr.Events[k].Ev == evWake {
				k++
			}
			if e.Len > i || tr.Events[k].Ev != evPoll {
				t.Fatalf("event %d repeats the %d events before, which do not start with a poll", i, e.Len)
			}
			n := 0
			for _, r := range tr.Events[i-e.Len : i] {
				if r.Ev == evPoll {
					n++
				}
			}
			seen += e.N * n
		}
	}
	if seen != polls {
		t.Errorf("the trace accounts for %d polls, the program made %d", seen, polls)
	}
	if repeats == 0 || len(tr.Events) > 50 {
		t.Errorf("%d events with %d repeats for %d polls: the busy polls were not counted", len(tr.Events), repeats, polls)
	}
	if last := tr.Events[len(tr.Events)-1]; last.Ev != evDone {
		t.Errorf("last event %+v, want done", last)
	}
}

// TestHideLineComments: a //line directive on a line of its own is
// blanked, the line kept.
func TestHideLineComments(t *testing.T) {
	in := "package p\n\nfunc f() {\n//line main.gocoro:3\n\tg()\n\t//line :4\n\th() /*line :5:2*/ \n}\n"
	want := "package p\n\nfunc f() {\n\n\tg()\n\n\th()\n}\n"
	if got := string(hideDirectives([]byte(in))); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
