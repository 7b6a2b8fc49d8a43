package lsp

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
)

// TestMain runs the tests, or, as "test-binary relayArg command...", a
// relay: a process that starts command and copies its standard input to
// the command's and the command's standard output to its own, as a proxy
// that does nothing else would (see BenchmarkLatency).
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == relayArg {
		os.Exit(relay(os.Args[2:]))
	}
	os.Exit(m.Run())
}

const relayArg = "corofy-lsp-test-relay"

func relay(argv []string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go func() {
		io.Copy(in, os.Stdin)
		in.Close()
	}()
	io.Copy(os.Stdout, out)
	if err := cmd.Wait(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
