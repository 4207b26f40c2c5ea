package reporting_test

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// TestAsyncAPIDocumentsEveryEvent checks api/asyncapi.yaml against the
// catalogue of the events the service publishes and its topic.
func TestAsyncAPIDocumentsEveryEvent(t *testing.T) {
	contracttest.CheckAsyncAPI(t, "api/asyncapi.yaml", registry.MustTopic("", registry.Reporting), rm.Events)
}
