package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/corofy/corofy/internal/testmod"
)

// BenchmarkWallTime compares the wall time of corofy on the ch07-joinall
// example (type-checking its package through go list, transforming,
// printing; -check so nothing is written) with go vet on the same package.
// Both run as commands with a warm build cache, as a user would run them.
func BenchmarkWallTime(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "corofy")
	if out, err := exec.Command(testmod.GoTool(), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(testmod.Root(), "examples", "ch07-joinall")
	for _, c := range []struct {
		name string
		cmd  []string
	}{
		{"corofy", []string{bin, "-check", "main.gocoro"}},
		{"govet", []string{testmod.GoTool(), "vet", "."}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(c.cmd[0], c.cmd[1:]...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", c.cmd, err, out)
				}
			}
		})
	}
}
