package transform

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// A file may import a package more than once: under two names (import
// "fmt"; import f "fmt"), as a dot import and under a name, or blank and
// under a name. The tree the passes work on (dst's) names a package by
// its path, and its restorer gives each path one name, which it writes
// on every import of the path and every use of the package: both imports
// would read f "fmt", and a local named f could hide a use written fmt.
//
// So one import of each package is the package's own: the first that is
// not blank. The tree names a package by its path only where the code
// names it through its own import. A name another import declares stays
// a name in the tree, as a package-level variable's does: f.Println is
// the selector f.Println, and no local of Poll may be named f (see
// newMachine). The other imports keep the names they had
// (restoreImportNames), and one that the output no longer uses is
// dropped (dropUnusedReimports); the own import is named as the
// restorer names the package (the runtime, where a name of the file
// hides it, corofyruntime: see aliases).

// reimports are the packages a file imports more than once, each with the
// name of its own import: its alias, "." for a dot import, or "" for the
// package's name. It is nil for a file that imports each package once.
type reimports map[string]string

// findReimports returns the reimports of a file whose imports are specs.
func findReimports(specs []*ast.ImportSpec) reimports {
	var r reimports
	names := map[string][]string{} // by path, in the order of specs
	var paths []string
	for _, spec := range specs {
		path := specPath(spec)
		if names[path] == nil {
			paths = append(paths, path)
		}
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		names[path] = append(names[path], name)
	}
	for _, path := range paths {
		if own := ownImport(names[path]); own >= 0 && len(names[path]) > 1 {
			if r == nil {
				r = reimports{}
			}
			r[path] = names[path][own]
		}
	}
	return r
}

// ownImport returns the index of a package's own import among the names
// of its imports in a file, in order ("" for none): the first that is
// not blank; -1 if all are.
func ownImport(names []string) int {
	return slices.IndexFunc(names, func(name string) bool { return name != "_" })
}

// own reports whether the code names the package pn imports through its
// own import when it names it through pn.
func (r reimports) own(pn *types.PkgName) bool {
	name, ok := r[pn.Imported().Path()]
	if !ok {
		return true
	}
	if name == "" {
		name = pn.Imported().Name()
	}
	return pn.Name() == name
}

// ownDot reports whether an identifier of the package path written
// unqualified (through a dot import) names it through its own import.
func (r reimports) ownDot(path string) bool {
	name, ok := r[path]
	return !ok || name == "."
}

// ownSpec reports whether spec is the import the tree names its
// package by, or the only import of it.
func (r reimports) ownSpec(spec *ast.ImportSpec) bool {
	name, ok := r[specPath(spec)]
	switch {
	case !ok:
		return true
	case spec.Name == nil:
		return name == ""
	default:
		return spec.Name.Name == name
	}
}

// specPath returns the path spec imports.
func specPath(spec *ast.ImportSpec) string {
	path, err := strconv.Unquote(spec.Path.Value)
	if err != nil {
		return spec.Path.Value
	}
	return path
}

// importNames returns the name under which the code of a file whose
// imports are specs names each package through its own import (see
// reimports): its alias ("." for a dot import) or its name, from names.
// A package imported only blank has none.
func importNames(specs []*ast.ImportSpec, names map[string]string) map[string]string {
	out := map[string]string{}
	own := findReimports(specs)
	for _, spec := range specs {
		if spec.Name != nil && spec.Name.Name == "_" || !own.ownSpec(spec) {
			continue
		}
		path := specPath(spec)
		if spec.Name != nil {
			out[path] = spec.Name.Name
		} else {
			out[path] = names[path]
		}
	}
	return out
}

// importSpecs returns the imports of f from its declarations (a restored
// file has no Imports).
func importSpecs(f *ast.File) []*ast.ImportSpec {
	var specs []*ast.ImportSpec
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			for _, s := range gd.Specs {
				specs = append(specs, s.(*ast.ImportSpec))
			}
		}
	}
	return specs
}

// restoreImportNames prepares fr to restore df, whose imports may
// import a package more than once: the package's own import (see
// reimports) names it in the code, under its own name unless fr.Alias
// says another (the runtime where a name of the file hides it, see
// aliases). It returns the function to call once fr has restored df,
// which gives each other import of such a package, in df and in the
// restored file, the name it had (the restorer wrote the own import's on
// each).
func restoreImportNames(fr *decorator.FileRestorer, df *dst.File) func() {
	type named struct {
		spec *dst.ImportSpec
		name string // "" for none
	}
	byPath := map[string][]named{}
	var paths []string
	for _, d := range df.Decls {
		gd, ok := d.(*dst.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, s := range gd.Specs {
			spec := s.(*dst.ImportSpec)
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			n := named{spec: spec}
			if spec.Name != nil {
				n.name = spec.Name.Name
			}
			if byPath[path] == nil {
				paths = append(paths, path)
			}
			byPath[path] = append(byPath[path], n)
		}
	}
	var again []named // the imports of such packages but their own
	for _, path := range paths {
		specs := byPath[path]
		if len(specs) < 2 {
			continue
		}
		var names []string
		for _, n := range specs {
			names = append(names, n.name)
		}
		own := ownImport(names)
		if own < 0 {
			continue // blank imports only
		}
		again = append(again, specs[:own]...)
		again = append(again, specs[own+1:]...)
		if _, ok := fr.Alias[path]; !ok {
			fr.Alias[path] = specs[own].name // "" for the package's name
		}
	}
	if again == nil {
		return func() {}
	}
	return func() {
		for _, n := range again {
			as, _ := fr.Ast.Nodes[n.spec].(*ast.ImportSpec)
			if n.name == "" {
				n.spec.Name = nil
				if as != nil {
					as.Name = nil
				}
				continue
			}
			n.spec.Name = dst.NewIdent(n.name)
			if as != nil {
				as.Name = ast.NewIdent(n.name)
			}
		}
	}
}

// dropUnusedReimports drops from the restored file af the imports of a
// package other than its own (see reimports) that no code names any
// more: the code of af, and of fills, the splices and machines that
// stand as placeholders in it. An import that a name of the code may
// refer to stays (a local str beside import str "strings"); the
// package's own import stays, the generated code naming the package
// through it.
func dropUnusedReimports(af *ast.File, fills []*splice, pkg *types.Package) {
	again := findReimports(importSpecs(af))
	if again == nil {
		return
	}
	qualifiers, names := map[string]bool{}, map[string]bool{}
	for _, d := range af.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		ast.Inspect(d, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					qualifiers[x.Name] = true
				}
				ast.Inspect(n.X, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok {
						names[id.Name] = true
					}
					return true
				})
				return false // Sel names no package
			case *ast.Ident:
				names[n.Name] = true
			}
			return true
		})
	}
	named := func(name string, set map[string]bool) bool {
		if set[name] {
			return true
		}
		for _, f := range fills {
			if f.names[name] {
				return true
			}
		}
		return false
	}
	imported := map[string]*types.Package{}
	for _, p := range pkg.Imports() {
		imported[p.Path()] = p
	}
	used := func(spec *ast.ImportSpec) bool {
		p := imported[specPath(spec)]
		switch {
		case p == nil:
			return true
		case spec.Name == nil:
			return named(p.Name(), qualifiers)
		case spec.Name.Name == ".":
			for _, name := range p.Scope().Names() {
				if token.IsExported(name) && named(name, names) {
					return true
				}
			}
			return false
		default:
			return named(spec.Name.Name, qualifiers)
		}
	}
	decls := af.Decls[:0]
	for _, d := range af.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		specs := gd.Specs[:0]
		for _, s := range gd.Specs {
			spec := s.(*ast.ImportSpec)
			if _, ok := again[specPath(spec)]; !ok || again.ownSpec(spec) || spec.Name != nil && spec.Name.Name == "_" || used(spec) {
				specs = append(specs, s)
			}
		}
		gd.Specs = specs
		if len(specs) > 0 {
			decls = append(decls, d)
		}
	}
	af.Decls = decls
}
