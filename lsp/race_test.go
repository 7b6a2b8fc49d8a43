//go:build race

package lsp

// raceEnabled is set when the tests run with -race: corofy lsp is then
// built with -race too.
const raceEnabled = true
