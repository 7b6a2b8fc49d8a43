//go:build unix

package transform_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

// dlvVersion is the Delve that .ci/run installs (it supports Go 1.25 to
// 1.27); the test uses whichever dlv it finds and names this one when it
// finds none.
const dlvVersion = "v1.27.2"

// TestDebugger runs testdata/debugger/main.gocoro, generated with line
// directives and built with -gcflags=all=-N -l, under a real Delve (dlv
// exec --headless, driven through its JSON-RPC API), with a breakpoint set
// by "main.gocoro:LINE" on each line marked "// bp:NAME": the first
// statement of a coroutine, the line right after a wait and the one after
// it, the line after a wait inside a loop, the line after the loop. Each
// breakpoint must stop at main.gocoro and its line, as often as the
// program runs that statement (not at every poll of the coroutine), and
// there Delve must show the values the program has: the wait's output
// (in its locals), the variables lifted into the state machine (co.NAME),
// and main.readies, the count of completed waits, which tells that a stop
// after a wait comes after the wait was ready. Delve shows no columns: the
// Go toolchain writes none in the DWARF line table; the columns of the
// directives are checked by TestPositions.
//
// The test skips when dlv is not installed (it never downloads one) or is
// older than the Go that builds the program: it does not pass
// --check-go-version=false, since a Delve that does not know a Go release
// may misread its binaries, and a failure here must be corofy's.
func TestDebugger(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dlv: skipped in -short mode")
	}
	dlv, err := findDlv()
	if err != nil {
		t.Skipf("cannot run the debugger: %v", err)
	}
	start := time.Now()
	if out, err := exec.Command(dlv, "version").CombinedOutput(); err == nil {
		t.Logf("%s: %s", dlv, strings.Join(strings.Fields(string(out)), " "))
	}

	src, err := os.ReadFile("../testdata/debugger/main.gocoro")
	if err != nil {
		t.Fatal(err)
	}
	bps := markedLines(t, src)
	testmod.Setenv(t)
	mod := testmod.New(t)
	dir := filepath.Join(mod, "debugger")
	in := filepath.Join(dir, "main.gocoro")
	writeFile(t, in, src)
	res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}, []transform.Input{{Path: in}})
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	writeFile(t, filepath.Join(dir, "main_corofied.go"), res[0].Src)
	bin := filepath.Join(t.TempDir(), "debugger")
	if out, err := testmod.Go(t, mod, "build", "-gcflags=all=-N -l", "-o", bin, "./debugger"); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	d := startDlv(t, dlv, dir, bin)
	for _, bp := range bps {
		var out struct{ Breakpoint dlvBreakpoint }
		bp.err = d.call("CreateBreakpoint", map[string]any{"LocExpr": fmt.Sprintf("main.gocoro:%d", bp.line)}, &out)
		bp.set = out.Breakpoint
	}
	byID := map[int]*breakpoint{}
	for _, bp := range bps {
		if bp.err == nil {
			byID[bp.set.ID] = bp
		}
	}
	var trace []string // every stop, for the messages
	for {
		var out struct{ State dlvState }
		err := d.call("Command", map[string]any{"name": "continue"}, &out)
		st := out.State
		if err != nil && !strings.Contains(err.Error(), "exited") {
			d.fail("dlv continue, after the stops\n"+strings.Join(trace, "\n")+"\n", err)
		}
		if err != nil || st.Exited {
			if st.ExitStatus != 0 {
				t.Errorf("the program exited with status %d", st.ExitStatus)
			}
			break
		}
		th := st.CurrentThread
		if th == nil || th.Breakpoint == nil || byID[th.Breakpoint.ID] == nil {
			t.Fatalf("dlv stopped, not at one of the test's breakpoints: %+v", st)
		}
		bp := byID[th.Breakpoint.ID]
		s := stop{file: th.File, line: th.Line, pc: th.PC, values: map[string]string{}}
		k := len(bp.stops)
		for name := range bp.want(k) {
			if v, ok := strings.CutPrefix(name, "locals:"); ok {
				s.values[name] = d.local(v)
			} else {
				s.values[name] = d.eval(name)
			}
		}
		s.values["state"] = d.eval("state") // the state machine's case: for the messages only
		bp.stops = append(bp.stops, s)
		trace = append(trace, fmt.Sprintf("  %s: %s", bp.name, s))
	}
	if len(trace) == 0 {
		t.Fatal("dlv stopped at no breakpoint")
	}
	stdout := d.finish()
	if !strings.Contains(stdout, "sum! 355\nresult 355\n") {
		t.Errorf("the program printed:\n%s\nwant sum! 355 and result 355", stdout)
	}
	t.Logf("stops:\n%s", strings.Join(trace, "\n"))
	t.Logf("built and debugged in %v", time.Since(start).Round(time.Millisecond))

	for _, bp := range bps {
		t.Run(bp.name, func(t *testing.T) {
			if bp.err != nil {
				t.Fatalf("break main.gocoro:%d: %v", bp.line, bp.err)
			}
			if !isFile(bp.set.File, dir, in) || bp.set.Line != bp.line {
				t.Errorf("break main.gocoro:%d was set at %s:%d", bp.line, bp.set.File, bp.set.Line)
			}
			for k, s := range bp.stops {
				if !isFile(s.file, dir, in) || s.line != bp.line {
					t.Errorf("stop %d is at %s:%d, want main.gocoro:%d", k+1, s.file, s.line, bp.line)
				}
				if k >= bp.hits {
					continue
				}
				want := bp.want(k)
				var got, exp []string
				for _, name := range sortedKeys(want) {
					if s.values[name] != want[name] {
						got = append(got, name+"="+s.values[name])
						exp = append(exp, name+"="+want[name])
					}
				}
				if got != nil {
					t.Errorf("stop %d at main.gocoro:%d (pc %#x, state %s) shows %s, want %s", k+1, bp.line, s.pc, s.values["state"], strings.Join(got, " "), strings.Join(exp, " "))
				}
			}
			if len(bp.stops) != bp.hits {
				t.Errorf("main.gocoro:%d: %d stops, want %d, as many as the statement runs (TestDebugger logs every stop)", bp.line, len(bp.stops), bp.hits)
			}
		})
	}
}

// isFile tells whether Delve's name of a file, in the program built in
// dir, is the file path. (The line directives name main.gocoro relative to
// the package's directory, as corofy writes them, and so do the binary and
// Delve.)
func isFile(name, dir, path string) bool {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	return filepath.Clean(name) == filepath.Clean(path)
}

// breakpoint is a line marked "// bp:NAME" in the program, what the test
// expects there, and what Delve did.
type breakpoint struct {
	name string
	line int
	hits int                           // how many times the program runs the line
	want func(k int) map[string]string // expression -> value at the k-th stop, from 0

	set   dlvBreakpoint
	err   error
	stops []stop
}

type stop struct {
	file   string
	line   int
	pc     uint64
	values map[string]string
}

func (s stop) String() string {
	var vs []string
	for _, name := range sortedKeys(s.values) {
		vs = append(vs, name+"="+s.values[name])
	}
	return fmt.Sprintf("%s:%d pc %#x %s", s.file, s.line, s.pc, strings.Join(vs, " "))
}

// markedLines returns the breakpoints of the program with what the program
// has at each of them. Expressions starting with "locals:" are looked up in
// Delve's list of local variables (the "locals" command), others are
// evaluated (the "print" command). A local variable of the coroutine that
// lives across a wait is a field of the state machine, co.
func markedLines(t *testing.T, src []byte) []*breakpoint {
	t.Helper()
	// total before the loop's k-th addition: 10, then each c + b.
	total := func(k int) int {
		sum := 10
		for i := 0; i < k; i++ {
			sum += 100 + i + 14
		}
		return sum
	}
	itoa := strconv.Itoa
	want := map[string]*breakpoint{
		"first": {hits: 1, want: func(int) map[string]string {
			return map[string]string{"co.n": "3", "co.total": "0", "main.readies": "0"}
		}},
		"after-wait": {hits: 1, want: func(int) map[string]string {
			return map[string]string{"locals:a": "7", "main.readies": "1", "co.total": "10", "co.label": `"sum"`}
		}},
		"second-after-wait": {hits: 1, want: func(int) map[string]string {
			return map[string]string{"co.b": "14", "co.label": `"sum"`, "main.readies": "1"}
		}},
		"loop-after-wait": {hits: 3, want: func(k int) map[string]string {
			return map[string]string{"locals:c": itoa(100 + k), "co.i": itoa(k), "main.readies": itoa(2 + k), "co.total": itoa(total(k)), "co.b": "14"}
		}},
		"after-loop": {hits: 1, want: func(int) map[string]string {
			return map[string]string{"co.total": itoa(total(3)), "co.label": `"sum!"`, "main.readies": "4"}
		}},
	}
	var bps []*breakpoint
	re := regexp.MustCompile(`// bp:([a-z-]+)\s*$`)
	for i, line := range strings.Split(string(src), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			bp := want[m[1]]
			if bp == nil {
				t.Fatalf("main.gocoro:%d: no expectations for breakpoint %s", i+1, m[1])
			}
			bp.name, bp.line = m[1], i+1
			bps = append(bps, bp)
		}
	}
	if len(bps) != len(want) {
		t.Fatalf("main.gocoro marks %d breakpoints, want %d", len(bps), len(want))
	}
	return bps
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// findDlv returns the dlv on PATH, or else the one go install puts in
// GOBIN or GOPATH/bin.
func findDlv() (string, error) {
	if p, err := exec.LookPath("dlv"); err == nil {
		return p, nil
	}
	out, err := exec.Command(testmod.GoTool(), "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var dirs []string
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, p := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
		for _, d := range dirs {
			p := filepath.Join(d, "dlv")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("dlv not found on PATH nor in GOBIN or GOPATH/bin: install it with go install github.com/go-delve/delve/cmd/dlv@%s (.ci/run does)", dlvVersion)
}

// A dlvSession is a headless dlv and a JSON-RPC client of it.
type dlvSession struct {
	t      *testing.T
	cmd    *exec.Cmd
	conn   net.Conn
	client *rpc.Client
	stdout strings.Builder // the program's output, after dlv's own line
	done   chan struct{}   // closed when stdout is read to its end
	stderr strings.Builder
}

// startDlv starts "dlv exec bin" in dir, headless, and connects to it. It
// skips the test if this dlv cannot debug the program's Go version, or if
// the machine does not let it trace a process.
func startDlv(t *testing.T, dlv, dir, bin string) *dlvSession {
	d := &dlvSession{t: t, done: make(chan struct{})}
	d.cmd = exec.Command(dlv, "exec", bin, "--headless", "--api-version=2", "--listen=127.0.0.1:0", "--log=false")
	d.cmd.Dir = dir
	d.cmd.Stderr = &d.stderr
	pipe, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting dlv: %v", err)
	}
	t.Cleanup(d.kill)
	addr := make(chan string, 1)
	go func() {
		defer close(d.done)
		defer close(addr)
		r := bufio.NewReader(pipe)
		listening := false
		for {
			line, err := r.ReadString('\n')
			if a, ok := strings.CutPrefix(strings.TrimSpace(line), "API server listening at: "); ok && !listening {
				addr <- a
				listening = true
			} else {
				d.stdout.WriteString(line)
			}
			if err != nil {
				return
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(time.Minute):
	}
	if a == "" {
		d.fail("dlv exec did not start its API server", nil)
	}
	d.conn, err = net.Dial("tcp", a)
	if err != nil {
		d.fail("connecting to dlv", err)
	}
	d.conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a hang is a failure, not a stuck CI
	d.client = jsonrpc.NewClient(d.conn)
	// dlv serves its API only once it has started the program: a dlv that
	// cannot debug it says so and ends, closing the connection.
	var pid struct{ Pid int }
	if err := d.call("ProcessPid", struct{}{}, &pid); err != nil {
		d.fail("dlv exec", err)
	}
	return d
}

// fail ends the test after dlv failed: it skips the test if this dlv cannot
// debug the program's Go version (a newer Go than it knows), or if the
// machine does not let it trace a process, and fails it otherwise, with
// what dlv said.
func (d *dlvSession) fail(what string, err error) {
	d.t.Helper()
	select {
	case <-d.done: // dlv closed its output: it has ended
	case <-time.After(10 * time.Second):
	}
	d.kill()
	<-d.done
	msg := strings.TrimSpace(d.stderr.String() + d.stdout.String())
	switch {
	case strings.Contains(msg, "Version of Delve is too old for Go version"):
		d.t.Skipf("%s cannot debug this Go: install a Delve that knows it and raise the version .ci/run installs (the test does not pass --check-go-version=false): %s", d.cmd.Path, msg)
	case strings.Contains(msg, "operation not permitted"):
		d.t.Skipf("this machine does not let dlv trace a process: %s", msg)
	}
	d.t.Fatalf("%s: %v\ndlv said:\n%s", what, err, msg)
}

// call calls the method RPCServer.method of Delve's API, version 2.
func (d *dlvSession) call(method string, args, reply any) error {
	return d.client.Call("RPCServer."+method, args, reply)
}

var loadConfig = map[string]any{"FollowPointers": true, "MaxVariableRecurse": 1, "MaxStringLen": 64, "MaxArrayValues": 64, "MaxStructFields": -1}

// eval returns what "print expr" shows in the current goroutine's frame,
// or the error.
func (d *dlvSession) eval(expr string) string {
	var out struct{ Variable *dlvVariable }
	err := d.call("Eval", map[string]any{"Scope": map[string]any{"GoroutineID": -1}, "Expr": expr, "Cfg": loadConfig}, &out)
	if err != nil {
		return "error(" + err.Error() + ")"
	}
	return out.Variable.String()
}

// local returns the value of name in the frame's local variables, as the
// "locals" command lists them.
func (d *dlvSession) local(name string) string {
	var out struct{ Variables []dlvVariable }
	err := d.call("ListLocalVars", map[string]any{"Scope": map[string]any{"GoroutineID": -1}, "Cfg": loadConfig}, &out)
	if err != nil {
		return "error(" + err.Error() + ")"
	}
	for _, v := range out.Variables {
		if v.Name == name {
			return v.String()
		}
	}
	return "missing"
}

// finish detaches from dlv, which ends it and the program, and returns the
// program's output.
func (d *dlvSession) finish() string {
	var out struct{}
	if err := d.call("Detach", map[string]any{"Kill": true}, &out); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, rpc.ErrShutdown) {
		d.t.Logf("dlv detach: %v", err)
	}
	d.client.Close()
	select {
	case <-d.done:
	case <-time.After(time.Minute):
		d.t.Errorf("dlv did not end after detach")
	}
	d.cmd.Wait()
	return d.stdout.String()
}

// kill ends dlv and the program if they still run: it asks dlv to end
// both, then kills dlv. (A program that dlv no longer traces ends by
// itself: it runs for milliseconds.)
func (d *dlvSession) kill() {
	if d.cmd.ProcessState != nil {
		return
	}
	if d.client != nil {
		d.conn.SetDeadline(time.Now().Add(5 * time.Second))
		var out struct{}
		d.call("Detach", map[string]any{"Kill": true}, &out)
		d.client.Close()
	}
	d.cmd.Process.Kill()
	d.cmd.Wait()
}

// The parts of Delve's API types (service/api) that the test reads.
type dlvBreakpoint struct {
	ID   int    `json:"id"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type dlvState struct {
	Exited        bool `json:"exited"`
	ExitStatus    int  `json:"exitStatus"`
	CurrentThread *struct {
		PC         uint64         `json:"pc"`
		File       string         `json:"file"`
		Line       int            `json:"line"`
		Breakpoint *dlvBreakpoint `json:"breakPoint"`
	} `json:"currentThread"`
}

type dlvVariable struct {
	Name       string `json:"name"`
	Kind       int    `json:"kind"`
	Value      string `json:"value"`
	Unreadable string `json:"unreadable"`
}

// String shows v as "print" does for the scalars the test reads: a string
// quoted.
func (v *dlvVariable) String() string {
	switch {
	case v == nil:
		return "nil"
	case v.Unreadable != "":
		return "unreadable(" + v.Unreadable + ")"
	case reflect.Kind(v.Kind) == reflect.String:
		return strconv.Quote(v.Value)
	}
	return v.Value
}
