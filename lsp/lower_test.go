package lsp

import (
	"bytes"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
	"github.com/corofy/corofy/parser"
)

// repoGocoro returns every .gocoro file of the repository that parses
// without error, by path.
func repoGocoro(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := testmod.Root()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".gocoro") {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, err := parser.ParseFile(token.NewFileSet(), p, src); err == nil {
				rel, _ := filepath.Rel(root, p)
				files[rel] = src
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d .gocoro files that parse in %s, want many", len(files), root)
	}
	return files
}

// TestLoweringIsTheReferenceForm checks, for every .gocoro file of the
// repository, that the Go text gopls sees parses to the same syntax tree
// as package parser's reference form (positions and the runtime's import
// name aside).
func TestLoweringIsTheReferenceForm(t *testing.T) {
	for name, src := range repoGocoro(t) {
		t.Run(name, func(t *testing.T) {
			l := lower(name, src)
			if len(l.errs) > 0 {
				t.Fatalf("lower(%s) reported %v; parser.ParseFile did not", name, l.errs)
			}
			got, err := goparser.ParseFile(token.NewFileSet(), name, l.goSrc, goparser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("the lowered text of %s does not parse: %v\n%s", name, err, l.goSrc)
			}
			ref, err := parser.ParseFile(token.NewFileSet(), name, src)
			if err != nil {
				t.Fatal(err)
			}
			own := runtimeImportName(ref.AST)
			a, b := shape(got, l.rtName, own), shape(ref.AST, ref.RuntimeName, own)
			if a != b {
				t.Errorf("lowered %s differs from the reference form:\nlowering: %s\nreference: %s", name, diffAt(a, b), diffAt(b, a))
			}
		})
	}
}

// runtimeImportName returns the name under which f imports the runtime,
// or "".
func runtimeImportName(f *ast.File) string {
	for _, spec := range f.Imports {
		if p, _ := strconv.Unquote(spec.Path.Value); p == parser.RuntimePath {
			if spec.Name != nil {
				return spec.Name.Name
			}
			return "runtime"
		}
	}
	return ""
}

// TestLoweringFromParsed checks that lowering a file from what
// parser.ParseFile found (check) gives the same lowering as lowerGo's own
// parse (the path of files with errors, and of the first lowering).
func TestLoweringFromParsed(t *testing.T) {
	for name, src := range repoGocoro(t) {
		errs, a := check(name, src)
		if errs != nil {
			t.Fatalf("check(%s): %v", name, errs)
		}
		b := lowerGo(name, src)
		if a.rtName != b.rtName {
			t.Errorf("%s: the runtime is %s from the parser's file, %s from lowerGo", name, a.rtName, b.rtName)
			continue
		}
		if err := sameLowering(a, b); err != nil {
			t.Errorf("%s: from the parser's file: %v", name, err)
		}
	}
}

// shape prints the syntax tree of f without positions, comments or
// imports of the runtime, with the runtime's name rt written RT.
func shape(f *ast.File, rt ...string) string {
	var b strings.Builder
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil ")
				return
			}
			if id, ok := v.Interface().(*ast.Ident); ok {
				name := id.Name
				if slices.Contains(rt, name) {
					name = "RT"
				}
				b.WriteString(name + " ")
				return
			}
			if spec, ok := v.Interface().(*ast.ImportSpec); ok {
				if p, _ := strconv.Unquote(spec.Path.Value); p == parser.RuntimePath {
					b.WriteString("runtime-import ")
					return
				}
			}
			walk(v.Elem())
		case reflect.Struct:
			b.WriteString(v.Type().Name() + "{")
			for i := range v.NumField() {
				f := v.Type().Field(i)
				switch {
				case !f.IsExported(), f.Type == reflect.TypeFor[token.Pos](), f.Name == "Comments", f.Name == "Doc",
					f.Name == "Comment", f.Name == "Imports", f.Name == "Scope", f.Name == "Unresolved", f.Name == "Obj",
					f.Name == "GoVersion", f.Name == "FileStart", f.Name == "FileEnd":
					continue
				}
				walk(v.Field(i))
			}
			b.WriteString("} ")
		case reflect.Slice:
			b.WriteString("[")
			for i := range v.Len() {
				walk(v.Index(i))
			}
			b.WriteString("] ")
		default:
			fmt.Fprintf(&b, "%v ", v.Interface())
		}
	}
	// Import declarations of the runtime alone are left out: the reference
	// form imports it first, the lowering after the package clause.
	var decls []ast.Decl
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && len(g.Specs) == 1 {
			if p, _ := strconv.Unquote(g.Specs[0].(*ast.ImportSpec).Path.Value); p == parser.RuntimePath {
				continue
			}
		}
		decls = append(decls, d)
	}
	g := *f
	g.Decls = decls
	walk(reflect.ValueOf(&g))
	return b.String()
}

// diffAt returns a's text around the first byte where it differs from b.
func diffAt(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return "..." + a[max(0, i-200):min(len(a), i+200)] + "..."
}

// TestPositionMapRoundTrip checks, for every offset of every .gocoro file
// of the repository, also written with CRLF line endings and a BOM, that
// an offset of unchanged text maps to the same byte of the lowered text
// and back to itself, in bytes and in LSP positions.
func TestPositionMapRoundTrip(t *testing.T) {
	for name, src := range repoGocoro(t) {
		variants := map[string][]byte{
			"lf":   src,
			"crlf": bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n")),
			"bom":  append([]byte("\ufeff"), src...),
		}
		for kind, src := range variants {
			l := lower(name, src)
			srcText, goText := newText(l.src), newText(l.goSrc)
			exact := 0
			for off := 0; off <= len(src); off++ {
				for _, end := range []bool{false, true} {
					g, ok := l.m.toGo(off, end)
					if !ok {
						continue
					}
					exact++
					if off < len(src) && !end && l.goSrc[g] != src[off] {
						t.Fatalf("%s (%s): source offset %d (%q) maps to Go offset %d (%q)", name, kind, off, src[off], g, l.goSrc[g])
					}
					if off > 0 && end && l.goSrc[g-1] != src[off-1] {
						t.Fatalf("%s (%s): source end offset %d (after %q) maps to Go end offset %d (after %q)", name, kind, off, src[off-1], g, l.goSrc[g-1])
					}
					if back, ok := l.m.toSource(g, end); !ok || back != off {
						t.Fatalf("%s (%s): source offset %d -> Go offset %d -> source offset %d, exact %v", name, kind, off, g, back, ok)
					}
					// The same through LSP positions, where off starts a character.
					// A position cannot stand between "\r" and "\n".
					if off < len(src) && (!utf8Start(src[off]) || off > 0 && src[off] == '\n' && src[off-1] == '\r') {
						continue
					}
					p := srcText.position(off)
					if o, err := srcText.offset(p); err != nil || o != off {
						t.Fatalf("%s (%s): offset %d -> position %v -> offset %d, %v", name, kind, off, p, o, err)
					}
					gp := goText.position(g)
					if o, err := goText.offset(gp); err != nil || o != g {
						t.Fatalf("%s (%s): Go offset %d -> position %v -> offset %d, %v", name, kind, g, gp, o, err)
					}
				}
			}
			if exact < len(src)/2 {
				t.Errorf("%s (%s): only %d of %d offsets map exactly", name, kind, exact, len(src))
			}
		}
	}
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// TestShadowChange checks that the change sent to gopls between two
// lowerings turns the first shadow into the second, for edits of every
// .gocoro of the repository (a line removed, a character inserted, CRLF).
func TestShadowChange(t *testing.T) {
	d := &document{path: "x.gocoro"}
	for name, src := range repoGocoro(t) {
		variants := [][]byte{src, bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))}
		for _, src := range variants {
			mid := bytes.IndexByte(src[len(src)/2:], '\n') + len(src)/2
			edited := [][]byte{
				append(append([]byte{}, src[:mid]...), append([]byte("\n\tx := 1 // é"), src[mid:]...)...),
				append(append([]byte{}, src[:len(src)/3]...), src[len(src)/2:]...),
				[]byte("package x\n"),
			}
			prev := d.newState(src, 1)
			for _, e := range edited {
				st := d.newState(e, 2)
				c := shadowChange(prev, st)
				got, err := applyChanges(prev.low.goSrc, []contentChange{c})
				if err != nil || !bytes.Equal(got, st.low.goSrc) {
					t.Fatalf("%s: shadowChange gives %+v, which makes %q (%v), want %q", name, c, diffAt(string(got), string(st.low.goSrc)), err, diffAt(string(st.low.goSrc), string(got)))
				}
			}
		}
	}
}

// TestTextEdited checks that a text's line table moved by an edit is the
// one found in the edited text, for edits that remove and insert lines,
// at every line of every .gocoro of the repository, LF and CRLF.
func TestTextEdited(t *testing.T) {
	inserts := []string{"", "x", "\n", "a\nb\n", "\r\n", "\n\n\n", "é\n"}
	for name, src := range repoGocoro(t) {
		for _, src := range [][]byte{src, bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))} {
			tx := newText(src)
			for off := 0; off < len(src); off = lineEnd(src, off) + 1 {
				for _, del := range []int{0, 1, lineEnd(src, off) + 1 - off, 3 * (lineEnd(src, off) + 1 - off)} {
					end := min(off+del, len(src))
					for _, ins := range inserts {
						edited := splice(src, off, end, ins)
						got := tx.edited(edited, off, end, len(ins))
						if want := newText(edited); !slices.Equal(got.lines, want.lines) {
							t.Fatalf("%s: replacing %q at %d by %q: lines %v, want %v", name, src[off:end], off, ins, got.lines, want.lines)
						}
					}
				}
			}
		}
	}
}
