// Package bookmain is the common start of every example's main: it finds a
// delay server for the example's requests.
//
// By default an example needs nothing running: [Setup] starts the delay
// server in-process on a free loopback port and logs its requests to
// standard error, so the example's standard output stays what the book
// prints. With -server host:port the example uses an external server
// instead, such as one started by cmd/delayserver:
//
//	func main() {
//		defer bookmain.Setup()()
//		...
//	}
package bookmain

import (
	"flag"
	"fmt"
	"os"

	"github.com/corofy/corofy/examples/internal/bookhttp"
	"github.com/corofy/corofy/internal/delayserver"
)

var server = flag.String("server", "", "use the delay server at `host:port` instead of starting one in-process")

// Setup parses the command line, points [bookhttp.Addr] at the delay server
// and returns the function that stops it: the in-process server's Close, or
// a function that does nothing for an external server. An example that has
// flags of its own defines them before calling Setup. Setup exits with
// status 1 if the in-process server cannot start.
func Setup() (cleanup func()) {
	flag.Parse()
	if *server != "" {
		bookhttp.Addr = *server
		return func() {}
	}
	s, err := delayserver.Start("127.0.0.1:0", os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the delay server: %v\n", err)
		os.Exit(1)
	}
	bookhttp.Addr = s.Addr()
	return func() { s.Close() }
}
