package sales

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := OpenAPI(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRoutesAreTheDocumentedOperations checks the service's route table
// against api/openapi.yaml (contracttest.CheckRoutes).
func TestRoutesAreTheDocumentedOperations(t *testing.T) {
	doc, err := OpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	contracttest.CheckRoutes(t, doc, routes(outbox.NewDB(nil, pgstore.Events, "")))
}
