package proc

import (
	"net"
	"strconv"
)

// FreePort returns a loopback TCP port nothing listened on a moment ago,
// for a process to listen on.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeAddrs returns n distinct loopback host:ports nothing listened on a
// moment ago, for n processes to listen on: every listener is held until
// all are taken, so the system cannot hand one port out twice (as n calls
// of FreeAddr may, each port released before the next is asked for).
func FreeAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// FreeAddr is FreePort as a host:port.
func FreeAddr() (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}
