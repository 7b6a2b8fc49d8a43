package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"golang.org/x/tools/txtar"
)

// TestREADMESetup: the commands of README.md's "Using corofy in your
// module" are those that testdata/script/setup.txtar runs between its
// "# README begin" and "# README end" lines (its exec lines without the
// exec, and its mkdir and cd lines; the other lines check results), in
// the same order, and the section shows the script's hello/ files as they
// are. The README's command block is its ```sh block; comments and blank
// lines in it are left out of the comparison.
func TestREADMESetup(t *testing.T) {
	readme, err := os.ReadFile(testmod.Root() + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Using corofy in your module\n")
	if !ok {
		t.Fatal(`README.md has no "## Using corofy in your module" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatal("README.md's section \"Using corofy in your module\" has no ```sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	var readmeCmds []string
	for line := range strings.Lines(block) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			readmeCmds = append(readmeCmds, line)
		}
	}

	ar, err := txtar.ParseFile(testmod.Root() + "/testdata/script/setup.txtar")
	if err != nil {
		t.Fatal(err)
	}
	_, script, ok := strings.Cut(string(ar.Comment), "\n# README begin\n")
	if !ok {
		t.Fatal(`setup.txtar has no "# README begin" line`)
	}
	script, _, ok = strings.Cut(script, "\n# README end\n")
	if !ok {
		t.Fatal(`setup.txtar has no "# README end" line`)
	}
	var scriptCmds []string
	for line := range strings.Lines(script) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "exec "):
			scriptCmds = append(scriptCmds, strings.TrimPrefix(line, "exec "))
		case strings.HasPrefix(line, "mkdir "), strings.HasPrefix(line, "cd "):
			scriptCmds = append(scriptCmds, line)
		}
	}
	if len(scriptCmds) == 0 {
		t.Fatal("setup.txtar runs no command between # README begin and # README end")
	}
	if !slices.Equal(readmeCmds, scriptCmds) {
		t.Errorf("README.md's commands differ from those of setup.txtar:\n\t%s\nsetup.txtar:\n\t%s",
			strings.Join(readmeCmds, "\n\t"), strings.Join(scriptCmds, "\n\t"))
	}

	files := 0
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "hello/") {
			continue
		}
		files++
		if !strings.Contains(section, "```go\n"+string(f.Data)+"```\n") {
			t.Errorf("README.md's section \"Using corofy in your module\" has no ```go block equal to %s of setup.txtar:\n%s", f.Name, f.Data)
		}
	}
	if files == 0 {
		t.Error("setup.txtar has no hello/ files")
	}
}
