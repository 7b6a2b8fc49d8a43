package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// TestMalformedInput sends corofy lsp malformed messages between good
// ones: each gets a JSON-RPC error (with a null id when the id cannot be
// read), and the session goes on.
func TestMalformedInput(t *testing.T) {
	c := startClient(t, newWorkspace(t, "testdata/basic.txtar"))
	bad := []struct {
		raw  string
		code int64
	}{
		{frame(`{"jsonrpc":"2.0","id":1,"method":`), codeParseError},
		{frame(`[1,2]`), codeInvalidRequest},
		{frame(`{"jsonrpc":"1.0","id":77,"method":"textDocument/hover"}`), codeInvalidRequest},
		{"Content-Length: nope\r\n\r\n", codeParseError},
	}
	for i, b := range bad {
		c.conn.wmu.Lock()
		_, err := c.conn.w.Write([]byte(b.raw))
		c.conn.wmu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		c.waitFor("an error response to "+strconv.Quote(b.raw), func() bool { return len(c.stray) > i })
		c.mu.Lock()
		m := c.stray[i]
		c.mu.Unlock()
		wantID := "null"
		if strings.Contains(b.raw, `"id":77`) {
			wantID = "77"
		}
		if m.Error == nil || m.Error.Code != b.code || string(m.ID) != wantID {
			got, _ := json.Marshal(m)
			t.Errorf("sent %q: response %s, want error code %d with id %s", b.raw, got, b.code, wantID)
		}
	}
	c.open("app/main.gocoro")
	c.runCheck("after malformed input", []string{"hover", "app/main.gocoro", "dou|ble(21)", "func double(x int)"}, nil)
}

// TestGoplsRestart kills the gopls that corofy lsp runs: the user is told,
// a new gopls is started with the open documents as they are after the
// edits (a .go document's too), and answers again.
func TestGoplsRestart(t *testing.T) {
	c := startClient(t, newWorkspace(t, "testdata/basic.txtar"))
	c.open("app/main.gocoro")
	c.runCheck("before", []string{"diag", "app/main.gocoro", "var s string = |n", "cannot use n"}, nil)
	c.open("app/use.go")
	c.runCheck("before", []string{"edit", "app/use.go", "func use() {", "func use() { var y string = 1;"}, nil)
	c.runCheck("before", []string{"diag", "app/use.go", "var y string = |1", "cannot use 1"}, nil)
	pid := goplsPid(t, c)
	c.mu.Lock()
	delete(c.diags, c.path("app/main.gocoro"))
	delete(c.diags, c.path("app/use.go"))
	c.mu.Unlock()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.waitFor("a message saying gopls was restarted", func() bool {
		for _, m := range c.messages {
			if strings.Contains(m.Message, "gopls exited") && strings.Contains(m.Message, "restarted it") {
				return true
			}
		}
		return false
	})
	c.runCheck("after restart", []string{"hover", "app/main.gocoro", "dou|ble(21)", "func double(x int)"}, nil)
	c.runCheck("after restart", []string{"edit", "app/main.gocoro", "var s string = n", "var s float64 = n"}, nil)
	c.runCheck("after restart", []string{"diag", "app/main.gocoro", "var s float64 = |n", "cannot use n (variable of type int) as float64 value"}, nil)
	// The .go document was reopened with its edit: its error is there, and
	// the editor's next edit applies to that text.
	c.runCheck("after restart", []string{"diag", "app/use.go", "var y string = |1", "cannot use 1"}, nil)
	c.runCheck("after restart", []string{"edit", "app/use.go", "var y string = 1;", "var y string = \"1\"; _ = y;"}, nil)
	c.runCheck("after restart", []string{"nodiag", "app/use.go", "cannot use 1"}, nil)
}

// goplsPid returns the process id of the gopls that corofy lsp runs for c,
// or skips the test where it cannot be found.
func goplsPid(t *testing.T, c *client) int {
	t.Helper()
	// The children of every thread of corofy lsp.
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/task/*/children")
	if err != nil || len(tasks) == 0 {
		t.Skipf("cannot find gopls's process (needs Linux's /proc/PID/task/TID/children): %v", err)
	}
	var pids []string
	for _, task := range tasks {
		children, err := os.ReadFile(task)
		if err != nil {
			t.Skipf("cannot find gopls's process: %v", err)
		}
		pids = append(pids, strings.Fields(string(children))...)
	}
	if len(pids) != 1 {
		t.Fatalf("corofy lsp has children %q, want one gopls", pids)
	}
	pid, _ := strconv.Atoi(pids[0])
	return pid
}

// procState returns the state of the process pid and its parent, as
// /proc/PID/stat gives them ("T 1234": stopped, child of 1234), or why
// it cannot.
func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return err.Error()
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 2 {
		return fmt.Sprintf("unreadable %q", b)
	}
	return f[0] + " " + f[1]
}

// TestCancel stops the gopls that corofy lsp runs (SIGSTOP), so that no
// request that needs it can be answered, and checks that the editor is
// never kept waiting: a request it cancels gets RequestCancelled, a
// request about a .gocoro that it then edits gets ContentModified (the
// answer would be about text it no longer has), formatting (corofy's
// own) is answered, and corofy's own diagnostics of the edit are
// published. Once gopls runs again, it answers as before.
func TestCancel(t *testing.T) {
	archive := "testdata/basic.txtar"
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	formatted := map[string]string{}
	for _, f := range ar.Files {
		if name, ok := strings.CutSuffix(f.Name, ".formatted"); ok {
			formatted[name] = string(f.Data)
		}
	}
	c := startClient(t, newWorkspace(t, archive))
	c.open("app/main.gocoro")
	c.runCheck("before", []string{"diag", "app/main.gocoro", "var s string = |n", "cannot use n"}, nil)
	pid := goplsPid(t, c)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
	// The stop takes effect when gopls next enters the kernel, not when
	// kill returns (/proc says R until then): the requests below are
	// sent once it is stopped.
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(procState(pid), "T "); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gopls %d not stopped 10 s after SIGSTOP: %s", pid, procState(pid))
		}
	}

	send := func(method string, params any) (json.RawMessage, chan *message) {
		raw, _ := json.Marshal(params)
		id, ch, err := c.conn.start(method, raw)
		if err != nil {
			t.Fatal(err)
		}
		return id, ch
	}
	wantError := func(what string, ch chan *message, code int64) {
		select {
		case m := <-ch:
			if m.Error == nil || m.Error.Code != code {
				got, _ := json.Marshal(m)
				// An answer means gopls ran: say whether it is stopped
				// (T) and still corofy lsp's child.
				t.Errorf("%s: response %s, want error code %d (gopls %d: %s)", what, got, code, pid, procState(pid))
			}
		case <-time.After(time.Minute):
			t.Fatalf("%s: no response within a minute", what)
		}
	}
	at := positionParams{docID{c.uri("app/main.gocoro")}, c.marker("app/main.gocoro", "dou|ble(21)")}

	id, ch := send("textDocument/hover", at)
	c.conn.notify("$/cancelRequest", map[string]any{"id": id})
	wantError("hover cancelled by the editor", ch, codeRequestCancelled)

	_, ch = send("textDocument/completion", at)
	_, ch2 := send("textDocument/definition", at)
	c.change("app/main.gocoro", "var s string = n", 0, "var s string = n +")
	wantError("completion, then an edit", ch, codeContentModified)
	wantError("definition, then an edit", ch2, codeContentModified)

	// corofy's own diagnostics of edits, lowered by lowering.edit or
	// not, come without gopls's.
	c.runCheck("gopls stopped", []string{"diag", "app/main.gocoro", "|return s", "expected operand, found 'return'"}, nil)
	c.change("app/main.gocoro", "var s string = n +", 0, "var s string = n")
	c.runCheck("gopls stopped", []string{"nodiag", "app/main.gocoro", "expected operand"}, nil)
	c.change("app/main.gocoro", "{ return double(1) }", 0, "{ _ = double(2).wait; return double(1) }")
	c.runCheck("gopls stopped", []string{"diag", "app/main.gocoro", "double(2).|wait", "'.wait' outside a coroutine"}, nil)
	c.open("app/fmt.gocoro")
	c.runCheck("gopls stopped", []string{"format", "app/fmt.gocoro"}, formatted)

	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	c.change("app/main.gocoro", "{ _ = double(2).wait; return double(1) }", 0, "{ return double(1) }")
	c.runCheck("gopls running again", []string{"nodiag", "app/main.gocoro", "outside a coroutine"}, nil)
	c.runCheck("gopls running again", []string{"diag", "app/main.gocoro", "var s string = |n", "cannot use n"}, nil)
	c.runCheck("gopls running again", []string{"hover", "app/main.gocoro", "dou|ble(21)", "func double(x int)"}, nil)
}
