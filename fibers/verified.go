package fibers

import (
	"go/version"
	"runtime"
	"slices"
	"strings"
)

// Where the Asm backend was verified: the Go releases whose runtime internals
// it depends on (the g field offsets in layout.go, stackGuard in guard_*.go,
// stackPreempt, and the behaviours listed in the package documentation) were
// compared with the ones the assembly was written for, on these systems and
// architectures. This is the one list: the version check of AsmSupported, its
// error messages and the tests all read it. The build constraints of the Asm
// files (asm.go, layout.go, stack.go, context_*.go, switch_*.s, and the
// negation in asm_unsupported.go) must admit exactly these releases;
// TestBuildConstraints checks that they do.
var (
	asmVerifiedGo   = []string{"go1.26", "go1.27"}
	asmVerifiedOS   = []string{"linux", "darwin"}
	asmVerifiedArch = []string{"amd64", "arm64"}
)

// goRelease returns the release ("go1.27") that a runtime.Version string
// such as "go1.27.3", "go1.27rc1", "go1.27.3 X:nodwarf5" or
// "devel go1.27-0123abcd Tue Jan 1 ..." belongs to, or "" if it names none.
func goRelease(v string) string {
	v = strings.TrimPrefix(v, "devel ")
	v, _, _ = strings.Cut(v, " ")
	return version.Lang(v)
}

// asmVerifiedRelease reports whether the Go version v (as runtime.Version
// reports it) belongs to a release the Asm backend was verified for.
func asmVerifiedRelease(v string) bool {
	r := goRelease(v)
	return r != "" && slices.Contains(asmVerifiedGo, r)
}

// asmVerified reports whether the Asm backend was verified for Go version v on
// goos/goarch. Where it was, AsmSupported must return nil (TestAsmSupported).
func asmVerified(goos, goarch, v string) bool {
	return slices.Contains(asmVerifiedOS, goos) && slices.Contains(asmVerifiedArch, goarch) &&
		asmVerifiedRelease(v)
}

// asmVerifiedHere reports whether the Asm backend was verified for the running
// Go version, system and architecture.
func asmVerifiedHere() bool {
	return asmVerified(runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// asmVerifiedGoText returns the verified releases for messages: "Go 1.26",
// "Go 1.26 and 1.27".
func asmVerifiedGoText() string {
	var rs []string
	for _, r := range asmVerifiedGo {
		rs = append(rs, strings.TrimPrefix(r, "go"))
	}
	return "Go " + joinAnd(rs)
}

// asmVerifiedText returns everything verified, for messages: "linux and
// darwin, amd64 and arm64, Go 1.26 and 1.27".
func asmVerifiedText() string {
	return joinAnd(asmVerifiedOS) + ", " + joinAnd(asmVerifiedArch) + ", " + asmVerifiedGoText()
}

// joinAnd joins "a", "b", "c" as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
