package testkit

import (
	"net"
	"testing"
)

// FreeAddr returns a loopback host:port nothing listens on: for a server the
// test starts to take, or for a client to fail to reach.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
