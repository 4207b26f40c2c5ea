package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
)

// permissionNamed finds the permissions a refusal names.
var permissionNamed = regexp.MustCompile(`[a-z][a-z-]*:[a-z*]+`)

// builtinPrincipals reads the tenant's built-in roles from the gateway
// (GET /v1/roles) as token: each role's name and permissions.
func builtinPrincipals(t *testing.T, gw, token string) map[string]auth.Principal {
	t.Helper()
	res := stack.Must(t, stack.Request{Method: http.MethodGet, URL: gw + "/v1/roles?limit=200", Token: token}, http.StatusOK, nil)
	var page map[string]json.RawMessage
	res.Decode(t, &page)
	out := map[string]auth.Principal{}
	for _, raw := range page {
		var roles []struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
			Builtin     bool     `json:"builtin"`
		}
		if json.Unmarshal(raw, &roles) != nil {
			continue
		}
		for _, r := range roles {
			if r.Builtin {
				out[r.Name] = auth.Principal{Permissions: r.Permissions}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("GET /v1/roles: no built-in role in %s", res.Body)
	}
	return out
}

// testSweepFunctions is the function-level matrix: every built-in role
// (a user of each in tenant B) against every operation the gateway
// proxies, with ids of no record. Where the role lacks the permission the
// gateway's route table asks of the method (registry.Route.Permission), the
// answer is a 403 naming it; where it holds it, no 403 but a service's
// refusal naming a stronger permission the role lacks (contacts:admin, say).
func testSweepFunctions(t *testing.T, w *world, ops []sweepOp) {
	gw := w.st.GatewayURL
	principals := builtinPrincipals(t, gw, w.b.tenant.Admin.Token)
	var mu sync.Mutex
	refused, allowed, byService := 0, 0, 0
	roles := 0
	for _, c := range w.b.callers {
		p, ok := principals[c.name]
		if !ok {
			continue // the API key: its scopes are tested by the isolation matrix
		}
		roles++
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			nRefused, nAllowed, nService := 0, 0, 0
			for _, o := range ops {
				if o.service == "" {
					continue // the gateway's own routes check their own permissions
				}
				values := make([]string, len(o.params))
				for i := range values {
					values[i] = ids.New()
				}
				want := o.route.Permission(o.service, o.method)
				res := sweepDo(t, writeRequest(o.method, gw+o.concrete(values), c.token))
				named := permissionNamed.FindAllString(string(res.Body), -1)
				switch {
				case !p.Can(want):
					nRefused++
					if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), want) {
						t.Errorf("%s as %s = %d, want 403 naming %s: %.300s", o, c.name, res.Status, want, res.Body)
					}
				case res.Status != http.StatusForbidden:
					nAllowed++
				case len(named) > 0 && !p.Can(named[0]):
					nService++ // the service asks more than the gateway (contacts:admin, say)
				default:
					t.Errorf("%s as %s = 403 though the role holds %s: %.300s", o, c.name, want, res.Body)
				}
			}
			mu.Lock()
			refused, allowed, byService = refused+nRefused, allowed+nAllowed, byService+nService
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		t.Logf("functions: %d roles × the proxied operations: %d refused by the route table's permission (403 naming it), "+
			"%d allowed through, %d refused by the service for a stronger permission the role lacks", roles, refused, allowed, byService)
	})
}
