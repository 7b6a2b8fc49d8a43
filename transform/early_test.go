package transform

import (
	"errors"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	cparser "github.com/corofy/corofy/parser"
)

const earlySource = `package p

import "fmt"

func plain() int { return 1 }

coroutine func co(n int) int {
	fmt.Println(n)
	return n + plain()
}
`

// TestEarlyCancel: early work that no transform takes stops when
// cancelled, though its decorator waits for an index that never comes
// (with a dot import, the resolver does not guess).
func TestEarlyCancel(t *testing.T) {
	fset := token.NewFileSet()
	src := strings.Replace(earlySource, `import "fmt"`, `import . "fmt"`, 1)
	src = strings.Replace(src, "fmt.Println", "Println", 1)
	pf, err := cparser.ParseFile(fset, "p.gocoro", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	lf := &loadedFile{in: Input{Path: "p.gocoro", Output: "p_corofied.go"}, lowered: pf, fset: fset}
	e := startEarly(Config{LineDirectives: true}, lf, true)
	e.firstPart()
	if len(e.splices) != 1 {
		t.Errorf("early work found %d runs to copy, want 1 (func plain)", len(e.splices))
	}
	e.cancel()
	<-e.done
	if !errors.Is(e.err, errCancelled) {
		t.Errorf("cancelled early work ended with error %v, want %v", e.err, errCancelled)
	}
	e.cancel() // again: nothing happens
}

// TestEarlyNoLeak: when the package does not type-check, the early work
// started while it loaded stops: no goroutine of it is left.
func TestEarlyNoLeak(t *testing.T) {
	_, dir := newTestPackage(t)
	path := filepath.Join(dir, "p.gocoro")
	src := strings.Replace(earlySource, "return n + plain()", `return n + "not a number"`, 1)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Transform(Config{LineDirectives: true}, []Input{{Path: path}})
	if err == nil || !strings.Contains(err.Error(), "mismatched types") {
		t.Fatalf("Transform of a file with a type error: error %v, want mismatched types", err)
	}
	// The goroutine ends once its decorator has had its answer: wait for
	// it, as long as the test may run.
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "startEarly") {
			return
		}
		if time.Until(deadline) < 5*time.Second {
			t.Fatalf("a goroutine of the early work is still running:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEarlyGuesses: the resolver's guesses, checked against the type
// checker's record, decorate the file again where one was wrong, and the
// output is the same whatever the guesses were.
func TestEarlyGuesses(t *testing.T) {
	for _, c := range []struct {
		name    string
		src     string
		again   bool   // a guess is wrong
		contain string // in the output
	}{
		{"imports", earlySource, false, "fmt.Println(c.n)"},
		{"dot import", strings.Replace(strings.Replace(earlySource, `import "fmt"`, `import . "fmt"`, 1), "fmt.Println", "Println", 1), false, "Println(c.n)"},
		{"local named as an import", `package p

import (
	"fmt"

	"github.com/corofy/corofy/runtime"
)

type pair struct{ Sprint int }

coroutine func co() int {
	fmt := pair{Sprint: runtime.Ready(1).wait}
	return fmt.Sprint + runtime.Ready(2).wait
}

var _ = fmt.Sprint
`, true, "return c.fmt2.Sprint + out2"},
		{"package named by its path", `package p

import (
	"github.com/corofy/corofy/runtime"
	"golang.org/x/sys/unix"
)

coroutine func co() int {
	return unix.Getpagesize() + runtime.Ready(1).wait
}
`, false, "c.tmp1 = unix.Getpagesize()"},
		{"package not named by its path", `package p

import (
	"example.com/m/q"

	"github.com/corofy/corofy/runtime"
)

coroutine func co() int {
	return other.N() + runtime.Ready(1).wait
}
`, true, "c.tmp1 = other.N()"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mod, dir := newTestPackage(t)
			if err := os.Mkdir(filepath.Join(mod, "q"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(mod, "q", "q.go"), []byte("package other\n\nfunc N() int { return 2 }\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "p.gocoro")
			if err := os.WriteFile(path, []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			before := redecorations.Load()
			out, err := Transform(Config{}, []Input{{Path: path}})
			if err != nil {
				t.Fatal(err)
			}
			if again := redecorations.Load() > before; again != c.again {
				t.Errorf("decorated again: %v, want %v", again, c.again)
			}
			if !strings.Contains(string(out[0].Src), c.contain) {
				t.Errorf("output does not contain %q:\n%s", c.contain, out[0].Src)
			}
		})
	}
}
