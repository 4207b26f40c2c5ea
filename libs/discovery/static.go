package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Static resolves services to fixed addresses. It stands in for Consul where
// all services run on one machine. An entry serves the shared tier, or one
// dedicated tenant (by slug); a tenant with no entry of its own is served by
// the shared one, as the single local deployment serves every tenant.
type Static struct {
	addrs map[staticKey][]string // (service, tenant tag) → "host:port" of each replica
}

// staticKey is a service and the tenant tag its entry serves.
type staticKey struct{ service, tag string }

// NewStatic returns a resolver over addrs (service → "host:port"), each
// service with one shared instance.
func NewStatic(addrs map[string]string) *Static {
	s := &Static{addrs: make(map[staticKey][]string, len(addrs))}
	for service, addr := range addrs {
		s.addrs[staticKey{service, SharedTag}] = []string{addr}
	}
	return s
}

// ParseStatic parses a table like
// "contacts=127.0.0.1:8081|127.0.0.1:8091,sales=127.0.0.1:8082,contacts@acme=127.0.0.1:9081"
// (as found in an environment variable) into a Static resolver: each entry
// is service[@tenant-slug]=host:port, with "|" between the addresses of
// replicas. Blanks around entries are ignored; an error names the first bad
// entry.
func ParseStatic(s string) (*Static, error) {
	st := &Static{addrs: make(map[staticKey][]string)}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		key, addrs, err := parseStaticEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("discovery: static entry %d %q: %w", i+1, entry, err)
		}
		if _, dup := st.addrs[key]; dup {
			return nil, fmt.Errorf("discovery: static entry %d %q: service %s listed twice", i+1, entry, describe(key))
		}
		st.addrs[key] = addrs
	}
	if len(st.addrs) == 0 {
		return nil, fmt.Errorf("discovery: static table %q lists no service", s)
	}
	return st, nil
}

// describe names a key as its entry does: "contacts" or "contacts@acme".
func describe(k staticKey) string {
	if k.tag == SharedTag {
		return k.service
	}
	return k.service + "@" + strings.TrimPrefix(k.tag, tenantTagPrefix)
}

// parseStaticEntry splits "service[@tenant]=host:port[|host:port…]" and
// checks each part.
func parseStaticEntry(entry string) (staticKey, []string, error) {
	name, list, ok := strings.Cut(entry, "=")
	name, list = strings.TrimSpace(name), strings.TrimSpace(list)
	service, tenant, dedicated := strings.Cut(name, "@")
	if !ok || service == "" || list == "" || (dedicated && tenant == "") {
		return staticKey{}, nil, errors.New("want service=host:port")
	}
	key := staticKey{service, SharedTag}
	if dedicated {
		key.tag = TenantTag(tenant)
	}
	var addrs []string
	for _, addr := range strings.Split(list, "|") {
		addr = strings.TrimSpace(addr)
		if err := checkAddr(addr); err != nil {
			return staticKey{}, nil, err
		}
		addrs = append(addrs, addr)
	}
	return key, addrs, nil
}

// checkAddr checks that addr is host:port with a port in 1-65535.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if host == "" {
		return fmt.Errorf("address %q has no host", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("address %q: port %q is not a number in 1-65535", addr, port)
	}
	return nil
}

// Resolve returns the instances of service for tenant: the tenant's own
// entry when the table has one, else the shared entry. A service the table
// does not list is not deployed (ErrNotDeployed).
func (s *Static) Resolve(_ context.Context, service, tenant string) ([]Instance, error) {
	key := staticKey{service, TenantTag(tenant)}
	addrs, ok := s.addrs[key]
	if !ok {
		key.tag = SharedTag
		if addrs, ok = s.addrs[key]; !ok {
			return nil, ErrNotDeployed.WithDetail("service %s is not in the static table", service)
		}
	}
	out := make([]Instance, len(addrs))
	for i, addr := range addrs {
		out[i] = Instance{ID: service + "@" + addr, Address: addr, Tags: []string{key.tag}}
	}
	return out, nil
}
