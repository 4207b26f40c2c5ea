package marketing

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// TestRoutesAreTheDocumentedOperations checks that api/openapi.yaml loads
// and is valid, and the service's route table against it
// (contracttest.CheckRoutes).
func TestRoutesAreTheDocumentedOperations(t *testing.T) {
	doc, err := OpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	db := outbox.NewDB(nil, marketingdb.Events, "")
	contracttest.CheckRoutes(t, doc, routes(db, nil, func(string) string { return "" }))
}
