package starter

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/registry"
)

// jwksPath is where the gateway serves its JWKS, below its base URL.
const jwksPath = "/.well-known/jwks.json"

// parsePeers reads where the service calls the gateway and the other
// services directly (libs/svcclient): GATEWAY_URL, by default AUTH_JWKS_URL
// without /.well-known/jwks.json; and <NAME>_URL for each service of the
// registry (CONTACTS_URL, …), by default http://host:port from the
// STATIC_UPSTREAMS table the launcher gives every service. An error names
// the variable.
func parsePeers(c *Config, getenv func(string) string) error {
	c.GatewayURL = strings.TrimRight(strings.TrimSpace(getenv("GATEWAY_URL")), "/")
	if c.GatewayURL == "" {
		if base, ok := strings.CutSuffix(c.JWKSURL, jwksPath); ok {
			c.GatewayURL = base
		}
	}
	if c.GatewayURL != "" && !baseURL(c.GatewayURL) {
		return fmt.Errorf("GATEWAY_URL must be an absolute http(s) URL")
	}
	var static *discovery.Static
	if v := strings.TrimSpace(getenv("STATIC_UPSTREAMS")); v != "" {
		s, err := discovery.ParseStatic(v)
		if err != nil {
			return fmt.Errorf("STATIC_UPSTREAMS: %w", err)
		}
		static = s
	}
	c.ServiceURLs = map[string]string{}
	for _, s := range registry.Default().Domain() {
		name := strings.ToUpper(s.Name) + "_URL"
		u := strings.TrimRight(strings.TrimSpace(getenv(name)), "/")
		if u == "" && static != nil {
			if in, err := static.Resolve(context.Background(), s.Name, ""); err == nil {
				u = "http://" + in[0].Address
			}
		}
		if u == "" {
			continue
		}
		if !baseURL(u) {
			return fmt.Errorf("%s must be an absolute http(s) URL", name)
		}
		c.ServiceURLs[s.Name] = u
	}
	return nil
}

// baseURL reports whether s is an absolute http(s) URL without query or
// fragment.
func baseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == ""
}
