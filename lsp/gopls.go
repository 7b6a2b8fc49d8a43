package lsp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// FindGopls returns the command that runs gopls for the workspace dir:
// gopls on PATH, or else "go tool gopls" when dir's module declares gopls
// as a tool dependency. corofy never downloads gopls.
func FindGopls(dir string) ([]string, error) {
	if p, err := exec.LookPath("gopls"); err == nil {
		return []string{p}, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, errors.New("gopls is not on PATH and there is no go command to run it as a tool dependency")
	}
	cmd := exec.Command(goTool, "tool", "-n", "gopls")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
		return []string{goTool, "tool", "gopls"}, nil
	}
	return nil, fmt.Errorf("gopls is not on PATH nor a tool dependency of the module in %s: install it (go install golang.org/x/tools/gopls@latest) or add it (go get -tool golang.org/x/tools/gopls)", dir)
}

// A goplsProc is a running gopls and the connection to it.
type goplsProc struct {
	cmd  *exec.Cmd
	conn *conn
	done chan struct{} // closed when the process has exited
	err  error         // why it exited, once done is closed
}

// startGopls starts gopls with command argv in dir; its standard error
// goes to logw.
func startGopls(argv []string, dir string, logw io.Writer) (*goplsProc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stderr = logw
	cmd.Env = os.Environ()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", filepath.Base(argv[0]), err)
	}
	// Read gopls's output with blocking reads: the goroutine reading it
	// waits in the read, and its thread is woken by the kernel when gopls
	// writes, rather than through the runtime's poller (a read that would
	// block, a wait in the poller, the read again, and a hand-off between
	// threads, for every message).
	if f, ok := out.(*os.File); ok {
		f.Fd()
	}
	p := &goplsProc{cmd: cmd, conn: newConn(out, in), done: make(chan struct{})}
	return p, nil
}

// wait waits for the process to exit after its output ended, and records
// why it did.
func (p *goplsProc) wait() {
	p.err = p.cmd.Wait()
	if p.err == nil {
		p.err = errors.New("gopls exited")
	} else {
		p.err = fmt.Errorf("gopls exited: %v", p.err)
	}
	p.conn.close(p.err)
	close(p.done)
}

// stop ends the process: it closes its input, and kills it if it has not
// exited soon after.
func (p *goplsProc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
}
