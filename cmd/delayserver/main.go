package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/corofy/corofy/internal/delayserver"
)

var addr = flag.String("addr", "localhost:8080", "listen on `host:port`")

// usage prints the usage message to standard error.
func usage() {
	fmt.Fprintf(os.Stderr, "Usage of delayserver:\n")
	fmt.Fprintf(os.Stderr, "\tdelayserver [-addr host:port] [host]\n")
	fmt.Fprintf(os.Stderr, "For more information, see:\n")
	fmt.Fprintf(os.Stderr, "\tgo doc github.com/corofy/corofy/cmd/delayserver\n")
	fmt.Fprintf(os.Stderr, "Flags:\n")
	flag.PrintDefaults()
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("delayserver: ")
	flag.Usage = usage
	flag.Parse()
	listen, err := listenAddr(*addr, flag.Args())
	if err != nil {
		log.Print(err)
		flag.Usage()
		os.Exit(2)
	}

	// Register for signals before listening, so an interrupt that arrives
	// once the address is printed always closes the server cleanly.
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt, syscall.SIGTERM)

	server, err := delayserver.Start(listen, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", server.Addr())
	<-interrupt
	if err := server.Close(); err != nil {
		log.Fatal(err)
	}
}

// listenAddr returns the address to listen on: flagAddr, or, when there is
// one argument, that argument as a host:port or as a host on flagAddr's port.
func listenAddr(flagAddr string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return flagAddr, nil
	case 1:
		if _, _, err := net.SplitHostPort(args[0]); err == nil {
			return args[0], nil
		}
		_, port, err := net.SplitHostPort(flagAddr)
		if err != nil {
			return "", fmt.Errorf("bad -addr: %v", err)
		}
		return net.JoinHostPort(args[0], port), nil
	default:
		return "", fmt.Errorf("expected at most one host argument, got %d", len(args))
	}
}
