package vet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// checkStale reports g at its first line when its source changed since
// corofy generated it, or when another version of corofy generated it.
// A file whose source cannot be read (a package copied without its
// .gocoro files) is not reported.
//
// The .gocoro file is not one of the package's files, so it is read with
// os.ReadFile: Pass.ReadFile only gives the files the go command lists.
func (a *pass) checkStale(g *genFile) {
	src, err := os.ReadFile(g.source)
	if err != nil {
		return
	}
	g.lines = strings.Split(string(src), "\n")
	why := g.header.Stale(src)
	if why == "" {
		return
	}
	a.diags = append(a.diags, analysis.Diagnostic{
		Pos:     g.file.FileStart,
		Message: fmt.Sprintf("%s is stale: %s; run %s", filepath.Base(g.tok.Name()), why, g.header.Command),
	})
}
