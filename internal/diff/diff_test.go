package diff

import (
	"bytes"
	"fmt"
	"go/format"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

func TestEqual(t *testing.T) {
	if d := Diff("a", []byte("x\n"), "b", []byte("x\n")); d != nil {
		t.Errorf("Diff of equal texts = %q, want nil", d)
	}
}

func TestExamples(t *testing.T) {
	tests := []struct{ old, new, want string }{
		{"a\nb\nc\n", "a\nB\nc\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "a\n", "@@ -0,0 +1,1 @@\n+a\n"},
		{"a\n", "", "@@ -1,1 +0,0 @@\n-a\n"},
		{"a\nb", "a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n", "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
	}
	for _, tt := range tests {
		got := string(Diff("old", []byte(tt.old), "new", []byte(tt.new)))
		want := "diff old new\n--- old\n+++ new\n" + tt.want
		if got != want {
			t.Errorf("Diff(%q, %q):\n%s\nwant:\n%s", tt.old, tt.new, got, want)
		}
	}
}

// TestApply applies the diffs of random texts to the old text: the result
// is the new one.
func TestApply(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var b strings.Builder
		for range r.IntN(30) {
			fmt.Fprintf(&b, "%d\n", r.IntN(8))
		}
		if r.IntN(4) == 0 {
			b.WriteString("end")
		}
		return b.String()
	}
	for i := range 2000 {
		old, new := text(), text()
		d := Diff("old", []byte(old), "new", []byte(new))
		if old == new {
			continue
		}
		got, err := apply(old, string(d))
		if err != nil || got != new {
			t.Fatalf("case %d: %v: applying\n%s\nto %q gives %q, want %q", i, err, d, old, got, new)
		}
	}
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$`)

// apply applies the unified diff d to old, checking its context lines
// and counts.
func apply(old, d string) (string, error) {
	x := lines([]byte(old))
	dl := strings.SplitAfter(d, "\n")
	if len(dl) < 4 || !strings.HasPrefix(dl[0], "diff ") || !strings.HasPrefix(dl[1], "--- ") || !strings.HasPrefix(dl[2], "+++ ") {
		return "", fmt.Errorf("bad header")
	}
	var out []string
	next := 0 // next line of x to copy
	for i := 3; i < len(dl) && dl[i] != ""; {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(dl[i], "\n"))
		if m == nil {
			return "", fmt.Errorf("line %d: not a hunk header: %q", i, dl[i])
		}
		i++
		from, _ := strconv.Atoi(m[1])
		nOld, _ := strconv.Atoi(m[2])
		nNew, _ := strconv.Atoi(m[4])
		if nOld > 0 {
			from--
		}
		if from < next {
			return "", fmt.Errorf("hunks overlap")
		}
		out = append(out, x[next:from]...)
		next = from
		for nOld > 0 || nNew > 0 {
			if i >= len(dl) {
				return "", fmt.Errorf("hunk too short")
			}
			s := dl[i]
			i++
			if i < len(dl) && strings.HasPrefix(dl[i], "\\") {
				s += dl[i]
				i++
			}
			switch s[0] {
			case ' ', '-':
				if next >= len(x) || x[next] != s[1:] {
					return "", fmt.Errorf("line %d does not match", next+1)
				}
				next++
				nOld--
				if s[0] == ' ' {
					out = append(out, s[1:])
					nNew--
				}
			case '+':
				out = append(out, s[1:])
				nNew--
			}
		}
	}
	out = append(out, x[next:]...)
	res := strings.Join(out, "")
	return strings.ReplaceAll(res, "\n\\ No newline at end of file\n", ""), nil
}

// TestGofmt compares Diff with gofmt -d on unformatted versions of the
// repository's Go files.
func TestGofmt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gofmt on many files: skipped in -short mode")
	}
	out, err := exec.Command(testmod.GoTool(), "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT failed, so gofmt cannot be found: %v", err)
	}
	gofmt := filepath.Join(strings.TrimSpace(string(out)), "bin", "gofmt")
	if _, err := os.Stat(gofmt); err != nil {
		t.Skipf("no gofmt in GOROOT/bin to compare with: %v", err)
	}
	dir := t.TempDir()
	n := 0
	filepath.WalkDir(testmod.Root(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || n >= 40 {
			return filepath.SkipDir
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n++
		old := unformat(src)
		formatted, err := format.Source(old)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		name := filepath.Join(dir, strconv.Itoa(n)+".go")
		if err := os.WriteFile(name, old, 0o644); err != nil {
			t.Fatal(err)
		}
		want, _ := exec.Command(gofmt, "-d", name).Output() // exits 1 on a diff
		slash := filepath.ToSlash(name)
		got := Diff(slash+".orig", old, slash, formatted)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: diff\n%s\ngofmt -d:\n%s", path, got, want)
		}
		return nil
	})
	if n < 10 {
		t.Errorf("only %d files compared", n)
	}
}

// unformat spoils some lines of src, chosen by their hash: indentation
// removed, trailing space, blank lines added.
func unformat(src []byte) []byte {
	var b bytes.Buffer
	for _, line := range strings.SplitAfter(string(src), "\n") {
		h := fnv.New32()
		h.Write([]byte(line))
		switch v := h.Sum32() % 23; {
		case v < 3:
			line = strings.TrimLeft(line, "\t")
		case v == 3:
			line = strings.TrimSuffix(line, "\n") + "  \n"
		case v == 4:
			line += "\n\n"
		}
		b.WriteString(line)
	}
	return b.Bytes()
}
