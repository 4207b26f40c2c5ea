package discovery

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
)

// Static resolves every service to one fixed address, whatever the tenant.
// It stands in for Consul where all services run on one machine.
type Static struct {
	addrs map[string]string // service → "host:port"
}

// NewStatic returns a resolver over addrs (service → "host:port").
func NewStatic(addrs map[string]string) *Static {
	return &Static{addrs: maps.Clone(addrs)}
}

// ParseStatic parses a table like "contacts=127.0.0.1:8081,sales=127.0.0.1:8082"
// (as found in an environment variable) into a Static resolver. Blanks around
// entries are ignored; an error names the first bad entry.
func ParseStatic(s string) (*Static, error) {
	addrs := make(map[string]string)
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		service, addr, err := parseStaticEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("discovery: static entry %d %q: %w", i+1, entry, err)
		}
		if _, dup := addrs[service]; dup {
			return nil, fmt.Errorf("discovery: static entry %d %q: service %s listed twice", i+1, entry, service)
		}
		addrs[service] = addr
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("discovery: static table %q lists no service", s)
	}
	return &Static{addrs: addrs}, nil
}

// parseStaticEntry splits "service=host:port" and checks both halves.
func parseStaticEntry(entry string) (service, addr string, err error) {
	service, addr, ok := strings.Cut(entry, "=")
	service, addr = strings.TrimSpace(service), strings.TrimSpace(addr)
	if !ok || service == "" || addr == "" {
		return "", "", errors.New("want service=host:port")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("address: %w", err)
	}
	if host == "" {
		return "", "", fmt.Errorf("address %q has no host", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("address %q: port %q is not a number in 1-65535", addr, port)
	}
	return service, addr, nil
}

// Resolve returns the one instance of service; tenant is ignored, as the
// single deployment serves every tenant. A service the table does not list
// is not deployed (ErrNotDeployed).
func (s *Static) Resolve(_ context.Context, service, _ string) ([]Instance, error) {
	addr, ok := s.addrs[service]
	if !ok {
		return nil, ErrNotDeployed.WithDetail("service %s is not in the static table", service)
	}
	return []Instance{{ID: service + "@" + addr, Address: addr, Tags: []string{SharedTag}}}, nil
}
