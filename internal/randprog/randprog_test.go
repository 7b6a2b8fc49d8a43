package randprog

import (
	"bytes"
	"flag"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"

	cparser "github.com/corofy/corofy/parser"
)

var genN = flag.Int("gen.n", 30, "number of seeds TestGenerateTypeChecks checks per feature set")

func TestGenerateDeterministic(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		for _, f := range []Features{0, Supported(), All()} {
			a, b := Generate(seed, f), Generate(seed, f)
			if !bytes.Equal(a.Main, b.Main) {
				t.Fatalf("seed %d, features %s: two programs differ", seed, f)
			}
		}
	}
	if bytes.Equal(Generate(1, Supported()).Main, Generate(2, Supported()).Main) {
		t.Fatal("seeds 1 and 2 give the same program")
	}
}

func TestHelpersAreTheE2EHelpers(t *testing.T) {
	want, err := os.ReadFile("../../testdata/e2e/common.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := Generate(1, 0).Helpers; !bytes.Equal(got, want) {
		t.Fatal("common.go.txt differs from testdata/e2e/common.go.txt: copy it again")
	}
}

func TestParseFeatures(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Features
	}{
		{"", 0},
		{"none", 0},
		{"all", All()},
		{"supported", Supported()},
		{"supported,WaitsInIf", Supported() | WaitsInIf},
		{"all,-generics, -MultiResults", All() &^ (Generics | MultiResults)},
		{Supported().String(), Supported()},
		{All().String(), All()},
	} {
		got, err := ParseFeatures(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseFeatures(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseFeatures("WaitsInNothing"); err == nil {
		t.Error("ParseFeatures accepted an unknown name")
	}
	if Supported()&^All() != 0 || All().Count() != len(Names()) {
		t.Error("Supported or All is wrong")
	}
}

// TestGenerateTypeChecks checks that programs are well-typed .gocoro
// (their reference form type-checks) for several feature sets, and that
// each construct of the features appears in some program.
func TestGenerateTypeChecks(t *testing.T) {
	if testing.Short() {
		*genN = 20
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	helpers, err := parser.ParseFile(fset, HelperFile, Generate(1, 0).Helpers, 0)
	if err != nil {
		t.Fatal(err)
	}
	type set struct {
		f Features
		n int
	}
	sets := []set{{0, *genN}, {Supported(), *genN}, {All() &^ MultiResults, *genN}}
	for _, f := range Names() {
		x, _ := ParseFeatures(f)
		if x != MultiResults { // the parser rejects several results for now
			sets = append(sets, set{Supported() | x, max(*genN/6, 1)})
		}
	}
	// Seeds that once gave a program that did not type-check.
	all, _ := ParseFeatures("all,-RangeFuncWaits")
	regressions := []int64{
		42003290, // a trickyName n1 (var n1 [5]int), then the generated n1 (const n1 = len(n1))
	}
	type run struct {
		f     Features
		seeds []int64
	}
	var runs []run
	for _, s := range sets {
		r := run{f: s.f}
		for seed := int64(1); seed <= int64(s.n); seed++ {
			r.seeds = append(r.seeds, seed)
		}
		runs = append(runs, r)
	}
	runs = append(runs, run{all, regressions})
	for _, r := range runs {
		features := r.f
		for _, seed := range r.seeds {
			p := Generate(seed, features)
			pf, err := cparser.ParseFile(fset, MainFile, p.Main)
			if err != nil {
				t.Fatalf("seed %d, features %s: %v\n%s", seed, features, err, numbered(p.Main))
			}
			var errs []string
			conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.Error()) }}
			if _, err := conf.Check("main", fset, []*ast.File{pf.AST, helpers}, nil); err != nil {
				t.Fatalf("seed %d, features %s: does not type-check:\n%s\n%s", seed, features, strings.Join(errs, "\n"), numbered(p.Main))
			}
		}
	}
}

func numbered(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		b.WriteString(strings.TrimSpace(strings.Repeat(" ", 4)+itoa3(i+1)) + "\t" + line + "\n")
	}
	return b.String()
}

func itoa3(n int) string {
	s := []byte("   ")
	for i := 2; i >= 0 && n > 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}
