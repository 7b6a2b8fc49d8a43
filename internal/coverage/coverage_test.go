package coverage_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/coverage"
	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

// TestProfile runs go test -coverprofile on the generated code of
// testdata/positions and checks what corofy cover makes of the profile:
// every block the compiler wrote names the .gocoro file, and the rebuilt
// blocks are a profile go tool cover -html can show (in order, none
// inside another, none past the end of its line), with per-function
// figures for the coroutine.
func TestProfile(t *testing.T) {
	src, err := os.ReadFile("../../testdata/positions/main.gocoro")
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.ReplaceAll(src, []byte(`fmt.Sprintf("%d", "vet: wrong type")`), []byte(`"x"`))
	testmod.Setenv(t)
	mod := testmod.New(t)
	dir := filepath.Join(mod, "cov")
	write(t, filepath.Join(dir, "main.gocoro"), src)
	write(t, filepath.Join(dir, "main_test.go"), []byte("package main\n\nimport \"testing\"\n\nfunc TestMain(t *testing.T) { main() }\n"))
	res, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy main.gocoro"}, []transform.Input{{Path: filepath.Join(dir, "main.gocoro")}})
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	write(t, filepath.Join(dir, "main_corofied.go"), res[0].Src)
	profile := filepath.Join(mod, "c.out")
	if out, err := testmod.Go(t, mod, "test", "-coverprofile="+profile, "./cov"); err != nil {
		t.Fatalf("go test -coverprofile: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		if !strings.HasPrefix(line, "example.com/m/cov/main.gocoro:") {
			t.Errorf("go test wrote a block outside main.gocoro: %s", line)
		}
	}

	p, err := coverage.Read(profile, mod)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	var buf bytes.Buffer
	if err := p.WriteProfile(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	block := regexp.MustCompile(`^example.com/m/cov/main.gocoro:(\d+)\.(\d+),(\d+)\.(\d+) 1 [01]$`)
	prevLine, prevCol, n := 0, 0, 0
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
		m := block.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("block %q: not one statement of main.gocoro", line)
			continue
		}
		n++
		sl, sc, el, ec := atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4])
		switch {
		case el < sl || el == sl && ec < sc:
			t.Errorf("block %q ends before it starts", line)
		case sc > len(lines[sl-1])+1 || ec > len(lines[el-1])+1:
			t.Errorf("block %q goes past the end of its line", line)
		case sl < prevLine || sl == prevLine && sc < prevCol:
			t.Errorf("block %q starts inside the one before it", line)
		}
		prevLine, prevCol = el, ec
	}
	if n < 25 {
		t.Errorf("%d blocks for main.gocoro, want one per statement", n)
	}
	buf.Reset()
	if err := p.WriteFuncs(&buf); err != nil {
		t.Fatal(err)
	}
	// The lines the functions are declared on, in the source.
	lineOf := func(decl string) int {
		return bytes.Count(src[:bytes.Index(src, []byte(decl))], []byte("\n")) + 1
	}
	for _, want := range []string{
		fmt.Sprintf(`main.gocoro:%d:\s+where\s+100.0%%`, lineOf("func where(")),
		fmt.Sprintf(`main.gocoro:%d:\s+positions\s+[5-9]\d\.\d%%`, lineOf("coroutine func positions(")),
		`total:\s+\(statements\)`,
	} {
		if !regexp.MustCompile(want).MatchString(buf.String()) {
			t.Errorf("WriteFuncs wrote:\n%s\nwant a line matching %q", buf.String(), want)
		}
	}
}

func write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
