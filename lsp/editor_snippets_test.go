package lsp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/corofy/corofy/internal/testmod"
	"golang.org/x/tools/txtar"
)

// TestEditorSnippets runs the editor set-ups of README.md's "Editors"
// section, as a user copies them, in the editors they are for, where those
// editors are installed (.ci/run installs Debian's neovim and emacs-nox):
// each opens app/main.gocoro of testdata/editors/workspace.txtar, headless,
// with corofy lsp (this repository's) and the test's gopls on PATH, and the
// diagnostics it shows and the hover it gets must be those the archive's
// checks say, at the lines and columns they say. The editors are driven by
// testdata/editors/driver.lua and driver.el. An editor that is not
// installed is skipped, saying so.
//
// A set-up is the fenced block that follows a line
// "<!-- editor-snippet: NAME -->" in README.md.
func TestEditorSnippets(t *testing.T) {
	gopls := findGoplsForTest(t)
	snippets := readmeSnippets(t)
	for _, name := range []string{"nvim-0.11", "nvim-0.7", "emacs", "helix"} {
		if snippets[name] == "" {
			t.Fatalf("README.md has no editor snippet %s", name)
		}
	}
	corofy := corofyCommand(t)
	archive := filepath.Join("testdata", "editors", "workspace.txtar")
	checks := editorChecks(t, archive)

	// run runs argv in a new workspace with a home of its own, whose files
	// (relative to that home) are written first, and returns the home.
	run := func(t *testing.T, files map[string]string, argv ...string) (home, out string) {
		t.Helper()
		ws := newWorkspace(t, archive)
		home = t.TempDir()
		for name, data := range files {
			p := filepath.Join(home, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = ws
		cmd.WaitDelay = 10 * time.Second
		ownProcessGroup(cmd)
		cmd.Env = append(testmod.Env(),
			"PATH="+filepath.Dir(corofy)+string(filepath.ListSeparator)+filepath.Dir(gopls)+string(filepath.ListSeparator)+os.Getenv("PATH"),
			"GOPLS_TEST=1",
			"HOME="+home,
			"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
			"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
			"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
			"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
			"COROFY_TEST_OUT="+filepath.Join(home, "out"),
			"COROFY_TEST_WANT="+strings.Join(checks.messages(), "\n"),
			"COROFY_TEST_HOVER="+fmt.Sprintf("%d:%d", checks.hover.pos.Line, checks.hover.pos.Character),
			"COROFY_TEST_INIT="+filepath.Join(home, ".emacs.d", "init.el"),
		)
		start := time.Now()
		b, err := cmd.CombinedOutput()
		t.Logf("%s: %.1fs", strings.Join(argv, " "), time.Since(start).Seconds())
		// Before the home is removed: the editor's servers may outlive it.
		waitProcessGroup(t, cmd, 30*time.Second)
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, b)
		}
		return home, string(b)
	}

	t.Run("neovim", func(t *testing.T) {
		nvim := lookEditor(t, "nvim", "apt-get install neovim; .ci/run does")
		version := editorVersion(t, nvim, "--version")
		t.Logf("%s", version)
		m := regexp.MustCompile(`^NVIM v(\d+)\.(\d+)`).FindStringSubmatch(version)
		if m == nil {
			t.Fatalf("nvim --version says %q", version)
		}
		var major, minor int
		fmt.Sscan(m[1]+" "+m[2], &major, &minor)
		name := "nvim-0.11"
		switch {
		case major == 0 && minor < 7:
			t.Skipf("%s: the README's set-ups need Neovim 0.7 or later", version)
		case major == 0 && minor < 11:
			name = "nvim-0.7"
		}
		t.Logf("README's %s snippet", name)
		driver, err := filepath.Abs(filepath.Join("testdata", "editors", "driver.lua"))
		if err != nil {
			t.Fatal(err)
		}
		home, out := run(t, map[string]string{".config/nvim/init.lua": snippets[name]},
			nvim, "--headless", filepath.Join("app", "main.gocoro"), "-c", "luafile "+driver)
		checks.verify(t, home, out, "filetype\tgocoro")
	})

	t.Run("emacs", func(t *testing.T) {
		emacs := lookEditor(t, "emacs", "apt-get install emacs-nox, and on Emacs 28 elpa-eglot; .ci/run does")
		t.Logf("%s", editorVersion(t, emacs, "--version"))
		driver, err := filepath.Abs(filepath.Join("testdata", "editors", "driver.el"))
		if err != nil {
			t.Fatal(err)
		}
		home, out := run(t, map[string]string{".emacs.d/init.el": snippets["emacs"]},
			emacs, "--batch", "-l", driver, filepath.Join("app", "main.gocoro"))
		checks.verify(t, home, out, "mode\tgocoro-mode")
	})

	t.Run("helix", func(t *testing.T) {
		// Helix has no headless mode: only that it reads the set-up and
		// finds corofy for .gocoro files is checked.
		hx, err := exec.LookPath("hx")
		if err != nil {
			hx = lookEditor(t, "helix", "no Debian 12 package; see https://docs.helix-editor.com/install.html")
		}
		t.Logf("%s", editorVersion(t, hx, "--version"))
		_, out := run(t, map[string]string{".config/helix/languages.toml": snippets["helix"]}, hx, "--health", "gocoro")
		if !strings.Contains(out, corofy) {
			t.Errorf("hx --health gocoro does not name %s:\n%s", corofy, out)
		}
	})
}

// readmeSnippets returns the editor snippets of README.md by name.
func readmeSnippets(t *testing.T) map[string]string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(testmod.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rx := regexp.MustCompile("(?m)^<!-- editor-snippet: (\\S+) -->\n```\\w*\n((?s:.*?))^```\n")
	snippets := map[string]string{}
	for _, m := range rx.FindAllStringSubmatch(string(readme), -1) {
		if _, dup := snippets[m[1]]; dup {
			t.Fatalf("README.md has two editor snippets %s", m[1])
		}
		snippets[m[1]] = m[2]
	}
	if n := strings.Count(string(readme), "<!-- editor-snippet:"); n != len(snippets) {
		t.Fatalf("README.md has %d editor-snippet markers, %d of them followed by a fenced block", n, len(snippets))
	}
	return snippets
}

func lookEditor(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (%s)", name, install)
	}
	return p
}

func editorVersion(t *testing.T, editor string, args ...string) string {
	t.Helper()
	out, err := exec.Command(editor, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", editor, strings.Join(args, " "), err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}

// An editorCheck is a diag or hover line of workspace.txtar's checks.
type editorCheck struct {
	line string   // as in the archive
	pos  Position // of the needle's "|"
	rest string   // the text of the line from pos
	want string   // the message, or what the hover holds
}

type editorChecksT struct {
	diags []editorCheck
	hover editorCheck
}

func editorChecks(t *testing.T, archive string) editorChecksT {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range ar.Files {
		files[f.Name] = string(f.Data)
	}
	var cs editorChecksT
	for line := range strings.Lines(files["checks"]) {
		line = strings.TrimSpace(line)
		args, err := splitArgs(line)
		if err != nil || len(args) != 4 || args[1] != "app/main.gocoro" {
			t.Fatalf("checks: %q: want diag|hover app/main.gocoro NEEDLE WANT", line)
		}
		c := editorCheck{line: line, want: args[3]}
		txt := files[args[1]]
		needle := args[2]
		k := strings.Index(needle, "|")
		i := strings.Index(txt, needle[:k]+needle[k+1:])
		if k < 0 || i < 0 {
			t.Fatalf("checks: %q: needle not in %s", line, args[1])
		}
		before := txt[:i+k]
		lineStart := strings.LastIndex(before, "\n") + 1
		c.pos = Position{Line: strings.Count(before, "\n"), Character: len(utf16.Encode([]rune(before[lineStart:])))}
		c.rest, _, _ = strings.Cut(txt[i+k:], "\n")
		switch args[0] {
		case "diag":
			cs.diags = append(cs.diags, c)
		case "hover":
			cs.hover = c
		default:
			t.Fatalf("checks: %q: want diag or hover", line)
		}
	}
	if len(cs.diags) == 0 || cs.hover.want == "" {
		t.Fatal("checks: want diag lines and a hover line")
	}
	return cs
}

func (cs editorChecksT) messages() []string {
	var ms []string
	for _, c := range cs.diags {
		ms = append(ms, c.want)
	}
	return ms
}

// verify checks what a driver wrote to home/out: the line first, then each
// diag and the hover of cs. output is the editor's output, for messages.
func (cs editorChecksT) verify(t *testing.T, home, output, first string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(home, "out"))
	if err != nil {
		t.Fatalf("the driver wrote nothing: %v; the editor's output:\n%s", err, output)
	}
	got := string(data)
	t.Logf("the driver wrote:\n%s", got)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if reason, ok := strings.CutPrefix(lines[0], "skip\t"); ok {
		t.Skip(reason)
	}
	if lines[0] != first {
		t.Errorf("the driver's first line is %q, want %q (the README's set-up did not give .gocoro files their mode)", lines[0], first)
	}
	for _, c := range cs.diags {
		var at []string
		for _, l := range lines {
			f := strings.SplitN(l, "\t", 4)
			if len(f) == 4 && f[0] == "diag" && strings.Contains(f[3], c.want) {
				at = append(at, f[1]+": "+f[2])
			}
		}
		want := fmt.Sprintf("%d: %s", c.pos.Line+1, c.rest)
		if len(at) != 1 || at[0] != want {
			t.Errorf("%s: diagnostics with that message at %q, want one at line %s; the editor saw:\n%s\nits output:\n%s", c.line, at, want, got, output)
		}
	}
	var hovers []string
	for _, l := range lines {
		if h, ok := strings.CutPrefix(l, "hover\t"); ok {
			hovers = append(hovers, h)
		}
	}
	if len(hovers) != 1 || !strings.Contains(hovers[0], cs.hover.want) {
		t.Errorf("%s: hover %q; the editor saw:\n%s\nits output:\n%s", cs.hover.line, hovers, got, output)
	}
}
