package specmerge

import (
	"strings"

	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// PortalPublicPrefix is where the merged document lists the self-service
// portal's API: the public address the gateway serves (proxy.Portal) for
// the tenant whose slug is the path parameter "tenant".
const PortalPublicPrefix = proxy.PortalPath + "{tenant}/api/v1"

// tenantParameter is the path parameter of PortalPublicPrefix.
var tenantParameter = map[string]any{
	"name": "tenant", "in": "path", "required": true,
	"description": "The tenant's slug. On a domain of the tenant's own the portal is also at /portal/api/v1/….",
	"schema":      map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
}

// publicPortal moves doc's paths under proxy.PortalUpstreamPrefix (the
// portal's API as its service serves it, which no client reaches there)
// to PortalPublicPrefix, with the tenant parameter and no security: the
// portal's customers have no credentials, and the gateway mints its
// principal.
func publicPortal(doc map[string]any) {
	movePublic(doc, proxy.PortalUpstreamPrefix, PortalPublicPrefix, tenantParameter)
}

// movePublic moves doc's paths under from (as a service serves them, which
// no client reaches there) to to, the gateway's public address of them,
// with param first among their parameters and no security.
func movePublic(doc map[string]any, from, to string, param map[string]any) {
	paths := obj(doc, "paths")
	for p, item := range paths {
		rest, ok := strings.CutPrefix(p, from)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			continue
		}
		delete(paths, p)
		m, _ := item.(map[string]any)
		if m == nil {
			continue
		}
		m["parameters"] = append([]any{param}, arr(m, "parameters")...)
		for _, method := range httpMethods {
			if op, ok := m[method].(map[string]any); ok {
				op["security"] = []any{}
			}
		}
		paths[to+rest] = m
	}
}
