package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

// bigGocoro returns a .gocoro file of about lines lines: pairs of
// coroutines, the second waiting twice on the first, and probe, where the
// benchmarks edit, hover and complete.
func bigGocoro(lines int) string {
	var b strings.Builder
	b.WriteString("package big\n\n")
	n := 0
	for i := 0; strings.Count(b.String(), "\n") < lines-8; i++ {
		fmt.Fprintf(&b, "// leaf%d adds %d.\ncoroutine func leaf%d(x int) int {\n\treturn x + %d\n}\n\n", i, i, i, i)
		fmt.Fprintf(&b, "coroutine func step%d(x int) int {\n\ta := leaf%d(x).wait\n\tb := leaf%d(a).wait\n\treturn a * b\n}\n\n", i, i, i)
		n = i
	}
	fmt.Fprintf(&b, "coroutine func probeStep(x int) int {\n\treturn step%d(x).wait\n}\n\n", n/2)
	b.WriteString("coroutine func probe() int {\n\ttotal := probeStep(1).wait\n\treturn total\n}\n")
	return b.String()
}

// BenchmarkLatency measures, on a 2,000-line .gocoro file, the time corofy
// lsp takes to publish the diagnostics of an edit (one that adds a type
// error, one that removes it), and to answer a hover and a completion,
// against gopls alone on the equivalent plain Go file (the .gocoro's
// lowering, as a .go file), in the same run. An op of diagnostics is two
// edits, each until its diagnostics come.
func BenchmarkLatency(b *testing.B) {
	src := bigGocoro(2000)
	goSrc := string(lower("big.gocoro", []byte(src)).goSrc)
	gopls := findGoplsForTest(b)
	for _, server := range []struct{ name, file, text string }{
		{"corofy-lsp", "big/big.gocoro", src},
		{"gopls", "big/big.go", goSrc},
	} {
		dir := testmod.New(b)
		path := filepath.Join(dir, server.file)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(server.text), 0o644); err != nil {
			b.Fatal(err)
		}
		var c *client
		if server.name == "gopls" {
			c = startServer(b, dir, gopls)
		} else {
			c = startClient(b, dir)
		}
		c.open(server.file)
		at := c.at(server.file, "probeStep(1)", 0, len("probe"))
		params := positionParams{docID{c.uri(server.file)}, at}
		// Ready: gopls has loaded the package (a hover has an answer), and
		// one edit and its diagnostics have gone through.
		c.waitFor("a hover answer", func() bool {
			c.mu.Unlock()
			defer c.mu.Lock()
			raw, _ := c.callRaw("textDocument/hover", params)
			return len(raw) > 0 && string(raw) != "null"
		})
		hasError := func(ds []Diagnostic) bool {
			return slices.ContainsFunc(ds, func(d Diagnostic) bool { return strings.Contains(d.Message, "mismatched types") })
		}
		edit := func() {
			c.change(server.file, "return total", 0, "return total + \"x\"")
			c.waitDiagnostics(server.file, hasError)
			c.change(server.file, "return total + \"x\"", 0, "return total")
			c.waitDiagnostics(server.file, func(ds []Diagnostic) bool { return !hasError(ds) })
		}
		edit()

		b.Run("diagnostics/"+server.name, func(b *testing.B) {
			for b.Loop() {
				edit()
			}
		})
		b.Run("hover/"+server.name, func(b *testing.B) {
			for b.Loop() {
				if _, rerr := c.callRaw("textDocument/hover", params); rerr != nil {
					b.Fatal(rerr)
				}
			}
		})
		b.Run("completion/"+server.name, func(b *testing.B) {
			for b.Loop() {
				if _, rerr := c.callRaw("textDocument/completion", params); rerr != nil {
					b.Fatal(rerr)
				}
			}
		})
	}
}

// BenchmarkLower measures the lowering of a 2,000-line .gocoro file, done
// at each edit.
func BenchmarkLower(b *testing.B) {
	src := []byte(bigGocoro(2000))
	for b.Loop() {
		lower("big.gocoro", src)
	}
}
