package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	messySrc = "package m\n\ncoroutine   func f()  {}\n"
	tidySrc  = "package m\n\ncoroutine func f() {}\n"
)

// fmtRun runs corofy fmt with args and no standard input.
func fmtRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = runFmt(args, strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

// TestFmtWriteKeepsMode: -w replaces the file through a rename, keeping
// its permissions, and leaves no temporary file.
func TestFmtWriteKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.gocoro")
	if err := os.WriteFile(path, []byte(messySrc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o751); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := fmtRun(t, "-w", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(path)
	if string(got) != tidySrc {
		t.Errorf("file = %q, want %q", got, tidySrc)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o751 {
		t.Errorf("mode %v, want %v", info.Mode().Perm(), os.FileMode(0o751))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want 1", len(entries))
	}
}

// TestFmtWriteUnchanged: -w does not touch a formatted file, nor one with
// a syntax error.
func TestFmtWriteUnchanged(t *testing.T) {
	dir := t.TempDir()
	tidy := filepath.Join(dir, "tidy.gocoro")
	bad := filepath.Join(dir, "bad.gocoro")
	os.WriteFile(tidy, []byte(tidySrc), 0o644)
	os.WriteFile(bad, []byte("package m\n\ncoroutine  func f( {}\n"), 0o644)
	before := map[string]os.FileInfo{}
	for _, p := range []string{tidy, bad} {
		before[p], _ = os.Stat(p)
	}
	code, _, stderr := fmtRun(t, "-w", dir)
	if code != exitFmtError || !strings.HasPrefix(stderr, bad+":3:") {
		t.Errorf("exit %d, stderr %q; want 2 and an error at %s:3", code, stderr, bad)
	}
	for p, info := range before {
		now, err := os.Stat(p)
		if err != nil || !os.SameFile(info, now) || !now.ModTime().Equal(info.ModTime()) {
			t.Errorf("%s was rewritten", p)
		}
	}
}

// TestFmtWriteSymlink: -w through a symbolic link rewrites the file it
// points to and keeps the link.
func TestFmtWriteSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.gocoro")
	link := filepath.Join(dir, "link.gocoro")
	os.WriteFile(target, []byte(messySrc), 0o644)
	if err := os.Symlink("target.gocoro", link); err != nil {
		t.Skipf("this system cannot make a symbolic link, which the test needs: %v", err)
	}
	if code, _, stderr := fmtRun(t, "-w", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.gocoro is no longer a symbolic link")
	}
	if got, _ := os.ReadFile(target); string(got) != tidySrc {
		t.Errorf("target = %q, want %q", got, tidySrc)
	}
}

// endless is a standard input that never ends (as /dev/zero), counting
// what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n > 1<<30 {
		return 0, errors.New("read 1 GiB of standard input")
	}
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

// TestFmtStdinLimit: corofy fmt reads at most 64 MiB of its standard
// input, and says so.
func TestFmtStdinLimit(t *testing.T) {
	var out, errs bytes.Buffer
	in := &endless{}
	code := runFmt(nil, in, &out, &errs)
	if code != exitFmtError || errs.String() != "corofy fmt: <standard input>: larger than 64 MiB, the most corofy reads of a source file\n" {
		t.Errorf("exit %d, stderr %q", code, errs.String())
	}
	if in.n > 65<<20 {
		t.Errorf("read %d bytes of standard input", in.n)
	}
}
