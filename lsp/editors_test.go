package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestVSCodeGrammar checks the VS Code extension's injection grammar: its
// patterns (written in the subset of Oniguruma that Go's regexp shares)
// mark the words coroutine and wait where they are the language's, and
// nothing else; and every file package.json names exists.
func TestVSCodeGrammar(t *testing.T) {
	dir := filepath.Join("..", "editors", "vscode")
	var grammar struct {
		InjectionSelector string
		Patterns          []struct {
			Match    string
			Captures map[string]struct{ Name string }
		}
	}
	readJSON(t, filepath.Join(dir, "syntaxes", "gocoro.injection.tmLanguage.json"), &grammar)
	tests := []struct {
		line string
		want []string // the text marked as keywords of .gocoro
	}{
		{"coroutine func F() int {", []string{"coroutine"}},
		{"coroutine  func (c *T) M() {", []string{"coroutine"}},
		{"\tn := f(x).wait", []string{"wait"}},
		{"\ta, b := g().wait + h.\twait", []string{"wait", "wait"}},
		{"\tx.waiting = coroutines", nil},
		{"\tcoroutine := 1; waitGroup.Wait()", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range grammar.Patterns {
			rx, err := regexp.Compile(p.Match)
			if err != nil {
				t.Fatalf("pattern %q does not compile: %v", p.Match, err)
			}
			for _, m := range rx.FindAllStringSubmatchIndex(tt.line, -1) {
				for group, c := range p.Captures {
					k := int(group[0] - '0')
					if regexp.MustCompile(`\.gocoro$`).MatchString(c.Name) {
						got = append(got, tt.line[m[2*k]:m[2*k+1]])
					}
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("the grammar marks %q in %q, want %q", got, tt.line, tt.want)
		}
	}

	var pkg struct {
		Main        string
		Contributes struct {
			Languages []struct{ Configuration string }
			Grammars  []struct{ Path string }
		}
	}
	readJSON(t, filepath.Join(dir, "package.json"), &pkg)
	paths := []string{pkg.Main}
	for _, l := range pkg.Contributes.Languages {
		paths = append(paths, l.Configuration)
	}
	for _, g := range pkg.Contributes.Grammars {
		paths = append(paths, g.Path)
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("package.json names %s: %v", p, err)
		}
	}
	readJSON(t, filepath.Join(dir, "language-configuration.json"), new(any))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
