package transform

import (
	"go/types"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	cparser "github.com/corofy/corofy/parser"
)

// The runtime's names that generated code uses: the ABI between this
// package and package runtime. Keep in sync with runtime/doc.go; a test
// checks that each exists.
const (
	runtimePath       = cparser.RuntimePath
	rtFuture          = "Future"
	rtWaker           = "Waker"
	rtStateDone       = "StateDone"
	rtStatePoisoned   = "StatePoisoned"
	rtPollError       = "PollError"
	rtMapKeys         = "MapKeys"
	rtDecodeRune      = "DecodeRune"
	rtCopyVar         = "CopyVar"
	rtRunDeferred     = "RunDeferred"
	rtUnwind          = "Unwind"
	machineTypeSuffix = "Coroutine"
)

// DefaultOutput returns the output file corofy writes for the input path:
// x.gocoro -> x_corofied.go, x_test.gocoro -> x_corofied_test.go.
func DefaultOutput(path string) string {
	base := strings.TrimSuffix(path, ".gocoro")
	if strings.HasSuffix(base, "_test") {
		return strings.TrimSuffix(base, "_test") + "_corofied_test.go"
	}
	return base + "_corofied.go"
}

// machineTypeName returns the name of the state machine type of the
// coroutine F (fCoroutine) or of the method T.M (tMCoroutine).
func machineTypeName(recvType, name string) string {
	return lowerFirst(recvType+upperFirst(name)) + machineTypeSuffix
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// namer hands out names that differ from every name in taken.
type namer struct{ taken map[string]bool }

func newNamer() *namer { return &namer{taken: map[string]bool{}} }

// fresh returns base, or base followed by the smallest number >= 2 that is
// free, and reserves it.
func (n *namer) fresh(base string) string {
	name := base
	for i := 2; n.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.taken[name] = true
	return name
}

// first returns the first free name of names, or a fresh one made from
// the first, and reserves it.
func (n *namer) first(names ...string) string {
	for _, name := range names {
		if !n.taken[name] {
			n.taken[name] = true
			return name
		}
	}
	return n.fresh(names[0])
}

// numbered returns base followed by the smallest number >= k that is free
// (fut1, fut2, ...), and reserves it.
func (n *namer) numbered(base string, k int) string {
	name := base + strconv.Itoa(k)
	for ; n.taken[name]; k++ {
		name = base + strconv.Itoa(k) + "_"
	}
	n.taken[name] = true
	return name
}

// relFile returns the name of the input as seen from the directory of the
// output, which is how the compiler resolves a relative //line file name.
func relFile(input, output string) string {
	in, err1 := filepath.Abs(input)
	out, err2 := filepath.Abs(output)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(input)
	}
	rel, err := filepath.Rel(filepath.Dir(out), in)
	if err != nil {
		return filepath.ToSlash(input)
	}
	return filepath.ToSlash(rel)
}

// isBlank reports whether v is nil or the blank identifier's object.
func isBlank(v *types.Var) bool { return v == nil || v.Name() == "_" }
