package testkit

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/proc"
)

// FreePort returns a loopback TCP port nothing listened on a moment ago:
// for a server the test starts to take.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// FreeAddr returns a loopback host:port nothing listens on: for a server the
// test starts to take, or for a client to fail to reach.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := proc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// FreeAddrs returns n distinct loopback host:ports nothing listens on, for
// n servers the test starts (proc.FreeAddrs).
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	addrs, err := proc.FreeAddrs(n)
	if err != nil {
		t.Fatal(err)
	}
	return addrs
}
