package explain

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browsers are the names a Chromium or Chrome binary goes by.
var browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"}

// findBrowser returns the path of a Chromium or Chrome binary, or "".
func findBrowser() string {
	if p := os.Getenv("COROFY_CHROME"); p != "" {
		return p
	}
	for _, b := range browsers {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser opens the committed page of ch07-coroutine in headless
// Chromium: a click on the source line of the first .wait lights up the
// generated lines that run it and the state that resumes there, a click
// on a generated line lights up its source line, each step of the replay
// (the next button, from the first step) lights up its event's state,
// each wake marks the state its machine waits in as woken until the
// machine is polled again, and the last step shows the coroutine done,
// with the program's whole output. It saves a screenshot in the test's
// artifact directory (go test -artifacts keeps it).
func TestBrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		t.Skipf("no Chromium or Chrome found (looked for %s on PATH, and $COROFY_CHROME): install one, for instance apt-get install chromium, to run the browser test", strings.Join(browsers, ", "))
	}
	const name = "ch07-coroutine"
	path := examplePages(t)[name]
	pagePath, err := filepath.Abs(filepath.Join(pagesDir, name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	run := readData(t, page).Run

	// What the page should light up, from the transform itself.
	x, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	waitLine := 0
	for i, l := range strings.Split(string(x.src), "\n") {
		if strings.Contains(l, ".wait") && !strings.HasPrefix(strings.TrimSpace(l), "//") {
			waitLine = i + 1
			break
		}
	}
	var wantGen []int
	wantStates := map[string]bool{}
	for g, s := range x.m.src {
		if s == waitLine {
			wantGen = append(wantGen, g)
			if st := x.m.state[g]; st != nil {
				wantStates[fmt.Sprintf("%s/%d", st.Coroutine, st.State)] = true
			}
		}
	}
	if waitLine == 0 || len(wantGen) == 0 || len(wantStates) == 0 {
		t.Fatalf("no .wait line with generated lines and states in %s (line %d, lines %v, states %v)", path, waitLine, wantGen, wantStates)
	}
	// A generated line of the body after the first wait, the other way round.
	genLine, genSrc := 0, 0
	for g := wantGen[len(wantGen)-1] + 1; g < len(x.m.src); g++ {
		if s := x.m.src[g]; s > waitLine {
			genLine, genSrc = g, s
			break
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox, // as root in CI
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second) // against a hang, not a measure
	defer cancel()

	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	evalStrings := func(expr string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	step("open the page", chromedp.Navigate("file://"+pagePath))
	// Selectors are XPath: a plain string is searched as text too, and the
	// page's script has "#last" in it.
	step("wait for the page", chromedp.WaitVisible(`//div[@id="s1"]`))
	step("click the source line", chromedp.Click(fmt.Sprintf(`//div[@id="s%d"]`, waitLine)))
	var gotGen []int
	for _, l := range evalStrings(`Array.from(document.querySelectorAll("#gen .line.sel")).map(e => e.dataset.l)`) {
		var n int
		fmt.Sscan(l, &n)
		gotGen = append(gotGen, n)
	}
	gotStates := evalStrings(`Array.from(document.querySelectorAll("svg .node.sel")).map(e => e.dataset.co + "/" + e.dataset.st)`)
	step("click the generated line", chromedp.Click(fmt.Sprintf(`//div[@id="g%d"]`, genLine)))
	gotSrc := evalStrings(`Array.from(document.querySelectorAll("#src .line.sel")).map(e => e.dataset.l)`)
	// Step through the replay with the next button: each step's current
	// state in the graph is the event's.
	// At a wake, the state the machine waits in (that of its last wait
	// not ready) is marked woken, until the machine's next poll; the
	// status says what a wake is.
	step("go to the first step", chromedp.Click(`//button[@id="first"]`))
	rests := map[string]string{} // machine: the state of its last wait not ready
	woken := map[string]bool{}   // machines woken and not polled since
	wakes := 0
	for i, e := range run.Events {
		if i > 0 {
			step("next step", chromedp.Click(`//button[@id="next"]`))
		}
		want := fmt.Sprintf("%s/%d", e.Co, e.St)
		if e.Ev == evDone {
			want = e.Co + "/-1"
		}
		got := evalStrings(`[Array.from(document.querySelectorAll("svg .node.cur")).map(e => e.dataset.co + "/" + e.dataset.st).join(","),
			Array.from(document.querySelectorAll("svg .node.woken")).map(e => e.dataset.co + "/" + e.dataset.st).sort().join(","),
			document.getElementById("status").textContent]`)
		if got[0] != want {
			t.Fatalf("step %d (%s): current state %v, want [%s]", i+1, e.Ev, got[0], want)
		}
		key := fmt.Sprintf("%s#%d", e.Co, e.Inst)
		switch e.Ev {
		case evWake:
			wakes++
			woken[key] = true
			if !strings.Contains(got[2], "is woken") {
				t.Errorf("step %d (wake): status %q does not say the machine is woken", i+1, got[2])
			}
		case evPending:
			rests[key] = want
		case evPoll, evDone:
			delete(woken, key)
		}
		// Machines of one coroutine share its graph: its woken states are
		// marked once.
		var wantWoken []string
		for k := range woken {
			if st, ok := rests[k]; ok {
				wantWoken = append(wantWoken, st)
			}
		}
		slices.Sort(wantWoken)
		wantWoken = slices.Compact(wantWoken)
		if got[1] != strings.Join(wantWoken, ",") {
			t.Fatalf("step %d (%s %s): woken states [%s], want %v", i+1, e.Ev, key, got[1], wantWoken)
		}
	}
	if wakes == 0 {
		t.Errorf("the trace of %s has no wake to show", name)
	}
	step("go to the last step", chromedp.Click(`//button[@id="last"]`))
	final := evalStrings(`[document.getElementById("status").dataset.ev,
		Array.from(document.querySelectorAll("svg .node.cur")).map(e => e.dataset.co + "/" + e.dataset.st).join(","),
		document.getElementById("output").textContent,
		document.querySelector("#fields tr").textContent]`)
	status, finalNode, output, fieldsHead := final[0], final[1], final[2], final[3]
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotGen, wantGen) {
		t.Errorf("source line %d lit up generated lines %v, want %v", waitLine, gotGen, wantGen)
	}
	slices.Sort(gotStates)
	if want := slices.Sorted(mapKeys(wantStates)); !slices.Equal(gotStates, want) {
		t.Errorf("source line %d lit up states %v, want %v", waitLine, gotStates, want)
	}
	if !slices.Equal(gotSrc, []string{fmt.Sprint(genSrc)}) {
		t.Errorf("generated line %d lit up source lines %v, want [%d]", genLine, gotSrc, genSrc)
	}
	last := run.Events[len(run.Events)-1]
	if status != "done" || last.Ev != evDone {
		t.Errorf("the last step shows %q (the trace's last event is %q), want done", status, last.Ev)
	}
	if want := last.Co + "/-1"; finalNode != want {
		t.Errorf("the last step's current state is %q, want %q", finalNode, want)
	}
	if want := run.Output[:last.Out]; output != want {
		t.Errorf("the last step's output is %q, want %q", output, want)
	}
	if want := last.Co + "#1done"; fieldsHead != want {
		t.Errorf("the last step's fields start with %q, want %q", fieldsHead, want)
	}
	png := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(png, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", png, len(shot))
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
