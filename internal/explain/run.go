package explain

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/corofy/corofy/internal/srcfile"
	"github.com/corofy/corofy/transform"
)

// trace is a traced run, as the page shows it.
type trace struct {
	Events    []event `json:"events"`
	Output    string  `json:"output"` // standard output
	Stderr    string  `json:"stderr"`
	Summary   string  `json:"summary"`
	Truncated bool    `json:"truncated"`
}

// event is one record of an instrumented machine.
type event struct {
	Co     string      `json:"co"`
	Inst   int         `json:"inst"` // 1 for the first machine of Co, and so on
	Ev     string      `json:"ev"`
	St     int         `json:"st"`
	Line   int         `json:"gl"` // the generated line recorded
	Fields [][2]string `json:"f"`
	Out    int         `json:"out"` // what standard output held, in UTF-16 units of Output
	T      int64       `json:"t"`   // microseconds since the program started
	// For a repeat: the Len events before it were done N more times,
	// the same each time (a future polled in a busy loop, say); the
	// other fields are those of the event before.
	N   int `json:"n,omitempty"`
	Len int `json:"len,omitempty"`
}

// helperName is the file the traced build adds to the package.
const helperName = "zz_corofy_explain_trace.go"

// maxOutput caps the standard output and error the page keeps.
const maxOutput = 1 << 20

// runTraced builds the package of path with r's file instrumented, runs
// it and returns its trace. The package's files are not touched: the
// instrumented file and the recorder are given to go build as an
// overlay.
func runTraced(path string, r transform.Result, m *lineMap, f *ast.File, fset *token.FileSet, opt Options) (*trace, error) {
	name := srcfile.Name(path)
	if f.Name.Name != "main" && opt.Main == "" {
		return nil, fmt.Errorf("%s: package %s is not a command: name the command that runs it with -main", name, f.Name.Name)
	}
	if strings.HasSuffix(r.Output, "_test.go") {
		return nil, fmt.Errorf("%s: -run runs a command; a test file's machines run under go test", name)
	}
	out, err := filepath.Abs(r.Output)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(out)
	mainDir := dir
	if opt.Main != "" {
		if mainDir, err = filepath.Abs(opt.Main); err != nil {
			return nil, err
		}
		if info, err := os.Stat(mainDir); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("-main %s: not a directory", srcfile.Name(opt.Main))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, helperName)); err == nil {
		return nil, fmt.Errorf("%s: the package has a file %s, the name -run gives its recorder", name, helperName)
	}
	inst, _, err := instrument(r.Src, f, fset, m)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	tmp, err := os.MkdirTemp("", "corofy-explain-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	files := map[string][]byte{
		"instrumented.go": inst,
		"helper.go":       helperFile(f.Name.Name),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, n), b, 0o644); err != nil {
			return nil, err
		}
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		out:                            filepath.Join(tmp, "instrumented.go"),
		filepath.Join(dir, helperName): filepath.Join(tmp, "helper.go"),
	}})
	if err := os.WriteFile(filepath.Join(tmp, "overlay.json"), overlay, 0o644); err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "prog")
	build := exec.Command("go", "build", "-overlay", filepath.Join(tmp, "overlay.json"), "-o", bin, ".")
	build.Dir = mainDir
	if msg, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: building the traced program failed: %v\n%s", name, err, strings.TrimSpace(string(msg)))
	}

	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	maxEvents := opt.MaxEvents
	if maxEvents <= 0 {
		maxEvents = 20000
	}
	traceFile := filepath.Join(tmp, "trace.jsonl")
	stdout, err := os.Create(filepath.Join(tmp, "stdout"))
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, opt.Args...)
	cmd.Dir = mainDir
	cmd.Stdout = stdout // a file: the recorder reads its size at each event
	var stderr bytes.Buffer
	cmd.Stderr = &capped{w: &stderr, n: maxOutput}
	cmd.Env = append(os.Environ(), "COROFY_EXPLAIN_TRACE="+traceFile, fmt.Sprintf("COROFY_EXPLAIN_MAX=%d", maxEvents))
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	took := time.Since(start)

	outBytes, err := os.ReadFile(stdout.Name())
	if err != nil {
		return nil, err
	}
	tr := &trace{Stderr: strings.ToValidUTF8(stderr.String(), "\uFFFD")}
	kept := outBytes
	if len(kept) > maxOutput {
		kept = kept[:maxOutput]
	}
	tr.Output = strings.ToValidUTF8(string(kept), "\uFFFD")
	if err := readTrace(traceFile, tr, kept); err != nil {
		return nil, err
	}
	status := "exit status 0"
	switch {
	case ctx.Err() != nil:
		status = fmt.Sprintf("ended after the timeout of %v", timeout)
	case runErr != nil:
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			status = ee.ProcessState.String()
		} else {
			return nil, fmt.Errorf("%s: running the traced program: %v", name, runErr)
		}
	}
	args := ""
	if len(opt.Args) > 0 {
		args = " " + strings.Join(opt.Args, " ")
	}
	what := "the package of " + filepath.Base(path)
	if opt.Main != "" {
		what = "the command " + filepath.Base(mainDir)
	}
	tr.Summary = fmt.Sprintf("Ran %s%s with traced machines: %s after %v; %d events recorded", what, args, status, took.Round(time.Millisecond), len(tr.Events))
	if tr.Truncated {
		tr.Summary += fmt.Sprintf(" (the first %d: the trace was cut there)", maxEvents)
	}
	if len(outBytes) > maxOutput {
		tr.Summary += fmt.Sprintf("; standard output cut at %d bytes", maxOutput)
	}
	tr.Summary += "."
	return tr, nil
}

// readTrace reads the events of the trace file into tr; out is standard
// output, whose byte offsets become offsets in UTF-16 units for the page's
// script.
func readTrace(name string, tr *trace, out []byte) error {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil // nothing was recorded
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var raw struct {
		event
		Out int64 `json:"out"`
	}
	units := utf16Offsets(out)
	for sc.Scan() {
		raw = struct {
			event
			Out int64 `json:"out"`
		}{}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return fmt.Errorf("reading the trace: %v", err)
		}
		if raw.Ev == "truncated" {
			tr.Truncated = true
			continue
		}
		e := raw.event
		if e.Ev == evRepeat && len(tr.Events) > 0 {
			last := tr.Events[len(tr.Events)-1]
			e.Co, e.Inst, e.St, e.Line, e.Fields, e.Out = last.Co, last.Inst, last.St, last.Line, last.Fields, last.Out
			tr.Events = append(tr.Events, e)
			continue
		}
		switch {
		case raw.Out < 0:
			e.Out = -1
		case raw.Out >= int64(len(out)):
			e.Out = units[len(out)]
		default:
			e.Out = units[raw.Out]
		}
		tr.Events = append(tr.Events, e)
	}
	return sc.Err()
}

// utf16Offsets returns, for each byte offset of b (and its end), the
// length in UTF-16 units of the text before it, as b is shown once made
// valid UTF-8.
func utf16Offsets(b []byte) []int {
	offs := make([]int, len(b)+1)
	n := 0
	invalid := false // in a run of invalid bytes, which "\uFFFD" replaces as one
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		for k := 0; k < size; k++ {
			offs[i+k] = n
		}
		switch {
		case r == utf8.RuneError && size == 1:
			if !invalid {
				n++
			}
			invalid = true
		default:
			n += utf16.RuneLen(r)
			invalid = false
		}
		i += size
	}
	offs[len(b)] = n
	return offs
}

// capped writes at most n bytes to w, then drops the rest.
type capped struct {
	w *bytes.Buffer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.w.Len(); room > 0 {
		c.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
