package poll_test

import (
	"fmt"
	"net"
	"time"

	"github.com/corofy/corofy/examples/ch04-epoll/poll"
)

// A socket registered with token 4 is reported, with that token, once data
// has arrived.
func ExamplePoll() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	client, _ := net.Dial("tcp", ln.Addr().String())
	defer client.Close()
	server, _ := ln.Accept()
	defer server.Close()
	var fd int
	raw, _ := client.(*net.TCPConn).SyscallConn()
	raw.Control(func(s uintptr) { fd = int(s) })

	p, err := poll.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	if err := p.Registry().Register(fd, 4, poll.EPOLLIN|poll.EPOLLET); err != nil {
		fmt.Println(err)
		return
	}
	server.Write([]byte("hello"))

	events := make(poll.Events, 0, 10)
	if err := p.Poll(&events, time.Minute); err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println("RECEIVED:", e)
	}
	// Output: RECEIVED: Event { events: 1, epoll_data: 4 }
}
