package parser_test

import (
	"fmt"
	"go/format"
	"go/token"
	"os"

	"github.com/corofy/corofy/parser"
)

// ParseFile finds the coroutines and their waits, and lowers the file into
// Go: the coroutine returns a runtime.Future, its body runs in
// runtime.Lazy, and each x.wait is runtime.Await(x), the reference
// semantics, which go/types can check.
func ExampleParseFile() {
	src := `package main

import "fmt"

coroutine func greet(name string) string {
	fmt.Println("greeting", name)
	return "Hello, " + lookup(name).wait
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.gocoro", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, co := range f.Coroutines {
		fmt.Println("coroutine", co.Name(), "at", fset.Position(co.Keyword))
		for _, w := range co.Waits {
			fmt.Println("wait at", fset.Position(w.Pos))
		}
	}
	fmt.Println()
	format.Node(os.Stdout, fset, f.AST)
	// Output:
	// coroutine greet at main.gocoro:5:1
	// wait at main.gocoro:7:34
	//
	// package main
	//
	// import corofyruntime "github.com/corofy/corofy/runtime"
	//
	// import "fmt"
	//
	// func greet(name string) corofyruntime.Future[string] {
	// 	return corofyruntime.Lazy(func() string {
	// 		fmt.Println("greeting", name)
	// 		return "Hello, " + corofyruntime.Await(lookup(name))
	// 	})
	// }
}

// Errors are positioned in the .gocoro source.
func ExampleParseFile_errors() {
	src := `package main

func notCoroutine() {
	_ = get().wait
}
`
	_, err := parser.ParseFile(token.NewFileSet(), "main.gocoro", []byte(src))
	fmt.Println(err)
	// Output:
	// main.gocoro:4:12: '.wait' outside a coroutine (only the body of a 'coroutine func' can wait; in a .gocoro file .wait always waits, so a field or method named wait is used from a .go file)
}
