// Command measure prints what each of the four models of ch02-models costs,
// measured in one run, as a Markdown table (Linux: it reads /proc):
//
//	go run ./examples/ch02-models/measure
//
// For each model it runs two fresh child processes (itself again), so that
// one model's threads, stacks or timers do not weigh on the next:
//
//   - the book's program with the book's delays, output discarded: its wall
//     time;
//   - 1,000 tasks of the model waiting 2 s at once (the model's Park
//     function): after a GC while all wait, how much the resident set
//     (VmRSS) and Go's heap and stacks in use grew, per task; the OS
//     threads of the process; and the OS context switches per task, from the
//     start of the tasks to their end (getrusage: voluntary and involuntary,
//     every thread of the process, the Go runtime's own included).
//
// It also counts the lines of code of each model's program: the non-blank,
// non-comment lines of the declarations its file uses to run the book's
// program (not the Park functions), and for the coroutines the lines corofy
// generated from them.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/corofy/corofy/examples/ch02-models/models"
	cparser "github.com/corofy/corofy/parser"
)

// model is one of the four: its program, its Park, and its source file.
type model struct {
	name string
	run  func(io.Writer, models.Delays)
	park func(n int, d time.Duration, parked func())
	file string
}

var all = []model{
	{"threads", models.Threads, models.ParkThreads, "threads.go"},
	{"fibers", models.Fibers, models.ParkFibers, "fibers.go"},
	{"callbacks", models.Callbacks, models.ParkCallbacks, "callbacks.go"},
	{"coroutines", models.Coroutines, models.ParkCoroutines, "coroutines.gocoro"},
}

const (
	parkTasks = 1000
	parkDelay = 2 * time.Second
)

// result is what a child measures.
type result struct {
	Wall        time.Duration `json:",omitempty"`
	RSSPerTask  float64       `json:",omitempty"`
	GoPerTask   float64       `json:",omitempty"`
	Threads     int           `json:",omitempty"`
	SwitchesPer float64       `json:",omitempty"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("measure: ")
	child := flag.String("child", "", "internal: measure `kind:model` in this process")
	flag.Parse()
	if *child != "" {
		kind, name, _ := strings.Cut(*child, ":")
		measureChild(kind, find(name))
		return
	}
	dir := sourceDir()
	fmt.Printf("%s/%s, %s, %d CPUs\n\n", goruntime.GOOS, goruntime.GOARCH, goruntime.Version(), goruntime.NumCPU())
	fmt.Printf("| model | lines of code | book program: wall time | %d waiting tasks: resident per task | Go heap+stacks per task | OS threads | OS switches per task |\n", parkTasks)
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, m := range all {
		prog := runChild("program", m.name)
		park := runChild("park", m.name)
		fmt.Printf("| %s | %s | %.0f ms | %.0f B | %.0f B | %d | %.2f |\n",
			m.name, linesOfCode(dir, m), float64(prog.Wall)/float64(time.Millisecond),
			park.RSSPerTask, park.GoPerTask, park.Threads, park.SwitchesPer)
	}
}

func find(name string) model {
	for _, m := range all {
		if m.name == name {
			return m
		}
	}
	log.Fatalf("no model %q", name)
	return model{}
}

// runChild runs this program again with -child=kind:name and decodes what
// it measured.
func runChild(kind, name string) result {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	out, err := exec.Command(self, "-child="+kind+":"+name).Output()
	if err != nil {
		log.Fatalf("child %s:%s: %v", kind, name, err)
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		log.Fatalf("child %s:%s printed %q: %v", kind, name, out, err)
	}
	return r
}

// measureChild measures one model in this fresh process and prints the
// result as JSON.
func measureChild(kind string, m model) {
	var r result
	switch kind {
	case "program":
		start := time.Now()
		m.run(io.Discard, models.BookDelays)
		r.Wall = time.Since(start)
	case "park":
		goruntime.GC()
		rss0, go0 := memory()
		sw0 := switches()
		m.park(parkTasks, parkDelay, func() {
			goruntime.GC()
			rss1, go1 := memory()
			r.RSSPerTask = float64(rss1-rss0) / parkTasks
			r.GoPerTask = float64(go1-go0) / parkTasks
			r.Threads = threads()
		})
		r.SwitchesPer = float64(switches()-sw0) / parkTasks
	default:
		log.Fatalf("no measure %q", kind)
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		log.Fatal(err)
	}
}

// switches returns the process's context switches so far.
func switches() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return int64(ru.Nvcsw + ru.Nivcsw)
}

// memory returns the resident set (/proc/self/statm) and Go's heap spans
// and goroutine stacks in use.
func memory() (rss, goBytes int64) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		log.Fatal(err)
	}
	pages, err := strconv.ParseInt(strings.Fields(string(data))[1], 10, 64)
	if err != nil {
		log.Fatal(err)
	}
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return pages * int64(os.Getpagesize()), int64(ms.HeapInuse + ms.StackInuse)
}

// threads returns the number of OS threads of the process.
func threads() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	log.Fatal("no Threads line in /proc/self/status")
	return 0
}

// sourceDir returns the directory of package models' source.
func sourceDir() string {
	_, file, _, ok := goruntime.Caller(0)
	if !ok {
		log.Fatal("cannot find the source directory")
	}
	return filepath.Join(filepath.Dir(file), "..", "models")
}

// linesOfCode counts the lines of m's program in its file, and for the
// coroutines those corofy generated from them.
func linesOfCode(dir string, m model) string {
	n := countLines(dir, m.file)
	if !strings.HasSuffix(m.file, ".gocoro") {
		return strconv.Itoa(n)
	}
	gen := countLines(dir, strings.TrimSuffix(m.file, ".gocoro")+"_corofied.go")
	return fmt.Sprintf("%d (%d generated)", n, gen)
}

// countLines counts the non-blank lines that hold code in the top-level
// declarations of file, leaving out the Park functions and what only they
// use (names starting with park or sleeper, any case) and the import block.
func countLines(dir, file string) int {
	path := filepath.Join(dir, file)
	src, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fset := token.NewFileSet()
	var f *ast.File
	if strings.HasSuffix(file, ".gocoro") {
		cf, err := cparser.ParseFile(fset, path, src)
		if err != nil {
			log.Fatal(err)
		}
		f = cf.AST
	} else if f, err = parser.ParseFile(fset, path, src, parser.ParseComments); err != nil {
		log.Fatal(err)
	}
	// Lines holding a token of a counted declaration (unadjusted: generated
	// code has line directives).
	code := map[int]bool{}
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT || parkOnly(d) {
			continue
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if n != nil {
				code[fset.PositionFor(n.Pos(), false).Line] = true
				code[fset.PositionFor(n.End(), false).Line] = true
			}
			return true
		})
	}
	return len(code)
}

// parkOnly reports whether d declares something only the Park functions use.
func parkOnly(d ast.Decl) bool {
	var name string
	switch d := d.(type) {
	case *ast.FuncDecl:
		name = d.Name.Name
		if d.Recv != nil && len(d.Recv.List) == 1 {
			name = types(d.Recv.List[0].Type) + name
		}
	case *ast.GenDecl:
		if ts, ok := d.Specs[0].(*ast.TypeSpec); ok {
			name = ts.Name.Name
		}
	}
	name = strings.ToLower(name)
	return strings.HasPrefix(name, "park") || strings.HasPrefix(name, "sleeper")
}

// types returns the name of a receiver's type.
func types(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}
