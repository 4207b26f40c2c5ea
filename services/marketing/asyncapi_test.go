package marketing_test

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// TestAsyncAPIDocumentsEveryEvent checks api/asyncapi.yaml against the
// catalogue of the events the service publishes and its topic.
func TestAsyncAPIDocumentsEveryEvent(t *testing.T) {
	contracttest.CheckAsyncAPI(t, "api/asyncapi.yaml", registry.MustTopic("", registry.Marketing), marketingdb.Events)
}
