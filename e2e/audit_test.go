package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// auditEntry is the part of an audit entry the tests read.
type auditEntry struct {
	TenantID   string `json:"tenantId"`
	Kind       string `json:"kind"`
	UserID     string `json:"userId"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	ResourceID string `json:"resourceId"`
}

// testAudit reads each tenant's audit log as its administrator: it lists
// the tenant's own mutations (the fixture's creates; the attempts on the
// other tenant's ids, refused) and nothing of the other tenant.
func testAudit(t *testing.T, w *world) {
	for _, tt := range []struct{ own, other *side }{{w.a, w.b}, {w.b, w.a}} {
		t.Run(tt.own.name, func(t *testing.T) {
			var log []auditEntry
			// The writer batches: wait for the last fixture create.
			found := eventually(10*time.Second, func() bool {
				log = readAudit(t, w.st, tt.own.tenant.Admin.Token)
				return slices.ContainsFunc(log, func(e auditEntry) bool { return e.ResourceID == tt.own.fixture.Contact2ID })
			})
			if !found {
				t.Fatalf("audit of %s never listed the create of contact %s (%d entries)", tt.own.name, tt.own.fixture.Contact2ID, len(log))
			}
			for _, id := range tt.own.fixture.IDs() {
				if !slices.ContainsFunc(log, func(e auditEntry) bool { return e.ResourceID == id && e.Method == "POST" && e.Status == 201 }) {
					t.Errorf("audit lists no 201 POST creating %s", id)
				}
			}
			refused := slices.ContainsFunc(log, func(e auditEntry) bool {
				return e.ResourceID == tt.other.fixture.ContactID && e.Method == "PATCH" && e.Status == 404
			})
			if !refused {
				t.Errorf("audit lists no refused PATCH of the other tenant's contact %s", tt.other.fixture.ContactID)
			}
			for _, e := range log {
				if e.TenantID != tt.own.tenant.ID || slices.Contains(tt.other.userIDs, e.UserID) {
					t.Errorf("entry of another tenant: %+v", e)
				}
			}
		})
	}
}

// readAudit returns the whole audit log token's tenant may read.
func readAudit(t *testing.T, st *stack.Stack, token string) []auditEntry {
	t.Helper()
	var all []auditEntry
	cursor := ""
	for {
		var page struct {
			Items      []auditEntry `json:"items"`
			NextCursor string       `json:"nextCursor"`
		}
		u := st.GatewayURL + "/v1/audit?limit=200"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		stack.Must(t, stack.Request{Method: "GET", URL: u, Token: token}, http.StatusOK, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}
