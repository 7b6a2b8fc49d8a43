package examples_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

var update = flag.Bool("update", false, "rewrite testdata/NAME.stdout from the examples' output (review the diff)")

// coroutineExamples are the examples written in .gocoro.
func coroutineExamples(t *testing.T) []string {
	files, err := filepath.Glob("*/main.gocoro")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Dir(f))
	}
	return names
}

// TestGeneratedUpToDate checks that each committed main_corofied.go is what
// corofy generates from main.gocoro now (go generate ./examples/... fixes it).
func TestGeneratedUpToDate(t *testing.T) {
	for _, name := range coroutineExamples(t) {
		t.Run(name, func(t *testing.T) {
			in := transform.Input{Path: filepath.Join(name, "main.gocoro")}
			res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}, []transform.Input{in})
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			old, err := os.ReadFile(filepath.Join(name, "main_corofied.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old, res[0].Src) {
				t.Errorf("%s/main_corofied.go is out of date: run go generate ./examples/%s", name, name)
			}
		})
	}
}

// TestExamples builds and runs every example (each starts its own delay
// server) and compares its output, normalized (see normalize), with
// testdata/NAME.stdout. Examples written in .gocoro are also built as their
// reference-semantics program (each .wait a poll-until-ready loop, through
// go build -overlay) whose output must match too.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example for seconds; -short skips it")
	}
	dirs, _ := filepath.Glob("*/main.go*")
	seen := map[string]bool{}
	for _, f := range dirs {
		name := filepath.Dir(f)
		if seen[name] || name == "internal" || strings.HasPrefix(name, "ch05") {
			continue // ch05-fibers has its own test
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden := filepath.Join("testdata", name+".stdout")
			got := normalize(run(t, name, ""))
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
				t.Errorf("go run ./examples/%s printed (normalized):\n%s\nwant:\n%s", name, got, want)
			}
			if _, err := os.Stat(filepath.Join(name, "main.gocoro")); err == nil {
				ref := normalize(run(t, name, referenceOverlay(t, name)))
				if !sameLines(ref, got, concurrent[name]) {
					t.Errorf("the reference-semantics program printed (normalized):\n%s\nthe generated one:\n%s", ref, got)
				}
			}
		})
	}
}

// concurrent lists the examples whose tasks interleave: their reference
// program runs each child to completion at its first poll, so it prints
// the same lines in another order.
var concurrent = map[string]bool{"ch07-joinall": true}

// TestConcurrency shows by behaviour that join_all runs its requests
// concurrently: its elapsed time is well below that of the sequential
// example with the same delays (generous margin; no absolute times).
func TestConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two examples for seconds; -short skips it")
	}
	seq := elapsed(t, run(t, "ch07-sequential", ""))
	join := elapsed(t, run(t, "ch07-joinall", ""))
	if join > 0.8*seq {
		t.Errorf("ch07-joinall took %.2fs, ch07-sequential %.2fs: join_all should take about the longest delay, not the sum", join, seq)
	}
}

// run builds and runs example name (with a go build -overlay file when
// overlay is not empty) and returns its standard output.
func run(t *testing.T, name, overlay string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	args := []string{"build", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "./"+name)
	build := exec.Command(testmod.GoTool(), args...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", name, err, stderr.String())
	}
	return stdout.String()
}

// referenceOverlay returns a go build -overlay file that replaces the
// example's main_corofied.go by its reference-semantics program.
func referenceOverlay(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(name, "main.gocoro"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := transform.Reference(transform.Config{Command: "corofy -reference main.gocoro"}, filepath.Join(name, "main.gocoro"), src)
	if err != nil {
		t.Fatalf("Reference: %v", err)
	}
	dir := t.TempDir()
	refFile := filepath.Join(dir, "reference.go")
	if err := os.WriteFile(refFile, ref, 0o644); err != nil {
		t.Fatal(err)
	}
	target, _ := filepath.Abs(filepath.Join(name, "main_corofied.go"))
	js, _ := json.Marshal(map[string]any{"Replace": map[string]string{target: refFile}})
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return overlay
}

var (
	dateLine    = regexp.MustCompile(`(?m)^Date: .*\n`)
	elapsedLine = regexp.MustCompile(`ELAPSED TIME: ([0-9.]+)`)
	scheduled   = regexp.MustCompile(`(Schedule other tasks\n)+`)
)

// normalize removes what varies from run to run: the Date header, the
// number of "Schedule other tasks" lines in a row (one stands for any),
// the elapsed time.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = dateLine.ReplaceAllString(s, "")
	s = scheduled.ReplaceAllString(s, "Schedule other tasks\n")
	return elapsedLine.ReplaceAllString(s, "ELAPSED TIME: (varies)")
}

// sameLines compares outputs, as sets of lines when order may differ, and
// ignoring "Schedule other tasks" (the reference program never suspends).
func sameLines(a, b string, anyOrder bool) bool {
	split := func(s string) []string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if l != "Schedule other tasks" {
				lines = append(lines, l)
			}
		}
		if anyOrder {
			sort.Strings(lines)
		}
		return lines
	}
	return strings.Join(split(a), "\n") == strings.Join(split(b), "\n")
}

func elapsed(t *testing.T, out string) float64 {
	m := elapsedLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no ELAPSED TIME line in:\n%s", out)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
