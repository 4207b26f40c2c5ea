package contacts

import (
	"strings"
	"testing"
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := OpenAPI(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRoutesAreTheDocumentedOperations checks that code and contract name
// each endpoint alike: every route's endpoint is the operationId of the
// operation api/openapi.yaml documents at its method and path, and every
// documented operation is routed.
func TestRoutesAreTheDocumentedOperations(t *testing.T) {
	doc, err := OpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	documented := 0
	for _, item := range doc.Paths.Map() {
		documented += len(item.Operations())
	}
	if documented != len(routes) {
		t.Errorf("api/openapi.yaml documents %d operations, the service routes %d", documented, len(routes))
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r.pattern, " ")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s is not in api/openapi.yaml", r.pattern)
			continue
		}
		if id := item.GetOperation(method).OperationID; id != r.endpoint {
			t.Errorf("%s: endpoint %s, operationId %q", r.pattern, r.endpoint, id)
		}
	}
}
