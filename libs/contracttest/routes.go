package contracttest

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rapport-crm/rapport/libs/starter"
)

// CheckRoutes checks that code and contract name each endpoint alike: in a
// service's route table (every context's), each route's name is the
// operationId of the operation doc (its api/openapi.yaml) documents at its
// method and path, each has an endpoint and a permission, and every
// documented operation is routed once.
func CheckRoutes(t testing.TB, doc *openapi3.T, table []starter.Route) {
	t.Helper()
	documented := 0
	for _, item := range doc.Paths.Map() {
		documented += len(item.Operations())
	}
	if documented != len(table) {
		t.Errorf("api/openapi.yaml documents %d operations, the service routes %d", documented, len(table))
	}
	seen := map[string]bool{}
	for _, r := range table {
		pattern := r.Method + " " + r.Path
		if seen[pattern] {
			t.Errorf("%s is routed twice", pattern)
		}
		seen[pattern] = true
		item := doc.Paths.Value(r.Path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s is not in api/openapi.yaml", pattern)
			continue
		}
		if id := item.GetOperation(r.Method).OperationID; id != r.Name {
			t.Errorf("%s: route %s, operationId %q", pattern, r.Name, id)
		}
		if r.Endpoint == nil || r.Permission == "" {
			t.Errorf("%s (%s) has no endpoint or no permission", pattern, r.Name)
		}
	}
}
