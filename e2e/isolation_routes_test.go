package e2e

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// TestProbesCoverRoutes holds the isolation matrix to the services'
// contracts: every operation of the public API (/v1/…, and a service's
// administration under /admin/v1/…) of every service's
// api/openapi.yaml is exercised by at least one probe, and every probe
// reaches a documented operation. The gateway's own document is left out:
// its routes (users, teams, roles, API keys, SSO, the audit log) are not
// proxied, have no service permission behind the gateway's, and their
// tenant isolation is tested in services/gateway/identity. No stack is
// needed.
func TestProbesCoverRoutes(t *testing.T) {
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "services", "*", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{} // "METHOD /template" → a probe exercises it
	var routes []routers.Router
	for _, file := range files {
		if filepath.Base(filepath.Dir(filepath.Dir(file))) == registry.Gateway {
			continue
		}
		doc, err := openapi3.NewLoader().LoadFromFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for path, item := range doc.Paths.Map() {
			if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/admin/v1/") {
				continue // the service's own documents and probes
			}
			for method := range item.Operations() {
				covered[method+" "+path] = false
			}
		}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		routes = append(routes, r)
	}
	if len(covered) == 0 {
		t.Fatal("no documented operations found")
	}
	for _, p := range probes(placeholderFixture()) {
		op := ""
		for _, r := range routes {
			if route, _, err := r.FindRoute(httptest.NewRequest(p.method, p.path, nil)); err == nil {
				op = route.Method + " " + route.Path
				break
			}
		}
		if _, documented := covered[op]; !documented {
			t.Errorf("probe %q (%s %s) reaches no documented operation", p.name, p.method, p.path)
			continue
		}
		covered[op] = true
	}
	var missing []string
	for op, ok := range covered {
		if !ok {
			missing = append(missing, op)
		}
	}
	slices.Sort(missing)
	for _, op := range missing {
		t.Errorf("%s: no probe of the isolation matrix exercises it", op)
	}
}

// TestProbePermissions checks that the gateway never demands more than the
// service: each probe's gateway permission is of the module of the service's
// and at most as strong (read < write < admin). The service knows who owns
// what and may let a reader change its own things (saved views); the
// gateway, which sees only a method and a path, must not refuse what the
// service allows. testIsolation checks both permissions against the real
// refusals.
func TestProbePermissions(t *testing.T) {
	for _, p := range probes(placeholderFixture()) {
		svc := p.svc
		if svc == "" {
			svc = p.gate
		}
		if !implies(svc, p.gate) {
			t.Errorf("probe %q (%s %s): the gateway demands %s, more than the service's %s", p.name, p.method, p.path, p.gate, svc)
		}
	}
}

// levels ranks the actions of a permission. Marketing's send (starting a
// send) ranks above write: the gateway asks write of every POST, so a role
// is given send beside write (the built-in marketer) or not at all.
var levels = map[string]int{"read": 0, "write": 1, "send": 2, "admin": 3}

// implies reports whether a caller holding permission has is sure to hold
// want too, as the matrix's permissions go: the same module, an action at
// least as strong.
func implies(has, want string) bool {
	hm, ha, ok1 := strings.Cut(has, ":")
	wm, wa, ok2 := strings.Cut(want, ":")
	hl, ok3 := levels[ha]
	wl, ok4 := levels[wa]
	return ok1 && ok2 && ok3 && ok4 && hm == wm && hl >= wl
}

func TestImplies(t *testing.T) {
	for _, tt := range []struct {
		has, want string
		ok        bool
	}{
		{read, read, true}, {write, read, true}, {admin, read, true},
		{write, write, true}, {admin, write, true}, {admin, admin, true},
		{read, write, false}, {read, admin, false}, {write, admin, false},
		{"sales:admin", read, false}, {"contacts:*", read, false}, {"", read, false},
		{marketingSend, marketingWrite, true}, {marketingWrite, marketingSend, false},
	} {
		if got := implies(tt.has, tt.want); got != tt.ok {
			t.Errorf("implies(%q, %q) = %v, want %v", tt.has, tt.want, got, tt.ok)
		}
	}
}

// placeholderFixture is a fixture of made-up ids, for checking the probes
// without a stack.
func placeholderFixture() fixture {
	return fixture{
		TagID: ids.New(), FieldID: ids.New(), AccountID: ids.New(), ContactID: ids.New(), Contact2ID: ids.New(),
		ViewID: ids.New(), ScanID: ids.New(), FirstName: "Fn", Email: "fn@example.com", AccountName: "Acct", Domain: "example.com",
		ActivityID: ids.New(), Phone: "+1 415 555 0100", Team: "team", ImportID: ids.New(), LeadImportID: ids.New(),
		PipelineID: ids.New(), DefaultPipelineID: ids.New(), OpportunityID: ids.New(), StageName: "Stage",
		ProductID: ids.New(), PriceBookID: ids.New(), QuotedOpportunityID: ids.New(), QuoteID: ids.New(), SKU: "Sku", LeadID: ids.New(), LeadEmail: "lead@example.com", LeadFieldID: ids.New(), LeadTag: "Tag",
		OpportunityFieldID: ids.New(), OpportunityTag: "OppTag",
		LeadRuleID: ids.New(), ScoringRuleID: ids.New(), Support: placeholderSupport(), Marketing: placeholderMarketing(), Reporting: placeholderReporting(),
		Markers: []string{"marker"},
	}
}
