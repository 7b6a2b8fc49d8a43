// Package delayserver is the book's delay server as a library, so that
// examples and tests can start it in-process on a free loopback port.
//
// The book's asynchronous examples need an operation that takes a known time
// to complete and that the program can wait on without blocking. The delay
// server provides it over HTTP: a request for
//
//	GET /{delay_ms}/{message}
//
// is logged at once as "#{n} - {delay_ms}ms: {message}" (n counts requests
// from 1), and answered after delay_ms milliseconds with "200 OK", a
// "Content-Type: text/plain; charset=utf-8" header, a Date header and the
// percent-decoded message as the body; then the connection is closed, so
// clients simply read to EOF. Each request waits on its own, so many delayed
// requests complete concurrently. A delay that is not a decimal number, or any
// other path or method, is answered with "404 Not Found".
//
// The command cmd/delayserver runs this server stand-alone.
package delayserver

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a running delay server. Create it with [Start]; stop it with
// [Server.Close].
type Server struct {
	listener net.Listener
	http     *http.Server
	served   chan struct{} // closed when http.Serve has returned

	// stop is cancelled by Close; it is the base of every request's context
	// so delays end early on Close instead of keeping Close waiting.
	stop context.Context
	halt context.CancelFunc

	// connections counts the connections not yet closed, so Close can
	// return only after every connection goroutine has finished.
	connections sync.WaitGroup

	logMu sync.Mutex // serialises count and log, so log lines appear in count order
	count int
	log   io.Writer

	closeOnce sync.Once
	closeErr  error
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves until Close.
// Each request is logged to log (may be nil) as "#{n} - {delay}ms: {message}".
func Start(addr string, log io.Writer) (*Server, error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("delayserver: %w", err)
	}
	stop, halt := context.WithCancel(context.Background())
	s := &Server{
		listener: listener,
		served:   make(chan struct{}),
		stop:     stop,
		halt:     halt,
		log:      log,
	}
	s.http = &http.Server{
		Handler:     http.HandlerFunc(s.serveHTTP),
		BaseContext: func(net.Listener) context.Context { return stop },
		ConnState:   s.trackConnection,
		// Clients send one small request; don't let an idle one hold a
		// connection goroutine forever.
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() {
		defer close(s.served)
		s.http.Serve(listener) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// Addr returns the host:port actually listened on, e.g. "127.0.0.1:40123".
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Close stops accepting connections, ends pending delays early, closes every
// connection and waits until all handler and connection goroutines have
// returned. Requests still waiting get no response. It returns the error
// from closing the listener; calling it again returns the same error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// Close the connections before ending the delays, so that no
		// response gets out.
		s.closeErr = s.http.Close()
		s.halt()
		// Serve runs ConnState(StateNew) before starting each connection
		// goroutine, so once Serve has returned no Add can race with Wait.
		<-s.served
		s.connections.Wait()
	})
	return s.closeErr
}

// trackConnection counts connections from their StateNew, reported by the
// Serve goroutine, to their last state, reported by the connection goroutine
// as it finishes.
func (s *Server) trackConnection(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.connections.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.connections.Done()
	}
}

// serveHTTP answers GET /{delay_ms}/{message}; see the package doc.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ms, message, ok := parsePath(r.URL.EscapedPath())
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	s.logRequest(ms, message)

	timer := time.NewTimer(duration(ms))
	defer timer.Stop()
	// Wait on the server's stop, not on the request's context: a client that
	// half-closes its side after sending the request still gets an answer.
	select {
	case <-timer.C:
	case <-s.stop.Done():
		panic(http.ErrAbortHandler) // end the handler without a response
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Connection", "close")
	// Without a length, net/http would chunk a long body; clients of the
	// book print the raw response and expect the message as it is.
	h.Set("Content-Length", strconv.Itoa(len(message)))
	io.WriteString(w, message)
}

// parsePath splits an escaped path "/{delay_ms}/{message}" into the delay in
// milliseconds and the percent-decoded message. It reports false for any other path: a delay
// that is not a decimal number, an empty or undecodable message, or more
// segments (an escaped "%2F" in the message is fine).
func parsePath(escaped string) (ms uint64, message string, ok bool) {
	rest, found := strings.CutPrefix(escaped, "/")
	if !found {
		return 0, "", false
	}
	digits, rawMessage, found := strings.Cut(rest, "/")
	if !found || rawMessage == "" || strings.Contains(rawMessage, "/") {
		return 0, "", false
	}
	ms, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, "", false
	}
	message, err = url.PathUnescape(rawMessage)
	if err != nil {
		return 0, "", false
	}
	return ms, message, true
}

// duration converts milliseconds to a time.Duration. Any number is accepted,
// as in the book; beyond about 292 years the wait is capped at the longest
// time.Duration instead of overflowing.
func duration(ms uint64) time.Duration {
	if ms > math.MaxInt64/uint64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// logRequest numbers the request and logs it, if there is a log.
func (s *Server) logRequest(ms uint64, message string) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.count++
	if s.log != nil {
		fmt.Fprintf(s.log, "#%d - %dms: %s\n", s.count, ms, message)
	}
}
