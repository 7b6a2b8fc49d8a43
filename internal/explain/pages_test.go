package explain

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The pages of the book's chapters 7 to 9, linked from the README, are
// committed under docs/explain, each with the trace of one run of its
// example. They are regenerated, from the repository's root, with
//
//	for d in examples/ch0[789]-*/; do go run ./cmd/corofy explain -run -o docs/explain/$(basename $d).html $d/main.gocoro; done
//
// or, when only the page changed and each trace is still where the
// machines record (the generated code is the same), made again with their
// own traces by go test ./internal/explain -run TestExamplePages -update.
// Every example is woken (by a timer, a socket or a task): a trace without
// wake events was recorded before corofy recorded them, and is made again
// with the first command.
const pagesDir = "../../docs/explain"

// examplePages returns the examples of chapters 7 to 9 by name, with the
// path of their .gocoro file.
func examplePages(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../../examples/ch0[789]-*/main.gocoro")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example of chapters 7 to 9: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		out[filepath.Base(filepath.Dir(f))] = f
	}
	return out
}

// TestExamplePages checks that each committed page is the page the
// current corofy makes of its example with the page's own trace (the run
// is not repeated: its timings and ports differ from run to run), and
// that the trace's events are at the places the current instrumentation
// records them.
func TestExamplePages(t *testing.T) {
	for name, path := range examplePages(t) {
		t.Run(name, func(t *testing.T) {
			pagePath := filepath.Join(pagesDir, name+".html")
			again := fmt.Sprintf("(from the repository's root) go run ./cmd/corofy explain -run -o docs/explain/%s.html examples/%s/main.gocoro", name, name)
			old, err := os.ReadFile(pagePath)
			if err != nil {
				t.Fatalf("%v; make it with %s", err, again)
			}
			tr := readData(t, old).Run
			if tr == nil || len(tr.Events) == 0 {
				t.Fatalf("%s has no trace; make it with %s", pagePath, again)
			}
			x, err := load(path)
			if err != nil {
				t.Fatal(err)
			}
			_, points, err := instrument(x.r.Src, x.file, x.fset, x.m)
			if err != nil {
				t.Fatal(err)
			}
			at := map[point]bool{}
			for _, p := range points {
				at[p] = true
				at[point{p.co, evWake, p.line}] = true // a wake names the line of its machine's event before
			}
			wakes := 0
			for i, e := range tr.Events {
				if e.Ev == evWake {
					wakes++
				}
				if e.Ev != evRepeat && !at[point{e.Co, e.Ev, e.Line}] {
					t.Fatalf("%s: event %d (%s %s at generated line %d) is not where corofy records it now; make the page again with %s", pagePath, i, e.Co, e.Ev, e.Line, again)
				}
			}
			if wakes == 0 {
				t.Errorf("%s: the trace records no wake; make the page again with %s", pagePath, again)
			}
			page, err := render(path, x.src, x.r, x.m, tr)
			if err != nil {
				t.Fatal(err)
			}
			if *update && !bytes.Equal(page, old) {
				if err := os.WriteFile(pagePath, page, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(page, old) {
				t.Errorf("%s is not up to date (%s); make it again with %s, or, to keep its trace, with go test ./internal/explain -run TestExamplePages -update", pagePath, firstDiff(old, page), again)
			}
		})
	}
}

// firstDiff says where a and b first differ.
func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	line := bytes.Count(a[:i], []byte("\n")) + 1
	cut := func(s []byte) string {
		s = s[i:min(len(s), i+60)]
		return strings.ReplaceAll(string(s), "\n", `\n`)
	}
	return fmt.Sprintf("line %d: %q, want %q", line, cut(a), cut(b))
}

// TestREADMELinks checks that README.md links each example of chapters 7
// to 9 to its page, and names no page that does not exist.
func TestREADMELinks(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range examplePages(t) {
		if link := "(docs/explain/" + name + ".html)"; !bytes.Contains(readme, []byte(link)) {
			t.Errorf("README.md has no link %s", link)
		}
	}
	for _, m := range regexpLinks.FindAllSubmatch(readme, -1) {
		if _, err := os.Stat(filepath.Join("../..", string(m[1]))); err != nil {
			t.Errorf("README.md links to %s: %v", m[1], err)
		}
	}
}

var regexpLinks = regexp.MustCompile(`\((docs/explain/[^)]*\.html)\)`)
