//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runtime

func runHTTPClientHelper() int { return 2 }
