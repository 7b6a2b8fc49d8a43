package transform

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/corofy/corofy/internal/srcfile"
	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// A file's machines are written one at a time, each on its own, while
// the next are built (on the CPUs but the builder's; once all are built,
// on every CPU): a whole file's restored tree, the restorer's maps of
// every node and all the machines' trees alive together were most of
// corofy's memory and time on large files. As soon as a machine is built
// it stands in the file as a placeholder, as a run of copied declarations
// does (see splice), and goes to be written: as Go text straight from its
// trees (see text.go), naming each package as the file will (guessed,
// see guessNames), and its trees go once its text is made. Once every
// machine is built, the file is restored and printed with the
// placeholders, which name the packages the machines use so that the
// file imports them; each machine's text replaces its placeholder, and
// the whole is formatted (see format.go). Where a guessed name was not
// the file's, the file is transformed again, writing the machines once
// the file's import names are known (errSpeculation).
//
// Written on its own, a declaration formats as in the whole file: gofmt's
// choices within a declaration depend on the lines of its own tokens and
// comments, which the writer counts from the declaration's start as the
// restorer does; the spaces between declarations are the placeholder's,
// which takes the machine's first and last declarations'.
// TestSpliceSameOutput, TestPipelineGuess and the goldens compare the
// output with the one of the whole file restored at once, and the tests
// check every machine's text against its restored and printed
// declarations (textCheck).

// A chunk is the declarations of one machine, printed on their own.
type chunk struct {
	m           *machine
	decls       []dst.Decl
	placeholder dst.Decl          // stands for decls in the file
	fill        *splice           // the text that replaces it; names and paths are what decls use
	names       map[string]string // the names of the packages it uses (fill.paths)
	graph       Graph             // the machine's state graph, with graphs
}

// errSpeculation is returned by transformFileSplicing when a machine was
// printed, while the next were built, with a package name other than
// the one the file's imports give it; speculationFallbacks counts the
// files transformed again, printing the machines once all are built.
var (
	errSpeculation       = errors.New("transform: a machine printed before the imports were known names a package otherwise")
	speculationFallbacks atomic.Int64
)

// newChunk returns the chunk of the machine m, the index-th of the file,
// whose declarations are decls: their placeholder stands in the file.
func (ft *fileTransform) newChunk(index int, m *machine, decls []dst.Decl) *chunk {
	c := &chunk{m: m, decls: decls}
	c.fill = &splice{marker: fmt.Sprintf("%sm%d", ft.markerPrefix, index), names: namesInUse{}}
	paths := map[string]bool{}
	for _, d := range decls {
		dst.Inspect(d, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && id.Path == "" {
				c.fill.names[id.Name] = true
			} else if ok {
				paths[id.Path] = true
			}
			return true
		})
	}
	c.fill.paths = slices.Sorted(maps.Keys(paths)) // as referencedPaths
	fd := &dst.FuncDecl{
		Name: dst.NewIdent(c.fill.marker),
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
	}
	fd.Decs.Before = decls[0].Decorations().Before
	fd.Decs.After = decls[len(decls)-1].Decorations().After
	if len(c.fill.paths) > 0 {
		fd.Body = &dst.BlockStmt{}
		for _, p := range c.fill.paths {
			fd.Body.List = append(fd.Body.List, &dst.ExprStmt{X: &dst.Ident{Name: "x", Path: p}})
		}
	}
	c.placeholder = fd
	return c
}

// guessNames returns a function that guesses, before the machines are
// built, the name under which the restored file will import a package:
// the name the file imports it under, or the alias aliases gives it
// looking at the file before the machines are built, or its own name.
// A guess is checked once the file is restored (see errSpeculation).
func (ft *fileTransform) guessNames(lf *loadedFile, df *dst.File, splices []*splice, imports []*ast.ImportSpec) func(paths []string) map[string]string {
	alias := ft.aliases(lf, df, splices)
	resolved := ft.restoreNames(lf)
	imported := importNames(imports, resolved)
	return func(paths []string) map[string]string {
		names := make(map[string]string, len(paths))
		for _, p := range paths {
			if a, ok := alias[p]; ok {
				names[p] = a
			} else if n, ok := imported[p]; ok {
				names[p] = n
			} else {
				names[p] = resolved[p]
			}
		}
		return names
	}
}

// A printPipe prints machines, several at once, while the next are
// built; a nil printPipe prints nothing.
type printPipe struct {
	ft     *fileTransform
	lf     *loadedFile
	pkg    string
	guess  func(paths []string) map[string]string
	graphs bool

	chunks chan *chunk
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex
	err    error
}

// startPrinting starts the printing of the machines of the package pkg
// sent to the pipe (see send), with graphs if graphs, importing the
// packages they use under the names guess gives.
func (ft *fileTransform) startPrinting(lf *loadedFile, pkg string, guess func([]string) map[string]string, graphs bool) *printPipe {
	p := &printPipe{ft: ft, lf: lf, pkg: pkg, guess: guess, graphs: graphs, chunks: make(chan *chunk, 64)}
	// One CPU builds, the others print; once all are built, the builder
	// prints too (see wait).
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		p.wg.Go(p.work)
	}
	return p
}

// send prints c, with the names guessed for its packages.
func (p *printPipe) send(c *chunk) {
	if p == nil {
		return
	}
	c.names = p.guess(c.fill.paths)
	p.chunks <- c
}

// work prints the chunks sent until the pipe is closed; after an error
// it only takes them.
func (p *printPipe) work() {
	defer func() {
		// As in transformFileSplicing: an internal error is not a
		// crash on the user's input.
		if r := recover(); r != nil {
			p.fail(fmt.Errorf("transform: internal error transforming %s: %v (please report this, with the input)", srcfile.Name(p.lf.in.Path), r))
			for range p.chunks {
			}
		}
	}()
	for c := range p.chunks {
		if p.failed() {
			continue
		}
		if err := p.ft.printMachine(p.lf, p.pkg, c, p.graphs); err != nil {
			p.fail(err)
		}
	}
}

func (p *printPipe) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

func (p *printPipe) failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err != nil
}

// wait closes the pipe, prints the chunks no worker has taken yet,
// waits for the others, and returns the first error.
func (p *printPipe) wait() error {
	if p == nil {
		return nil
	}
	p.once.Do(func() {
		close(p.chunks)
		p.work() // what is left, beside the workers
	})
	p.wg.Wait()
	return p.err
}

// printMachines prints the chunks, several at once, importing packages
// under the names of names, once all are built.
func (ft *fileTransform) printMachines(lf *loadedFile, pkg string, chunks []*chunk, names map[string]string, graphs bool) error {
	p := ft.startPrinting(lf, pkg, func(paths []string) map[string]string {
		out := make(map[string]string, len(paths))
		for _, path := range paths {
			out[path] = names[path]
		}
		return out
	}, graphs)
	for _, c := range chunks {
		p.send(c)
	}
	return p.wait()
}

// printMachine sets the text of the chunk c's fill to its declarations,
// written as a file of package pkg would hold them, with the packages
// they use named as c.names says (see text.go); with graphs, it also
// labels the machine's state graph, from the restored declarations. Its
// trees may go once it is printed.
func (ft *fileTransform) printMachine(lf *loadedFile, pkg string, c *chunk, graphs bool) error {
	var text []byte
	written := c.names != nil && distinctNames(c.fill.paths, c.names)
	if written {
		text, written = writeDecls(ft.pkg.Path(), c.names, c.decls)
	}
	if graphs || textCheck || !written {
		restored, graph, err := ft.restoreMachine(lf, pkg, c, graphs)
		if err != nil {
			return err
		}
		c.graph = graph
		c.fill.text = restored
	}
	if written {
		text = bytes.Trim(text, "\n")
		if textCheck {
			checkText(c.fill.text, text)
		}
		c.fill.text = text
	}
	// Formatted here, on a CPU the builder leaves free, for the output's
	// formatting to take as it is if the text stands between blank lines
	// (see fillSplices).
	c.fill.whole = &piece{src: c.fill.text}
	c.fill.whole.format()
	c.decls, c.m = nil, nil
	return nil
}

// distinctNames reports whether names gives each of paths a name of its
// own, as the restorer would: one it may qualify identifiers with.
func distinctNames(paths []string, names map[string]string) bool {
	seen := map[string]bool{}
	for _, p := range paths {
		name := names[p]
		if name == "" || name == "_" || name != "." && seen[name] {
			return false
		}
		seen[name] = true
	}
	return true
}

// textCheck makes printMachine compare the text it writes, formatted,
// with the restored and printed declarations, formatted, and panic if
// they differ: the tests set it.
var textCheck bool

// checkText panics if the written text of a machine does not format to
// what its restored text formats to.
func checkText(restored, written []byte) {
	want, werr := format.Source(append([]byte(pieceFile), restored...))
	got, gerr := format.Source(append([]byte(pieceFile), written...))
	if gerr == nil {
		// And gofmt keeps what it made of it (it does not of a /* */
		// comment of several lines: see text.go).
		if again, err := format.Source(got); err != nil || !bytes.Equal(again, got) {
			panic(fmt.Sprintf("the written text of a machine, formatted, is not gofmt's (error %v):\n%s", err, around(again, firstDiff(got, again))))
		}
	}
	if werr != nil || gerr != nil || !bytes.Equal(want, got) {
		at := firstDiff(want, got)
		panic(fmt.Sprintf("the written text of a machine differs from the restored one (errors %v, %v), formatted:\n--- restored:\n%s\n--- written:\n%s\n--- written, as written:\n%s", werr, gerr, around(want, at), around(got, at), written))
	}
}

// restoreMachine restores the chunk c as a file of package pkg, with the
// packages it uses named as c.names says, and returns the printed
// declarations; with graphs, also the machine's labelled state graph.
func (ft *fileTransform) restoreMachine(lf *loadedFile, pkg string, c *chunk, graphs bool) ([]byte, Graph, error) {
	r := decorator.NewRestorerWithImports(ft.pkg.Path(), mapResolver(ft.restoreNames(lf)))
	fr := r.FileRestorer()
	for _, p := range c.fill.paths {
		if name := c.names[p]; name != "" {
			fr.Alias[p] = name
		}
	}
	af, err := fr.RestoreFile(&dst.File{Name: dst.NewIdent(pkg), Decls: c.decls})
	if err != nil {
		return nil, Graph{}, fmt.Errorf("transform: internal error: restoring %s: %v", srcfile.Name(lf.in.Path), err)
	}
	var graph Graph
	if graphs {
		gs, err := labelGraphs([]*machine{c.m}, fr.Ast.Nodes, r.Fset)
		if err != nil {
			return nil, Graph{}, fmt.Errorf("transform: internal error: the state graph of %s: %v", srcfile.Name(lf.in.Path), err)
		}
		graph = gs[0]
	}
	// The imports the restorer added are the file's, printed with it.
	decls := af.Decls[:0]
	for _, d := range af.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		decls = append(decls, d)
	}
	af.Decls = decls
	var buf bytes.Buffer
	if err := rawConfig.Fprint(&buf, r.Fset, af); err != nil {
		return nil, Graph{}, codeError("printing the code generated for "+srcfile.Name(lf.in.Path), err, buf.Bytes())
	}
	text := buf.Bytes()
	// Drop the package clause: the text replaces a declaration.
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	return bytes.Trim(text, "\n"), graph, nil
}

// around returns the lines of text around offset.
func around(text []byte, offset int) string {
	offset = min(offset, len(text))
	from, to := offset, offset
	for range 4 {
		if i := bytes.LastIndexByte(text[:from], '\n'); i >= 0 {
			from = i
		}
	}
	for range 4 {
		if i := bytes.IndexByte(text[to:], '\n'); i >= 0 {
			to += i + 1
		}
	}
	return string(text[from:to])
}
