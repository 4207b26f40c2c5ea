package marketing

import (
	"log/slog"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

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
	p, err := newParts(outbox.NewDB(nil, marketingdb.Events, ""), starter.Env{Logger: slog.New(slog.DiscardHandler)}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	contracttest.CheckRoutes(t, doc, routes(p))
}
