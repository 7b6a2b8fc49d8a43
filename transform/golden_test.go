package transform_test

import (
	"bytes"
	"errors"
	"flag"
	"go/format"
	"go/scanner"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/transform"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/transform")

// TestGolden transforms each testdata/transform/*.txtar case: in.gocoro
// (and any other files of the package) must give out.go and the state
// graph graph.dot (corofy -graph), or the diagnostics in errors. Every
// output is compiled and vetted.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/transform/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	testmod.Setenv(t)
	mod := testmod.New(t)
	var built []string
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			if goldenCase(t, mod, file, name) {
				built = append(built, "./"+name)
			}
		})
	}
	// Compile and vet all outputs at once: one go command is much faster
	// than one per case.
	if len(built) > 0 {
		if out, err := testmod.Go(t, mod, append([]string{"vet"}, built...)...); err != nil {
			t.Fatalf("go vet of the generated code: %v\n%s", err, out)
		}
	}
}

// goldenCase runs one case and reports whether it produced code.
func goldenCase(t *testing.T, mod, file, name string) bool {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(mod, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var wantOut, wantErrs, wantGraph *txtar.File
	for i := range ar.Files {
		f := &ar.Files[i]
		switch f.Name {
		case "out.go":
			wantOut = f
			continue
		case "errors":
			wantErrs = f
			continue
		case "graph.dot":
			wantGraph = f
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := transform.Input{Path: filepath.Join(dir, "in.gocoro"), Output: filepath.Join(dir, "out.go")}
	results, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy in.gocoro"}, []transform.Input{in})
	var got, graph []byte
	if err != nil {
		var list scanner.ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("Transform: %v", err)
		}
		var b bytes.Buffer
		for _, e := range list {
			b.WriteString(testmod.Trim(e.Error(), dir) + "\n")
		}
		got = b.Bytes()
		if wantErrs == nil && !*update {
			t.Fatalf("Transform failed:\n%s", got)
		}
	} else {
		got = results[0].Src
		if err := os.WriteFile(in.Output, got, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := transform.CheckGraphs(results[0].Src, results[0].Graphs, true); err != nil {
			t.Errorf("state graph: %v", err)
		}
		var b bytes.Buffer
		if err := transform.WriteDOT(&b, results[0].Graphs); err != nil {
			t.Fatal(err)
		}
		graph = b.Bytes()
		if wantOut == nil && !*update {
			t.Fatalf("Transform succeeded; the case expects errors:\n%s", wantErrs.Data)
		}
	}
	want := wantOut
	if err != nil {
		want = wantErrs
	}
	if *update {
		updateArchive(t, file, ar, err == nil, got, graph)
		return err == nil
	}
	if !bytes.Equal(got, want.Data) {
		t.Errorf("%s differs from %s (run go test ./transform -update to accept):\n%s", want.Name, file, diff(want.Data, got))
	}
	if err == nil {
		if wantGraph == nil {
			t.Errorf("%s has no graph.dot (run go test ./transform -update)", file)
		} else if !bytes.Equal(graph, wantGraph.Data) {
			t.Errorf("graph.dot differs from %s (run go test ./transform -update to accept):\n%s", file, diff(wantGraph.Data, graph))
		}
		// Graphviz, where installed, must accept the graph.
		if dot, lerr := exec.LookPath("dot"); lerr == nil {
			cmd := exec.Command(dot, "-Tsvg", "-o", os.DevNull)
			cmd.Stdin = bytes.NewReader(graph)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("dot -Tsvg rejects graph.dot: %v\n%s", err, out)
			}
		}
	}
	if err == nil {
		if formatted, ferr := format.Source(got); ferr != nil || !bytes.Equal(formatted, got) {
			t.Errorf("the output is not gofmt-clean (err %v)", ferr)
		}
		// Generating again gives the same bytes.
		again, err := transform.Transform(transform.Config{LineDirectives: true, Command: "corofy in.gocoro"}, []transform.Input{in})
		if err != nil || !bytes.Equal(again[0].Src, got) {
			t.Errorf("second run differs (err %v)", err)
		}
	}
	return err == nil
}

func updateArchive(t *testing.T, file string, ar *txtar.Archive, ok bool, got, graph []byte) {
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name != "out.go" && f.Name != "errors" && f.Name != "graph.dot" {
			files = append(files, f)
		}
	}
	if ok {
		files = append(files, txtar.File{Name: "out.go", Data: got}, txtar.File{Name: "graph.dot", Data: graph})
	} else {
		files = append(files, txtar.File{Name: "errors", Data: got})
	}
	ar.Files = files
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// diff returns the first differing lines of want and got.
func diff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\nwant: " + wl + "\ngot:  " + gl
		}
	}
	return "(identical lines; different line endings?)"
}

func itoa(i int) string { return strconv.Itoa(i) }
