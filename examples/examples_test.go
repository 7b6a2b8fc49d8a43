package examples_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

var update = flag.Bool("update", false, "rewrite testdata/NAME.stdout from the examples' output (review the diff)")

// gocoroFiles returns every .gocoro file of the examples (outside testdata).
func gocoroFiles(t *testing.T) []string {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "testdata":
			return filepath.SkipDir
		case strings.HasSuffix(path, ".gocoro"):
			files = append(files, path)
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no .gocoro files under examples: %v", err)
	}
	return files
}

// TestGeneratedUpToDate checks that each committed generated file
// (main_corofied.go for main.gocoro) is what corofy -sparse generates from
// its .gocoro file now (go generate ./examples/... fixes it): the examples
// are what learners open first, so they carry only the line directives
// that keep a panic's .gocoro line.
func TestGeneratedUpToDate(t *testing.T) {
	for _, file := range gocoroFiles(t) {
		t.Run(file, func(t *testing.T) {
			in := transform.Input{Path: file}
			res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy -sparse " + filepath.Base(file)}, []transform.Input{in})
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			// The examples are read more than debugged: they keep only the
			// line directives a panic's line needs (corofy -sparse).
			src, err := transform.SparseLines(res[0].Src)
			if err != nil {
				t.Fatal(err)
			}
			out := transform.DefaultOutput(file)
			old, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old, src) {
				t.Errorf("%s is out of date: run go generate ./examples/%s", out, filepath.Dir(file))
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
			if traced[name] {
				checkExecutorTrace(t, got)
			}
			if unordered[name] {
				got = sortLines(got)
			}
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
				gen := got
				if traced[name] {
					ref, gen = dropExecutorTrace(ref), dropExecutorTrace(gen)
				}
				if !sameLines(ref, gen, concurrent[name]) {
					t.Errorf("the reference-semantics program printed (normalized):\n%s\nthe generated one:\n%s", ref, gen)
				}
			}
		})
	}
}

// concurrent lists the examples whose tasks interleave: their reference
// program runs each child to completion at its first poll, so it prints
// the same lines in another order.
var concurrent = map[string]bool{
	"ch07-joinall":     true,
	"ch08-spawn":       true,
	"ch08-multithread": true,
}

// traced lists the examples that turn on the executor's trace
// (runtime.TraceExecutor). Its lines ("main: 1 pending tasks. Sleep until
// notified.", "main: All tasks are finished") record how the executors
// scheduled the tasks, which is exactly what the reference semantics
// replaces: there every .wait is a poll loop of its own (runtime.Await,
// itself a BlockOn that traces), so the reference program prints other
// executor lines, as many as it has waits. For these examples the
// reference comparison leaves out the executor's lines on both sides; the
// generated program's lines are still checked in full against the golden
// file, and by checkExecutorTrace.
var traced = map[string]bool{
	"ch08-reactor-executor": true,
	"ch08-spawn":            true,
	"ch08-multithread":      true,
	"ch09-variables":        true,
	"ch09-references":       true,
}

// unordered lists the examples that print from several OS threads at once
// (ch08-multithread: twelve executors), so that the order of lines from
// different threads varies from run to run. Their golden file holds the
// normalized output's lines sorted: every line, as many times as it must
// appear. The order within one executor is checked by checkExecutorTrace.
var unordered = map[string]bool{"ch08-multithread": true}

// executorLine matches a line of the executor's trace: the executor's name,
// then the number of tasks pending as it goes to sleep, or its last line.
var executorLine = regexp.MustCompile(`^(\S+): (?:(\d+) pending tasks\. Sleep until notified\.|(All tasks are finished))$`)

// checkExecutorTrace reports the errors executorTraceErrors finds in out.
func checkExecutorTrace(t *testing.T, out string) {
	t.Helper()
	for _, err := range executorTraceErrors(out) {
		t.Error(err)
	}
}

// executorTraceErrors checks what holds for every executor in a traced
// output, whatever the threads' interleaving: its number of pending tasks
// never grows (no example spawns after its first wait), it is at least 1
// while the executor sleeps, and "All tasks are finished" comes once, last.
func executorTraceErrors(out string) []string {
	var errs []string
	pending := map[string]int{} // the last count seen per executor
	finished := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		m := executorLine.FindStringSubmatch(line)
		switch {
		case m == nil:
			continue
		case finished[m[1]]:
			errs = append(errs, fmt.Sprintf("executor %s printed %q after \"All tasks are finished\"", m[1], line))
		case m[3] != "":
			finished[m[1]] = true
		default:
			n, _ := strconv.Atoi(m[2])
			if last, ok := pending[m[1]]; n < 1 {
				errs = append(errs, fmt.Sprintf("executor %s printed %q: an executor sleeps only while tasks are pending", m[1], line))
			} else if ok && n > last {
				errs = append(errs, fmt.Sprintf("executor %s printed %q after %d pending tasks: want a count that never grows", m[1], line, last))
			}
			pending[m[1]] = n
		}
	}
	for name := range pending {
		if !finished[name] {
			errs = append(errs, fmt.Sprintf("executor %s never printed \"All tasks are finished\"", name))
		}
	}
	if len(finished) == 0 {
		errs = append(errs, "no executor trace in the output; the example is listed in traced")
	}
	sort.Strings(errs)
	return errs
}

// TestExecutorTraceErrors checks executorTraceErrors on made-up traces.
func TestExecutorTraceErrors(t *testing.T) {
	tests := []struct {
		out  string
		want int // number of errors
	}{
		{"main: 2 pending tasks. Sleep until notified.\nx\nmain: 1 pending tasks. Sleep until notified.\nmain: 1 pending tasks. Sleep until notified.\nmain: All tasks are finished\n", 0},
		{"a: 2 pending tasks. Sleep until notified.\nb: 3 pending tasks. Sleep until notified.\na: All tasks are finished\nb: 1 pending tasks. Sleep until notified.\nb: All tasks are finished\n", 0},
		{"main: 1 pending tasks. Sleep until notified.\nmain: 2 pending tasks. Sleep until notified.\nmain: All tasks are finished\n", 1},
		{"main: 0 pending tasks. Sleep until notified.\nmain: All tasks are finished\n", 1},
		{"main: 1 pending tasks. Sleep until notified.\n", 2}, // main never finished, and no executor did
		{"main: All tasks are finished\nmain: All tasks are finished\n", 1},
		{"main: All tasks are finished\nmain: 1 pending tasks. Sleep until notified.\n", 1},
		{"Program starting\n", 1},
	}
	for _, tt := range tests {
		if errs := executorTraceErrors(tt.out); len(errs) != tt.want {
			t.Errorf("executorTraceErrors(%q) = %q, want %d errors", tt.out, errs, tt.want)
		}
	}
}

// dropExecutorTrace removes the executor's trace lines from out.
func dropExecutorTrace(out string) string {
	var kept []string
	for _, line := range strings.Split(out, "\n") {
		if !executorLine.MatchString(line) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// sortLines returns the lines of out sorted, ending with a newline.
func sortLines(out string) string {
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

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

// TestSpawnConcurrency shows by behaviour that the tasks ch08-spawn spawns
// run concurrently on one executor: the program takes about the longest of
// its requests' delays, far less than their sum, which any run making the
// requests one after the other would need at least. The delays are read
// from the in-process delay server's log ("#1 - 250ms: HelloWorld0") on
// standard error, and only the run is timed, not the build. The margin is
// generous: the sum of the five delays is three times the longest.
func TestSpawnConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an example for seconds; -short skips it")
	}
	stderr, took := runTimed(t, "ch08-spawn")
	var sum time.Duration
	requests := serverLog.FindAllStringSubmatch(stderr, -1)
	for _, m := range requests {
		ms, _ := strconv.Atoi(m[1])
		sum += time.Duration(ms) * time.Millisecond
	}
	if len(requests) != 5 {
		t.Fatalf("the delay server logged %d requests, want 5; standard error:\n%s", len(requests), stderr)
	}
	if took > sum*8/10 {
		t.Errorf("ch08-spawn took %v; its delays add up to %v: five spawned requests should take about the longest delay, not the sum", took, sum)
	}
}

// serverLog matches a request in the delay server's log and its delay.
var serverLog = regexp.MustCompile(`(?m)^#\d+ - (\d+)ms: `)

// runTimed builds example name and runs it, timing only the run, and
// returns its standard error and how long it ran.
func runTimed(t *testing.T, name string) (stderr string, took time.Duration) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	build := exec.Command(testmod.GoTool(), "build", "-o", bin, "./"+name)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", name, err, out)
	}
	var errBuf bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stderr = &errBuf
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", name, err, errBuf.String())
	}
	return errBuf.String(), time.Since(start)
}

// exampleArgs are the command-line arguments an example runs with in the tests.
// ch02-models prints in an order set by delays 50 ms apart, which a loaded
// machine can upset: the test widens the margin to 200 ms.
var exampleArgs = map[string][]string{"ch02-models": {"-scale=4"}}

// run builds and runs example name (with a go build -overlay file when
// overlay is not empty), with its args, and returns its standard output.
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
	cmd := exec.Command(bin, exampleArgs[name]...)
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
	ref, err := transform.Reference(transform.Config{Command: "corofy -reference main.gocoro"}, transform.Input{Path: filepath.Join(name, "main.gocoro")}, src)
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
