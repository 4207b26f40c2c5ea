package testkit

import (
	"net"
	"strconv"
	"testing"
)

// FreePort returns a loopback TCP port nothing listened on a moment ago:
// for a server the test starts to take.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeAddr returns a loopback host:port nothing listens on: for a server the
// test starts to take, or for a client to fail to reach.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
}
