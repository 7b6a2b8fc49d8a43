package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

// BenchmarkScale measures the transform's passes (the package is loaded
// and type-checked once, outside the loop) on one coroutine of n waits:
// "seq", one wait per statement, and "expr", all n waits in one
// expression, from 10 to 10,000. The time per n shows how the cost grows;
// BENCHMARKS.md has the fitted exponent, made with
//
//	go test -run '^$' -bench Scale -count 3 -timeout 1h ./transform | go run ./internal/cmd/benchmedian -fit
func BenchmarkScale(b *testing.B) {
	testmod.Setenv(b)
	mod := testmod.New(b)
	for _, shape := range []string{"seq", "expr"} {
		for _, n := range []int{10, 100, 1000, 10000} {
			b.Run(fmt.Sprintf("%s/n=%d", shape, n), func(b *testing.B) {
				dir := filepath.Join(mod, fmt.Sprintf("%s%d", shape, n))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				in := Input{Path: filepath.Join(dir, "main.gocoro")}
				in.Output = DefaultOutput(in.Path)
				if err := os.WriteFile(in.Path, scaleSource(shape, n), 0o644); err != nil {
					b.Fatal(err)
				}
				cfg := Config{LineDirectives: true, Command: "corofy main.gocoro"}
				files, err := load(cfg, []string{dir}, map[string][]Input{dir: {in}})
				if err != nil {
					b.Fatal(err)
				}
				cancelEarly(files) // each run of the loop does all of the work
				lf := files[0]
				var size int
				for b.Loop() {
					r, err := transformFile(cfg, lf, newPackageNamer(lf.types, lf.importNames))
					if err != nil {
						b.Fatal(err)
					}
					if size != 0 && len(r.Src) != size {
						b.Fatalf("the output changed from %d to %d bytes between runs", size, len(r.Src))
					}
					size = len(r.Src)
				}
			})
		}
	}
}

// scaleSource returns a program with one coroutine of n waits.
func scaleSource(shape string, n int) []byte {
	var body strings.Builder
	switch shape {
	case "seq":
		body.WriteString("\tx := 0\n")
		for i := range n {
			fmt.Fprintf(&body, "\tx += runtime.Ready(%d).wait\n", i)
		}
		body.WriteString("\treturn x\n")
	case "expr":
		body.WriteString("\treturn ")
		for i := range n {
			if i > 0 {
				body.WriteString(" + ")
			}
			fmt.Fprintf(&body, "runtime.Ready(%d).wait", i)
		}
		body.WriteString("\n")
	}
	return []byte("package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/corofy/corofy/runtime\"\n)\n\n" +
		"coroutine func big() int {\n" + body.String() + "}\n\nfunc main() { fmt.Println(runtime.BlockOn(big())) }\n")
}
