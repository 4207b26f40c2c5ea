package e2e

import (
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// gatewayProbeOps holds probes of the gateway's own routes to its
// api/openapi.yaml: every operation whose path starts with prefix is
// exercised by one of them, and every probe reaches one of those (what
// names them in the errors). It returns the operation ("GET /v1/x/{id}")
// each probe reaches, "" for one that reaches none.
func gatewayProbeOps(t *testing.T, what, prefix string, probes []probe) []string {
	t.Helper()
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(root, "services", registry.Gateway, "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		if strings.HasPrefix(path, prefix) {
			for method := range item.Operations() {
				covered[method+" "+path] = false
			}
		}
	}
	if len(covered) == 0 {
		t.Fatalf("no %s operations found", what)
	}
	doc.Servers = nil // match paths wherever the gateway runs
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	ops := make([]string, len(probes))
	for i, p := range probes {
		route, _, err := r.FindRoute(httptest.NewRequest(p.method, p.path, nil))
		if err != nil {
			t.Errorf("probe %q (%s %s) reaches no documented operation: %v", p.name, p.method, p.path, err)
			continue
		}
		op := route.Method + " " + route.Path
		if _, ok := covered[op]; !ok {
			t.Errorf("probe %q reaches %s, not a %s operation", p.name, op, what)
		}
		covered[op], ops[i] = true, op
	}
	var missing []string
	for op, ok := range covered {
		if !ok {
			missing = append(missing, op)
		}
	}
	slices.Sort(missing)
	for _, op := range missing {
		t.Errorf("%s: no probe of the %s' isolation matrix exercises it", op, what)
	}
	return ops
}
