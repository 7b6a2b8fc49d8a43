package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs main instead of the tests when the test binary is started
// by TestCommand as the delayserver command.
func TestMain(m *testing.M) {
	if os.Getenv("DELAYSERVER_RUN_MAIN") == "1" {
		os.Args = append([]string{"delayserver"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command returns the test binary set up to run as delayserver with args.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DELAYSERVER_RUN_MAIN=1")
	return cmd
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		flagAddr string
		args     []string
		want     string
		wantErr  bool
	}{
		{"localhost:8080", nil, "localhost:8080", false},
		{"localhost:8080", []string{"0.0.0.0"}, "0.0.0.0:8080", false},
		{"localhost:8080", []string{"::1"}, "[::1]:8080", false},
		{"localhost:9000", []string{"127.0.0.1:0"}, "127.0.0.1:0", false},
		{"localhost", []string{"127.0.0.1"}, "", true},
		{"localhost:8080", []string{"a", "b"}, "", true},
	}
	for _, test := range tests {
		got, err := listenAddr(test.flagAddr, test.args)
		if got != test.want || (err != nil) != test.wantErr {
			t.Errorf("listenAddr(%q, %q) = %q, %v, want %q (error: %v)",
				test.flagAddr, test.args, got, err, test.want, test.wantErr)
		}
	}
}

// TestCommand runs the command on a free port, sends it a request, checks
// its log and stops it with SIGINT.
func TestCommand(t *testing.T) {
	cmd := command(t, "-addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the address from stderr: %v (got %q)", err, line)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "delayserver: listening on ")
	if !ok {
		t.Fatalf("first line of stderr = %q, want \"delayserver: listening on host:port\"", line)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /1/Hello%%20World HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	raw, err := io.ReadAll(conn)
	conn.Close()
	if err != nil || !strings.HasSuffix(string(raw), "\r\n\r\nHello World") {
		t.Errorf("GET /1/Hello%%20World = %q, %v; want a response with body \"Hello World\"", raw, err)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("delayserver exited with %v after SIGINT, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("delayserver did not exit within 30s of SIGINT")
	}
	if got, want := stdout.String(), "#1 - 1ms: Hello World\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestUsageError(t *testing.T) {
	out, err := command(t, "a", "b").CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 {
		t.Errorf("delayserver a b: error %v, want exit status 2", err)
	}
	if !strings.Contains(string(out), "expected at most one host argument") ||
		!strings.Contains(string(out), "Usage of delayserver") {
		t.Errorf("delayserver a b printed %q, want the error and the usage", out)
	}
}
