package lsp

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corofy/corofy/internal/testmod"
)

// bigGocoro returns a .gocoro file of about lines lines: pairs of
// coroutines, the second waiting twice on the first, and probe, where the
// benchmarks edit, hover and complete.
func bigGocoro(lines int) string {
	var b strings.Builder
	b.WriteString("package big\n\n")
	n := 0
	for i := 0; strings.Count(b.String(), "\n") < lines-8; i++ {
		fmt.Fprintf(&b, "// leaf%d adds %d.\ncoroutine func leaf%d(x int) int {\n\treturn x + %d\n}\n\n", i, i, i, i)
		fmt.Fprintf(&b, "coroutine func step%d(x int) int {\n\ta := leaf%d(x).wait\n\tb := leaf%d(a).wait\n\treturn a * b\n}\n\n", i, i, i)
		n = i
	}
	fmt.Fprintf(&b, "coroutine func probeStep(x int) int {\n\treturn step%d(x).wait\n}\n\n", n/2)
	b.WriteString("coroutine func probe() int {\n\ttotal := probeStep(1).wait\n\treturn total\n}\n")
	return b.String()
}

// BenchmarkLatency measures, on a 2,000-line .gocoro file, the time corofy
// lsp takes to publish the diagnostics of edits, and to answer a hover
// and a completion, against gopls alone on the equivalent plain Go file
// (the .gocoro's lowering, as a .go file), in the same run: both servers
// are started and warmed up first, and every op is done by one, then the
// other (the first one taking turns), so that the load of the machine
// weighs on both alike. Each sub-benchmark reports the mean time of an op
// of each server (corofy-lsp-ns/op, gopls-ns/op) and their ratio; ns/op is
// their sum.
//
// With COROFY_LSP_BENCH_RELAY=1 in the environment, a relay (see TestMain)
// takes the place of corofy lsp, in front of gopls on the plain Go file:
// it copies bytes both ways and does nothing else, so its ratio is what
// an extra process on the way costs by itself.
//
// With COROFY_LSP_CPUPROFILE=file in the environment, corofy lsp writes a
// CPU profile of itself (warm-up included) to file when the benchmark
// ends (use -count 1: each run overwrites it).
//
// diagnostics-go and hover-go are the same in a .go file of the package,
// which corofy lsp passes to gopls as it is: the cost of the proxy itself,
// an extra process on the way.
//
// An op of diagnostics is two edits in a row, one adding a type error and
// one removing it, each until its diagnostics come, after a pause (not
// timed) long enough for corofy lsp to check the last edit with its own
// parser (see checkLater) before the other server's op starts.
func BenchmarkLatency(b *testing.B) {
	src := bigGocoro(2000)
	goSrc := string(lower("big.gocoro", []byte(src)).goSrc)
	gopls := findGoplsForTest(b)
	type server struct {
		name, file string
		c          *client
		params     positionParams
		goParams   positionParams // in plain.go
	}
	servers := []*server{{name: "corofy-lsp", file: "big/big.gocoro"}, {name: "gopls", file: "big/big.go"}}
	hasError := func(ds []Diagnostic) bool {
		return slices.ContainsFunc(ds, func(d Diagnostic) bool { return strings.Contains(d.Message, "mismatched types") })
	}
	// edits makes the two edits of an op of diagnostics in file: old
	// becomes old+` + "x"`, and back.
	edits := func(s *server, file, old string) {
		s.c.change(file, old, 0, old+` + "x"`)
		s.c.waitDiagnostics(file, hasError)
		s.c.change(file, old+` + "x"`, 0, old)
		s.c.waitDiagnostics(file, func(ds []Diagnostic) bool { return !hasError(ds) })
	}
	if os.Getenv("COROFY_LSP_BENCH_RELAY") != "" {
		servers[0].name, servers[0].file = "relay", "big/big.go"
	}
	for _, s := range servers {
		dir := testmod.New(b)
		path := filepath.Join(dir, s.file)
		os.MkdirAll(filepath.Dir(path), 0o755)
		text := src
		if s.name != "corofy-lsp" {
			text = goSrc
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "big", "plain.go"), []byte(plainGo), 0o644); err != nil {
			b.Fatal(err)
		}
		switch s.name {
		case "gopls":
			s.c = startServer(b, dir, gopls)
		case "relay":
			self, err := os.Executable()
			if err != nil {
				b.Fatal(err)
			}
			s.c = startServer(b, dir, self, relayArg, gopls)
		default:
			argv := []string{corofyCommand(b), "lsp", "-gopls", gopls}
			if f := os.Getenv("COROFY_LSP_CPUPROFILE"); f != "" {
				argv = append(argv, "-cpuprofile", f)
			}
			s.c = startServer(b, dir, argv...)
		}
		s.c.open(s.file)
		s.c.open("big/plain.go")
		s.params = positionParams{docID{s.c.uri(s.file)}, s.c.at(s.file, "probeStep(1)", 0, len("probe"))}
		s.goParams = positionParams{docID{s.c.uri("big/plain.go")}, s.c.at("big/plain.go", "probe()", 0, len("pro"))}
		// Ready: gopls has loaded the package (a hover has an answer).
		s.c.waitFor("a hover answer", func() bool {
			s.c.mu.Unlock()
			defer s.c.mu.Lock()
			raw, _ := s.c.callRaw("textDocument/hover", s.params)
			return len(raw) > 0 && string(raw) != "null"
		})
	}
	// Warm up: edits and requests until the servers' first-time work
	// (loading, indexing) is behind them.
	for range 20 {
		for _, s := range servers {
			edits(s, s.file, "return total")
			edits(s, "big/plain.go", "return n")
			s.c.callRaw("textDocument/hover", s.params)
			s.c.callRaw("textDocument/completion", s.params)
		}
	}
	time.Sleep(pauseAfterEdits)
	for _, kind := range []string{"diagnostics", "hover", "completion", "diagnostics-go", "hover-go"} {
		b.Run(kind, func(b *testing.B) {
			var took [2]time.Duration
			n := 0
			for b.Loop() {
				for k := range servers {
					i := (k + n) % len(servers)
					s := servers[i]
					start := time.Now()
					switch kind {
					case "diagnostics":
						edits(s, s.file, "return total")
					case "diagnostics-go":
						edits(s, "big/plain.go", "return n")
					case "hover-go":
						if _, rerr := s.c.callRaw("textDocument/hover", s.goParams); rerr != nil {
							b.Fatal(rerr)
						}
					default:
						if _, rerr := s.c.callRaw("textDocument/"+kind, s.params); rerr != nil {
							b.Fatal(rerr)
						}
					}
					took[i] += time.Since(start)
					if strings.HasPrefix(kind, "diagnostics") {
						b.StopTimer()
						time.Sleep(pauseAfterEdits)
						b.StartTimer()
					}
				}
				n++
			}
			for i, s := range servers {
				b.ReportMetric(float64(took[i].Nanoseconds())/float64(n), s.name+"-ns/op")
			}
			b.ReportMetric(float64(took[0])/float64(took[1]), "ratio")
		})
	}
}

// plainGo is a .go file of the package of BenchmarkLatency's file.
const plainGo = `package big

// plain calls a coroutine of the package.
func plain() int {
	n := 1
	_ = probe()
	return n
}
`

// pauseAfterEdits is the pause after each op of BenchmarkLatency's
// diagnostics: longer than corofy lsp's wait for quiet after gopls's
// diagnostics (checkQuiet) and its check of the 2,000 lines.
const pauseAfterEdits = checkQuiet + 50*time.Millisecond

// BenchmarkLower measures the lowering of a 2,000-line .gocoro file, done
// at each edit.
func BenchmarkLower(b *testing.B) {
	src := []byte(bigGocoro(2000))
	for b.Loop() {
		lower("big.gocoro", src)
	}
}

// BenchmarkKeystroke measures what an edit of a 2,000-line .gocoro file
// costs the server before the shadow's change goes to gopls: the edit's
// offsets, the lowering moved, the next state, and the shadow's change.
// An op is two edits, one adding ` + "x"` and one removing it.
func BenchmarkKeystroke(b *testing.B) {
	src := []byte(bigGocoro(2000))
	d := &document{path: "big.gocoro"}
	d.newState(src, 1)
	at := d.st.src.position(strings.Index(string(src), "return total") + len("return total"))
	after := at
	after.Character += len(` + "x"`)
	edits := [][]contentChange{
		{{Range: &Range{at, at}, Text: ` + "x"`}},
		{{Range: &Range{at, after}, Text: ""}},
	}
	for b.Loop() {
		for _, changes := range edits {
			fast := fastEdit(d.st, changes)
			if fast == nil {
				b.Fatal("the edit did not take the fast path")
			}
			prev := d.st
			st, change := d.newStateEdited(fast, prev.version+1)
			if change == nil {
				c := shadowChange(prev, st)
				change = &c
			}
		}
	}
}

// BenchmarkProxy measures the proxy's own work for a request that takes
// one gopls call, in the process, without pipes: the editor's request
// read from its bytes, mapped and written for gopls, and gopls's answer
// read from its bytes, mapped and written for the editor (both writes to
// io.Discard). hover is on a coroutine of BenchmarkLatency's 2,000-line
// .gocoro; hover-go in a .go file, passed through. It is the work that
// BenchmarkLatency's corofy lsp adds to gopls's besides the two crossings
// of an extra process, measured here with warm caches: on the way of a
// real request it runs after gopls has had the CPU, several times slower.
func BenchmarkProxy(b *testing.B) {
	src := []byte(bigGocoro(2000))
	path := filepath.Join(b.TempDir(), "big", "big.gocoro")
	s := &server{
		client:   newConn(strings.NewReader(""), io.Discard),
		log:      log.New(io.Discard, "", 0),
		docs:     map[string]*document{},
		goDocs:   map[string]*goDoc{},
		inflight: map[string]inflightRequest{},
		gopls:    &goplsProc{conn: newConn(strings.NewReader(""), io.Discard)},
	}
	d := &document{path: path, uri: pathToURI(path), shadowPath: shadowPathOf(path), shadowURI: pathToURI(shadowPathOf(path)), owned: true}
	d.newState(src, 1)
	s.docs[path] = d
	at := d.st.src.position(strings.Index(string(src), "probeStep(1)"))
	for _, c := range []struct {
		name, uri string
		answer    string
	}{
		{"hover", d.uri, `{"contents":{"kind":"markdown","value":"` + "```go\\nfunc probeStep(x int) corofyruntime.Future[int]\\n```" + `"},"range":{"start":{"line":` + strconv.Itoa(at.Line) + `,"character":9},"end":{"line":` + strconv.Itoa(at.Line) + `,"character":18}}}`},
		{"hover-go", pathToURI(filepath.Join(filepath.Dir(path), "plain.go")), `{"contents":{"kind":"markdown","value":"` + "```go\\nfunc probe() corofyruntime.Future[int]\\n```" + `"},"range":{"start":{"line":5,"character":5},"end":{"line":5,"character":10}}}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"textDocument":{"uri":%q},"position":{"line":%d,"character":%d}}}`, c.uri, at.Line, at.Character+2)
			resp := []byte(`{"jsonrpc":"2.0","id":`)
			for b.Loop() {
				m, rerr := decodeMessage(req)
				if rerr != nil {
					b.Fatal(rerr)
				}
				s.request(m)
				resp = append(strconv.AppendInt(resp[:len(`{"jsonrpc":"2.0","id":`)], s.gopls.conn.seq, 10), `,"result":`...)
				resp = append(append(resp, c.answer...), '}')
				if m, rerr = decodeMessage(resp); rerr != nil {
					b.Fatal(rerr)
				}
				if !s.gopls.conn.deliver(m) {
					b.Fatal("gopls's answer found no call")
				}
			}
			if len(s.inflight) != 0 {
				b.Fatalf("%d requests are still in flight", len(s.inflight))
			}
		})
	}
}
