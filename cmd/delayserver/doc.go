// Delayserver is the HTTP server the book's examples wait on: it answers each
// request after a delay the request chooses, so a program can start several
// slow operations and watch them complete concurrently.
//
// A request for
//
//	GET /{delay_ms}/{message}
//
// is logged to standard output at once, numbered from 1, as
//
//	#{n} - {delay_ms}ms: {message}
//
// Then, after delay_ms milliseconds, the server answers "200 OK" with a
// "Content-Type: text/plain; charset=utf-8" header, a Date header and the
// percent-decoded message as the body, and closes the connection, so a
// client simply reads until EOF. Requests are served concurrently: twenty
// requests of one second each are all answered after about one second. A delay
// that is not a decimal number, or any other path, gets "404 Not Found".
//
// For example, with the server running,
//
//	delayserver
//
// the command
//
//	curl http://localhost:8080/600/Hello%20World
//
// prints "Hello World" after 0.6 seconds, and the server prints
//
//	#1 - 600ms: Hello World
//
// The examples under examples/ do not need this command: by default they start
// the same server (package internal/delayserver) in-process on a free port.
// Run it to watch the requests arrive, and point an example at it with the
// example's -server flag:
//
//	delayserver -addr localhost:8080 &
//	go run ./examples/EXAMPLE -server localhost:8080
//
// Usage:
//
//	delayserver [-addr host:port] [host]
//
// The -addr flag sets the address to listen on; the default is
// "localhost:8080", the address the book uses. A port of 0 picks a free port;
// the address actually listened on is printed to standard error.
//
// As in the book, a single argument may name the host to listen on, keeping
// the port of -addr: "delayserver 0.0.0.0" listens on 0.0.0.0:8080. The
// argument may also be a full host:port.
//
// The server runs until it is interrupted (SIGINT or SIGTERM); it then stops
// accepting connections, drops requests still waiting and exits with status 0.
// Usage errors exit with status 2, and failing to listen with status 1.
package main
