package format_test

import (
	"fmt"

	"github.com/corofy/corofy/format"
)

// Source formats a .gocoro file as gofmt formats Go: "coroutine func"
// with one space, indentation and alignment as gofmt's.
func ExampleSource() {
	src := []byte(`package main
coroutine   func  sum(a, b int) int {
x:=a+  get(b).wait
	return x }
`)
	out, err := format.Source(src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// package main
	//
	// coroutine func sum(a, b int) int {
	// 	x := a + get(b).wait
	// 	return x
	// }
}

// Syntax errors come back positioned in the .gocoro source, and nothing is
// formatted.
func ExampleFormat() {
	_, err := format.Format("main.gocoro", []byte("package main\n\ncoroutine x()\n"), 0)
	fmt.Println(err)
	// Output:
	// main.gocoro:3:11: expected 'func' after 'coroutine', found 'x'
}
