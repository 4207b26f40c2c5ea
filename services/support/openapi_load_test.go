package support

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/support/chat"
	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/portal"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// TestRoutesAreTheDocumentedOperations checks that api/openapi.yaml loads
// and is valid, and the service's route table against it
// (contracttest.CheckRoutes).
func TestRoutesAreTheDocumentedOperations(t *testing.T) {
	doc, err := OpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	db := outbox.NewDB(nil, supportdb.Events, "")
	mail, err := email.NewChannel(db, nil, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	site, err := portal.FromEnv(db, nil, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	polls, err := surveys.FromEnv(db, nil, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	contracttest.CheckRoutes(t, doc, slices.Concat(routes(db, nil, mail, nil), portal.Routes(site), polls.Routes(),
		chat.Routes(chat.NewService(db, nil, nil, nil), nil)))
}
