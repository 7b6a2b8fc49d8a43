package vet

import (
	"cmp"
	"fmt"
	"go/token"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// A Finding is a diagnostic of the analyzer at its position, adjusted by
// the //line directives of generated files: in a coroutine body, a
// position in the .gocoro file.
type Finding struct {
	Pos     token.Position
	Message string
}

// String formats f as go vet does: file:line:col: message.
func (f Finding) String() string { return fmt.Sprintf("%s: %s", f.Pos, f.Message) }

// loadMode is what Analyzer needs of the packages it analyzes. It has no
// facts, so their dependencies come from export data, not from source.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
	packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule

// Check runs Analyzer, as corofy vet does, on the packages that patterns
// name in dir ("" is the current directory), as the go command sees them
// and with their tests. It returns the diagnostics sorted by position,
// each once (a package and its test variant share files), and the errors
// of the packages that could not be loaded or type-checked, which are
// not analyzed. err is an error of the go command or of the driver.
func Check(dir string, patterns ...string) (findings []Finding, pkgErrs []error, err error) {
	cfg := &packages.Config{Mode: loadMode, Dir: dir, Tests: true}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, nil, err
	}
	broken := make(map[*packages.Package]bool)
	seenErr := make(map[string]bool)
	for _, p := range pkgs {
		for _, e := range p.Errors {
			broken[p] = true
			if !seenErr[e.Error()] {
				seenErr[e.Error()] = true
				pkgErrs = append(pkgErrs, e)
			}
		}
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		return nil, pkgErrs, err
	}
	seen := make(map[Finding]bool)
	for _, act := range graph.Roots {
		if act.Err != nil {
			if !broken[act.Package] {
				pkgErrs = append(pkgErrs, fmt.Errorf("%s: %v", act.Package.PkgPath, act.Err))
			}
			continue
		}
		for _, d := range act.Diagnostics {
			f := Finding{act.Package.Fset.Position(d.Pos), d.Message}
			if !seen[f] {
				seen[f] = true
				findings = append(findings, f)
			}
		}
	}
	slices.SortFunc(findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Message, b.Message))
	})
	return findings, pkgErrs, nil
}
