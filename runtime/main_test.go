//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The test binary doubles as helper processes, chosen by an environment
// variable: the load test's server (so that client and server each have
// the descriptor limit to themselves) and the benchmarks' client whose peak
// memory is measured alone.
const helperEnv = "CORO_RUNTIME_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "delayserver":
		os.Exit(runDelayServerHelper())
	case "httpclient":
		os.Exit(runHTTPClientHelper())
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", helperEnv, os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// startHelper starts the test binary as the helper kind with args in the
// environment, and returns its first line of output and its stdin: closing
// stdin stops it.
func startHelper(t testing.TB, kind string, env ...string) (string, *exec.Cmd, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), helperEnv+"="+kind), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting helper %s: %v", kind, err)
	}
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper %s: %v", kind, err)
	}
	return strings.TrimSpace(line), cmd, stdin, out
}

// startServerProcess starts the runtime's own delay server (below) in a
// helper process and returns its address; it stops with the test.
func startServerProcess(t testing.TB) string {
	addr, cmd, stdin, _ := startHelper(t, "delayserver")
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	return addr
}

// raiseFDLimit raises the soft limit on open descriptors to the hard one
// and reports the limit.
func raiseFDLimit() (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return uint64(lim.Cur), nil // int64 on some BSDs
}

// runDelayServerHelper serves the delay server protocol with this package's
// own futures (one executor, no goroutine per connection: under -race a
// net/http server could not hold ten thousand connections, the race detector
// allows 8128 goroutines). It prints its address and serves until stdin
// closes.
func runDelayServerHelper() int {
	raiseFDLimit()
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go BlockOnNamed("delayserver", &acceptLoop{l: l})
	fmt.Println(l.Addr())
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// acceptLoop accepts connections for ever, spawning a delayHandler for each.
// It is written as corofy would generate
//
//	coroutine func acceptLoop(l *Listener) {
//		for {
//			if c, err := l.Accept().wait.Unpack(); err == nil {
//				Spawn(delayHandler(c)).wait
//			}
//		}
//	}
type acceptLoop struct {
	l    *Listener
	fut1 *AcceptFuture
}

func (a *acceptLoop) Poll(w Waker) (struct{}, bool) {
	for {
		if a.fut1 == nil {
			a.fut1 = a.l.Accept()
		}
		res, ok := a.fut1.Poll(w)
		if !ok {
			return struct{}{}, false
		}
		a.fut1 = nil
		if res.Err != nil {
			fmt.Fprintln(os.Stderr, "accept:", res.Err)
			time.Sleep(10 * time.Millisecond) // EMFILE: let connections finish
			continue
		}
		Spawn[struct{}](&delayHandler{c: res.Value, buf: make([]byte, 512)}).Poll(w)
	}
}

// delayHandler serves one connection: read "GET /{ms}/{message}", sleep ms,
// answer message, close. States: reading, sleeping, writing.
type delayHandler struct {
	c     *Conn
	buf   []byte
	n     int
	state int
	read  *ReadFuture
	sleep *SleepFuture
	write *WriteFuture
}

func (h *delayHandler) Poll(w Waker) (struct{}, bool) {
	for {
		switch h.state {
		case 0:
			if h.read == nil {
				h.read = h.c.Read(h.buf[h.n:])
			}
			res, ok := h.read.Poll(w)
			if !ok {
				return struct{}{}, false
			}
			h.read = nil
			if res.Err != nil {
				h.c.Close()
				return struct{}{}, true
			}
			h.n += res.Value
			if !bytes.Contains(h.buf[:h.n], []byte("\r\n\r\n")) {
				if h.n == len(h.buf) {
					h.c.Close()
					return struct{}{}, true
				}
				continue
			}
			ms, message := parseDelayRequest(string(h.buf[:h.n]))
			body := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(message), message)
			h.sleep, h.write, h.state = Sleep(time.Duration(ms)*time.Millisecond), h.c.Write([]byte(body)), 1
		case 1:
			if _, ok := h.sleep.Poll(w); !ok {
				return struct{}{}, false
			}
			h.state = 2
		case 2:
			if _, ok := h.write.Poll(w); !ok {
				return struct{}{}, false
			}
			h.c.Close()
			return struct{}{}, true
		}
	}
}

// parseDelayRequest takes "GET /{ms}/{message} HTTP/1.1..." apart.
func parseDelayRequest(req string) (int, string) {
	line, _, _ := strings.Cut(req, "\r\n")
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 0, ""
	}
	ms, message, _ := strings.Cut(strings.TrimPrefix(fields[1], "/"), "/")
	n, _ := strconv.Atoi(ms)
	return n, message
}
