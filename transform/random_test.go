package transform_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/randprog"
	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
	"golang.org/x/tools/txtar"
)

var (
	randomN        = flag.Int("random.n", 50, "number of random programs TestRandomPrograms runs")
	randomSeed     = flag.Int64("random.seed", 1, "seed of the first random program")
	randomFeatures = flag.String("random.features", "supported", `features of the random programs: comma-separated names, "supported", "all", "none", -Name removes (see internal/randprog)`)
	randomKeep     = flag.Bool("random.keep", false, "write each failing random program to testdata/random-failures/random-SEED.txtar")
	randomBatch    = flag.Int("random.batch", 50, "random programs per go build")
	randomMaxFail  = flag.Int("random.maxfail", 20, "stop after this many failing programs")
	randomRefOnly  = flag.Bool("random.refonly", false, "check the generator, not the transform: build each program's reference twice and compare the runs (for features the transform does not support yet)")
	randomFile     = flag.String("random.file", "", "check this main.gocoro (or the main.gocoro of this .txtar) instead of generated programs: for minimizing a failure")
)

// TestRandomPrograms is the differential test of issue 3: random
// programs (internal/randprog), each generated twice, as state machines
// (Transform) and as its reference program (Reference: every .wait a loop
// polling until ready), built, run, and their outputs compared. Any
// difference, and any program the transform rejects or whose generated
// code does not build, fails the test with the seed and the command that
// reruns it alone. Run thousands with -random.n=2000.
func TestRandomPrograms(t *testing.T) {
	features, err := randprog.ParseFeatures(*randomFeatures)
	if err != nil {
		t.Fatal(err)
	}
	if *randomN <= 0 {
		t.Skipf("-random.n=%d asks for no random programs", *randomN)
	}
	testmod.Setenv(t)
	bin := t.TempDir()
	if *randomFile != "" {
		if runRandomBatch(t, features, nil, bin) == 0 {
			t.Logf("%s: the generated program prints what the reference prints", *randomFile)
		}
		return
	}
	batch := max(*randomBatch, 1)
	failures := 0
	start := time.Now()
	for first := 0; first < *randomN; first += batch {
		var seeds []int64
		for i := first; i < min(first+batch, *randomN); i++ {
			seeds = append(seeds, *randomSeed+int64(i))
		}
		failures += runRandomBatch(t, features, seeds, bin)
		if failures >= *randomMaxFail {
			t.Fatalf("stopping after %d failures", failures)
		}
	}
	t.Logf("%d random programs (seeds %d to %d, features %s) in %v", *randomN, *randomSeed, *randomSeed+int64(*randomN)-1, features, time.Since(start).Round(time.Millisecond))
}

// randomCase is one program of a batch.
type randomCase struct {
	seed     int64
	prog     randprog.Program
	dir      string // machine variant; the reference is dir+"_ref"
	machine  []byte // generated code
	failed   bool
	got, ref string
}

func (rc *randomCase) name() string { return fmt.Sprintf("r%d", rc.seed) }

// runRandomBatch runs the programs of seeds and returns how many failed.
func runRandomBatch(t *testing.T, features randprog.Features, seeds []int64, bin string) int {
	tStart := time.Now()
	mod := testmod.New(t)
	cases := make([]*randomCase, len(seeds))
	if seeds == nil { // -random.file
		prog := randprog.Generate(0, 0)
		prog.Main = readGocoro(t, *randomFile)
		cases = []*randomCase{{prog: prog}}
	}
	for i, rc := range cases {
		if rc == nil {
			rc = &randomCase{seed: seeds[i], prog: randprog.Generate(seeds[i], features)}
		}
		rc.dir = filepath.Join(mod, rc.name())
		for _, dir := range []string{rc.dir, rc.dir + "_ref"} {
			pkg := filepath.Base(dir)
			writeFile(t, filepath.Join(dir, randprog.MainFile), asLibrary(rc.prog.Main, pkg))
			writeFile(t, filepath.Join(dir, randprog.HelperFile), asLibrary(rc.prog.Helpers, pkg))
		}
		cases[i] = rc
	}
	cfg := transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}
	failures := 0
	var mu sync.Mutex
	fail := func(rc *randomCase, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		rc.failed = true
		failures++
		t.Errorf("seed %d: %s\n%s", rc.seed, fmt.Sprintf(format, args...), rerun(t, rc, features))
	}
	// Transform each program (in parallel: each loads its package).
	parallel(len(cases), func(i int) {
		rc := cases[i]
		in := filepath.Join(rc.dir, randprog.MainFile)
		if *randomRefOnly {
			ref, err := transform.Reference(cfg, transform.Input{Path: in}, asLibrary(rc.prog.Main, rc.name()))
			if err != nil {
				fail(rc, "Reference: %v", err)
				return
			}
			writeFile(t, filepath.Join(rc.dir, "main_corofied.go"), ref)
		} else {
			res, err := transform.Transform(cfg, []transform.Input{{Path: in}})
			if err != nil {
				fail(rc, "Transform: %v", err)
				return
			}
			if err := transform.CheckGraphs(res[0].Src, res[0].Graphs, true); err != nil {
				fail(rc, "state graph: %v", err)
				return
			}
			rc.machine = res[0].Src
			for _, c := range comments(rc.prog.Main) {
				if !bytes.Contains(rc.machine, []byte(c)) {
					fail(rc, "the comment %q of main.gocoro is not in the generated code", c)
					return
				}
			}
			writeFile(t, filepath.Join(rc.dir, "main_corofied.go"), rc.machine)
		}
		refIn := filepath.Join(rc.dir+"_ref", randprog.MainFile)
		ref, err := transform.Reference(cfg, transform.Input{Path: refIn}, asLibrary(rc.prog.Main, rc.name()+"_ref"))
		if err != nil {
			fail(rc, "Reference: %v", err)
			return
		}
		if formatted, err := format.Source(ref); err != nil || !bytes.Equal(formatted, ref) {
			fail(rc, "the reference program is not gofmt's (its line directives would move): %v\n%s", err, firstDiff(string(ref), string(formatted)))
			return
		}
		writeFile(t, filepath.Join(rc.dir+"_ref", "main_corofied.go"), ref)
	})
	tTransform := time.Now()
	// Build every program into one binary, with one go build: each
	// program is a package of its own (package rN, its main renamed Main)
	// and a driver runs the one its argument names, so there is one link
	// instead of two per program. A package that does not build is
	// reported and left out.
	var live []*randomCase
	for _, rc := range cases {
		if !rc.failed {
			live = append(live, rc)
		}
	}
	driver := filepath.Join(bin, fmt.Sprintf("driver%d", batchNumber.Add(1)))
	for len(live) > 0 {
		writeDriver(t, mod, live)
		out, err := testmod.Go(t, mod, "build", "-o", driver, "./driver")
		if err == nil {
			break
		}
		broken := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^# example\.com/m/(r\d+)(_ref)?$`).FindAllStringSubmatch(out, -1) {
			broken[m[1]] = true
		}
		if len(broken) == 0 {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		var keep []*randomCase
		for _, rc := range live {
			if broken[rc.name()] {
				fail(rc, "the generated program does not build:\n%s", buildErrors(out, rc.name()))
			} else {
				keep = append(keep, rc)
			}
		}
		live = keep
	}
	tBuild := time.Now()
	defer func() {
		t.Logf("batch of %d: transform %v, build %v, run %v", len(cases), tTransform.Sub(tStart).Round(time.Millisecond), tBuild.Sub(tTransform).Round(time.Millisecond), time.Since(tBuild).Round(time.Millisecond))
	}()
	// Run both variants of each program and compare.
	parallel(len(cases), func(i int) {
		rc := cases[i]
		if rc.failed {
			return
		}
		got, gotErr := runRandom(driver, rc.name())
		ref, refErr := runRandom(driver, rc.name()+"_ref")
		rc.got, rc.ref = got, ref
		switch {
		case refErr != nil:
			fail(rc, "the reference program failed (a generator bug): %v\n%s", refErr, tail(ref, 20))
		case gotErr != nil:
			fail(rc, "the generated program failed: %v\n%s\nthe reference printed:\n%s", gotErr, tail(got, 20), tail(ref, 20))
		case strings.Contains(ref, wrongPosition):
			fail(rc, "the reference program's code is not at its .gocoro positions:\n%s", grepLines(ref, wrongPosition))
		case strings.Contains(got, wrongPosition):
			fail(rc, "the generated program's code is not at its .gocoro positions:\n%s", grepLines(got, wrongPosition))
		case got != ref:
			fail(rc, "the generated program's output differs from the reference's:\n%s", firstDiff(got, ref))
		}
	})
	return failures
}

var batchNumber atomic.Int32

// asLibrary turns a program's file into one of package pkg, its main
// function renamed Main, for the driver to call.
func asLibrary(src []byte, pkg string) []byte {
	src = regexp.MustCompile(`(?m)^package main$`).ReplaceAll(src, []byte("package "+pkg))
	return regexp.MustCompile(`(?m)^func main\(\) \{`).ReplaceAll(src, []byte("func Main() {"))
}

// writeDriver writes the package main that runs the program its argument
// names.
func writeDriver(t *testing.T, mod string, cases []*randomCase) {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n")
	for _, rc := range cases {
		fmt.Fprintf(&b, "\t%s \"example.com/m/%s\"\n\t%s_ref \"example.com/m/%s_ref\"\n", rc.name(), rc.name(), rc.name(), rc.name())
	}
	b.WriteString(")\n\nfunc main() {\n\tswitch os.Args[1] {\n")
	for _, rc := range cases {
		fmt.Fprintf(&b, "\tcase %q:\n\t\t%s.Main()\n\tcase %q:\n\t\t%s_ref.Main()\n", rc.name(), rc.name(), rc.name()+"_ref", rc.name())
	}
	b.WriteString("\tdefault:\n\t\tfmt.Fprintln(os.Stderr, \"no program\", os.Args[1])\n\t\tos.Exit(2)\n\t}\n}\n")
	writeFile(t, filepath.Join(mod, "driver", "main.go"), []byte(b.String()))
}

// readGocoro returns the .gocoro file at path, or the main.gocoro of the
// txtar archive at path.
func readGocoro(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".txtar") {
		return data
	}
	for _, f := range txtar.Parse(data).Files {
		if f.Name == "main.gocoro" {
			return f.Data
		}
	}
	t.Fatalf("%s has no main.gocoro", path)
	return nil
}

// runRandom runs a program, with a time limit.
func runRandom(path, arg string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, arg)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("%v%s", err, map[bool]string{true: " (timeout)"}[ctx.Err() != nil])
	}
	return stdout.String(), nil
}

// rerun saves the failing program and returns how to look at it again.
func rerun(t *testing.T, rc *randomCase, features randprog.Features) string {
	ar := &txtar.Archive{
		Comment: fmt.Appendf(nil, "Random program, seed %d, features %s.\nThe stdout section is the reference program's output.\n", rc.seed, features),
		Files:   []txtar.File{{Name: "main.gocoro", Data: rc.prog.Main}},
	}
	if rc.ref != "" {
		ar.Files = append(ar.Files, txtar.File{Name: "stdout", Data: []byte(rc.ref)})
	}
	if rc.got != "" {
		ar.Files = append(ar.Files, txtar.File{Name: "machine.stdout", Data: []byte(rc.got)})
	}
	if rc.machine != nil {
		ar.Files = append(ar.Files, txtar.File{Name: "main_corofied.go", Data: rc.machine})
	}
	dir := filepath.Join("..", "testdata", "random-failures")
	if !*randomKeep {
		var err error
		if dir, err = os.MkdirTemp("", "corofy-random-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("random-%d.txtar", rc.seed))
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	if *randomFile != "" {
		return fmt.Sprintf("program and outputs: %s\nrerun: go test ./transform -run 'TestRandomPrograms$' -random.file=%s", file, *randomFile)
	}
	return fmt.Sprintf("program and outputs: %s\nrerun: go test ./transform -run 'TestRandomPrograms$' -random.seed=%d -random.n=1 -random.features=%s",
		file, rc.seed, features)
}

// parallel calls f(0), ..., f(n-1) on two goroutines (the machines
// running this test have few cores; the go command uses them too).
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// buildErrors returns the lines of go build's output about package name.
func buildErrors(out, name string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "# ") {
			in = line == "# example.com/m/"+name || line == "# example.com/m/"+name+"_ref"
			continue
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// firstDiff shows where two outputs start to differ, with some context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	from := max(i-5, 0)
	show := func(lines []string) string {
		end := min(i+5, len(lines))
		if from >= end {
			return "\t(end of output)\n"
		}
		var b strings.Builder
		for k := from; k < end; k++ {
			mark := " "
			if k == i {
				mark = ">"
			}
			fmt.Fprintf(&b, "%s %4d  %s\n", mark, k+1, lines[k])
		}
		return b.String()
	}
	return fmt.Sprintf("first difference at line %d; generated:\n%sreference:\n%s", i+1, show(g), show(w))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// wrongPosition starts what the here and at helpers print where Go
// places their call elsewhere than where it is written (randprog's
// Positions feature).
const wrongPosition = "wrong position:"

// grepLines returns the lines of out that contain s.
func grepLines(out, s string) string {
	var b strings.Builder
	for l := range strings.Lines(out) {
		if strings.Contains(l, s) {
			b.WriteString(l)
		}
	}
	return b.String()
}
