package transform

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

// spliceFiles are a package whose declarations without coroutines test
// the copy as text: comments before, inside, after and between them, one
// between a keyword and its name (not copied), grouped declarations, a dot
// import, an aliased import, an import only plain code uses; in b.gocoro,
// a local variable named runtime next to a use of the runtime package in
// plain code, which makes the restorer rename the runtime's import (the
// file is transformed again without copies).
var spliceFiles = map[string]string{
	"a.gocoro": `package main

import (
	"fmt"
	. "strings"
	str "strconv"

	"github.com/corofy/corofy/runtime"
)

// Version is a constant; the comment is its doc.
const Version = "1" // trailing

/* a floating comment, between declarations */

var (
	a = 1 // a
	b = ToUpper("b")
)

type /* between */ T struct{ n int }

// String has a comment inside.
func (t T) String() string {
	// inside
	return fmt.Sprint(t.n) /* end */
}

// wait waits.
coroutine func wait(n int) int {
	x := runtime.Ready(n).wait
	return x + 1
}

func plainAfter() string { return str.Itoa(3) } // after the coroutine
func     unformatted( ) int {return 1}

func main() {
	fmt.Println(runtime.BlockOn(wait(2)), T{1}, a, b, Version, plainAfter(), unformatted(), twice())
}

// the end
`,
	"b.gocoro": `package main

import "github.com/corofy/corofy/runtime"

func shadow() int {
	runtime := 3
	return runtime
}

func ready() runtime.Future[int] { return runtime.Ready(shadow()) }

coroutine func twice() int {
	return ready().wait * 2
}
`,
	// Runs shorter than a placeholder's name, followed at once by a
	// comment or a coroutine, and a line directive of the file's own in
	// a run: what follows it keeps the positions the directive sets.
	"c.gocoro": `package main

import "github.com/corofy/corofy/runtime"

var short int
// right after a short run
coroutine func third() int {
	return runtime.Ready(short).wait
}

func before() int { return 1 }

//line other.go:100
func moved() int { return 2 }

coroutine func fourth() int { // after a directive of the file's
	return runtime.Ready(moved()).wait
}

var (
	p = 1
) // a group
/* right after */ coroutine func fifth() int { return runtime.Ready(p + third().wait).wait }

type (
	q int
)
// right after a group
coroutine func sixth() q { return runtime.Ready(q(1)).wait }

var s int
// right after a short line
coroutine func seventh() int { return runtime.Ready(s).wait }
`,
}

// TestSpliceSameOutput checks that copying declarations as text gives
// the output the decorator and restorer give, with and without line
// directives, and that the output builds.
func TestSpliceSameOutput(t *testing.T) {
	mod, dir := newTestPackage(t)
	var inputs []Input
	for _, name := range []string{"a.gocoro", "b.gocoro", "c.gocoro"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(spliceFiles[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, Input{Path: path})
	}
	for _, lines := range []bool{true, false} {
		cfg := Config{LineDirectives: lines, Command: "corofy"}
		copied, fallbacks := spliced.Load(), spliceFallbacks.Load()
		with, err := Transform(cfg, inputs)
		if err != nil {
			t.Fatal(err)
		}
		if spliced.Load() == copied {
			t.Fatal("no declaration was copied as text")
		}
		if spliceFallbacks.Load() == fallbacks {
			t.Error("b.gocoro, whose runtime import is renamed, was not transformed again without copies")
		}
		without := transformWhole(t, cfg, inputs)
		for i := range with {
			if !bytes.Equal(with[i].Src, without[i].Src) {
				t.Errorf("line directives %v: %s copied as text differs from its restored output:\n%s", lines, filepath.Base(with[i].Input), lineDiff(without[i].Src, with[i].Src))
			}
			if err := os.WriteFile(with[i].Output, with[i].Src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if out, err := testmod.Go(t, mod, "build", "-o", os.DevNull, "./p"); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
}

// newTestPackage returns a module that requires this one, and the
// directory of its package p.
func newTestPackage(t *testing.T) (mod, dir string) {
	testmod.Setenv(t)
	mod = testmod.New(t)
	dir = filepath.Join(mod, "p")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return mod, dir
}

// transformWhole transforms inputs restoring and formatting each file
// whole, without copies, placeholders or pieces: what the output must be.
func transformWhole(t *testing.T, cfg Config, inputs []Input) []Result {
	noSplicing.Store(true)
	defer noSplicing.Store(false)
	out, err := Transform(cfg, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lineDiff returns the first line where a and b differ, with its number.
func lineDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range max(len(al), len(bl)) {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// TestPipelineGuess checks the machines printed while the next are built
// (chunks.go): where a guessed import name was wrong (syscall, which the
// generated code imports under another name), the file is
// transformed again, and the output is the one of the whole file
// restored at once.
func TestPipelineGuess(t *testing.T) {
	mod, dir := newTestPackage(t)
	src := `package main

import (
	"fmt"
	"os"

	"github.com/corofy/corofy/runtime"
)

var syscall = 3

coroutine func conn() {
	rc, err := os.Stdin.SyscallConn()
	runtime.Ready(1).wait
	fmt.Println(rc != nil, err, syscall)
}

coroutine func plain() int {
	x := runtime.Ready(1).wait
	return x + runtime.Ready(2).wait
}

func main() {
	runtime.BlockOn(conn())
	fmt.Println(runtime.BlockOn(plain()))
}
`
	path := filepath.Join(dir, "main.gocoro")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := []Input{{Path: path}}
	cfg := Config{LineDirectives: true, Command: "corofy"}
	fallbacks := speculationFallbacks.Load()
	with, err := Transform(cfg, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if speculationFallbacks.Load() == fallbacks {
		t.Error("the guess of syscall's import name was not found wrong")
	}
	without := transformWhole(t, cfg, inputs)
	if !bytes.Equal(with[0].Src, without[0].Src) {
		t.Errorf("the output differs from the whole file's restored at once:\n%s", lineDiff(without[0].Src, with[0].Src))
	}
	if err := os.WriteFile(with[0].Output, with[0].Src, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := testmod.Go(t, mod, "run", "./p"); err != nil || string(out) != "true <nil> 3\n3\n" {
		t.Fatalf("go run: %v\n%s", err, out)
	}
}
