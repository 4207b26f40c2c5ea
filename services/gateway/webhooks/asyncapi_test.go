package webhooks

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
)

// TestWebhooksAPIAsyncAPI checks api/asyncapi.yaml documents exactly the
// gateway's events (Events), on rapport.webhooks.v1, and that the type
// constants are the catalogue's.
func TestWebhooksAPIAsyncAPI(t *testing.T) {
	contracttest.CheckAsyncAPI(t, "../api/asyncapi.yaml", events.Topic("", Context), Events)
	types := Events.Types()
	for _, typ := range []string{TypeCreated, TypeUpdated, TypeDeleted, TypeDisabled, TypeEnabled} {
		if !slices.Contains(types, typ) {
			t.Errorf("%s is not in Events", typ)
		}
	}
}
