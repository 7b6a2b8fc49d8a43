package transform_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
)

// TestFilesOfOnePackage: the type checker's record of a package covers all
// its files, and the transform finds an expression's type by its offsets
// in its file. Two files of one package with expressions at the same
// offsets (here two .gocoro files and a Go file, the same text but for one
// letter) must each get their own types: a future's field of the other
// file's type did not compile, or could compile with the wrong type. The
// record is a map, so a mix-up shows only on some runs: the test runs the
// transform several times.
func TestFilesOfOnePackage(t *testing.T) {
	testmod.Setenv(t)
	dir := filepath.Join(testmod.New(t), "p")
	src := func(letter, result, value string) []byte {
		return fmt.Appendf(nil, "package p\n\nimport \"github.com/corofy/corofy/runtime\"\n\nfunc on%s() runtime.Future[%s] { return runtime.Ready(%s) }\n\ncoroutine func f%s() %s {\n\tx := on%s().wait\n\treturn x\n}\n",
			letter, result, value, letter, result, letter)
	}
	writeFile(t, filepath.Join(dir, "a.gocoro"), src("A", "int32", "int32(1)"))
	writeFile(t, filepath.Join(dir, "b.gocoro"), src("B", "int64", "int64(1)"))
	// The same offsets in plain Go (a method value where the wait was).
	c := bytes.Replace(src("C", "int16", "int16(1)"), []byte("coroutine func fC() int16 {"), []byte("          func fC() any   {"), 1)
	writeFile(t, filepath.Join(dir, "c.go"), bytes.Replace(c, []byte(".wait"), []byte(".Poll"), 1))
	for run := range 8 {
		res, err := transform.Transform(transform.Config{Command: "corofy"}, []transform.Input{{Path: filepath.Join(dir, "a.gocoro")}, {Path: filepath.Join(dir, "b.gocoro")}})
		if err != nil {
			t.Fatalf("run %d: Transform: %v", run, err)
		}
		for i, want := range []string{`fut1\s+runtime\.Future\[int32\]`, `fut1\s+runtime\.Future\[int64\]`} {
			if !regexp.MustCompile(want).Match(res[i].Src) {
				t.Fatalf("run %d: the output of %s has no %q:\n%s", run, res[i].Input, want, res[i].Src)
			}
		}
	}
}
