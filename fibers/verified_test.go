package fibers

import (
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestGoRelease(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"go1.26", "go1.26"},
		{"go1.26.8", "go1.26"},
		{"go1.27rc1", "go1.27"},
		{"go1.27.3 X:nodwarf5", "go1.27"},
		{"devel go1.28-0123abcd Tue Jan 5 10:00:00 2027 +0000", "go1.28"},
		{"go1.260", "go1.260"}, // not go1.26
		{"devel +0123abcd", ""},
		{"", ""},
	} {
		if got := goRelease(tc.in); got != tc.want {
			t.Errorf("goRelease(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if r := goRelease(runtime.Version()); r == "" {
		t.Errorf("goRelease(runtime.Version() = %q) = \"\", want a release", runtime.Version())
	}
}

func TestJoinAnd(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := joinAnd(tc.in); got != tc.want {
			t.Errorf("joinAnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestBuildConstraints checks that the build constraints of the files gated
// on the Go version (asm.go, layout.go, ...) select the Asm backend exactly
// for the releases, systems and architectures in verified.go, and
// asm_unsupported.go everywhere else: for every listed release, the one
// before the first and the one after the last.
func TestBuildConstraints(t *testing.T) {
	minor := func(r string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(r, "go1."))
		if err != nil || !strings.HasPrefix(r, "go1.") {
			t.Fatalf("verified release %q is not go1.N", r)
		}
		return n
	}
	var releases []int
	for _, r := range asmVerifiedGo {
		releases = append(releases, minor(r))
	}
	releases = append(releases, slices.Min(releases)-1, slices.Max(releases)+1)
	arches := []string{"amd64", "arm64", "386", "riscv64"}
	systems := []string{"linux", "darwin", "windows", "freebsd"}

	names, err := filepath.Glob("*.[gs]*")
	if err != nil {
		t.Fatal(err)
	}
	gated := 0
	for _, name := range names {
		if !strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, ".s") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(src), "\n")
		if !strings.HasPrefix(line, "//go:build ") || !strings.Contains(line, "go1.") {
			continue // not gated on the Go version
		}
		gated++
		// An architecture in the file name (context_amd64.go) restricts it
		// further; only that architecture is evaluated.
		base := strings.TrimSuffix(strings.TrimSuffix(name, filepath.Ext(name)), "_test")
		fileArches := arches
		for _, a := range arches {
			if strings.HasSuffix(base, "_"+a) {
				fileArches = []string{a}
			}
		}
		for _, n := range releases {
			var tags []string
			for i := 1; i <= n; i++ {
				tags = append(tags, fmt.Sprintf("go1.%d", i))
			}
			release := fmt.Sprintf("go1.%d", n)
			for _, goos := range systems {
				for _, goarch := range fileArches {
					ctxt := build.Default
					ctxt.GOOS, ctxt.GOARCH, ctxt.ReleaseTags = goos, goarch, tags
					ctxt.BuildTags, ctxt.CgoEnabled = nil, false
					match, err := ctxt.MatchFile(".", name)
					if err != nil {
						t.Fatal(err)
					}
					want := asmVerified(goos, goarch, release+".1")
					if name == "asm_unsupported.go" {
						want = !want
					}
					if match != want {
						t.Errorf("%s (%s) is built for %s on %s/%s: %v, want %v (verified: %s)",
							name, line, release, goos, goarch, match, want, asmVerifiedText())
					}
				}
			}
		}
	}
	if gated < 2 {
		t.Fatalf("found %d files gated on the Go version, want asm.go, asm_unsupported.go and more", gated)
	}
}
