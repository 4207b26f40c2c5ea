package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// testDeletedTags: a tag deleted through the gateway leaves the contact it
// was on at once, and the running contacts service then strips its id from
// the stored row, after which the contact matches "tags isEmpty".
func testDeletedTags(t *testing.T, w *world) {
	token := w.a.tenant.Admin.Token
	name := "Gone " + letters(8)
	var tag struct{ ID string }
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: w.st.GatewayURL + "/v1/tags", Token: token,
		Body: map[string]any{"name": name}}, http.StatusCreated, &tag)
	email := "tagged." + letters(8) + "@" + letters(6) + ".example"
	var contact struct {
		ID   string
		Tags []string
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: w.st.GatewayURL + "/v1/contacts", Token: token,
		Body: map[string]any{"firstName": "Tagged", "emails": []map[string]any{{"address": email}}, "tags": []string{name}}},
		http.StatusCreated, &contact)
	stack.Must(t, stack.Request{Method: http.MethodDelete, URL: w.st.GatewayURL + "/v1/tags/" + tag.ID, Token: token}, http.StatusNoContent, nil)
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: w.st.GatewayURL + "/v1/contacts/" + contact.ID, Token: token}, http.StatusOK, &contact)
	if len(contact.Tags) != 0 {
		t.Errorf("the contact's tags after the delete: %v", contact.Tags)
	}
	filter := url.QueryEscape(`{"and": [{"field": "emails", "op": "eq", "value": "` + email + `"}, {"field": "tags", "op": "isEmpty"}]}`)
	var page struct{ Items []struct{ ID string } }
	testkit.Eventually(t, 30*time.Second, "the contact's row without the deleted tag's id", func() (bool, string) {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: w.st.GatewayURL + "/v1/contacts?filter=" + filter, Token: token}, http.StatusOK, &page)
		return len(page.Items) == 1, fmt.Sprintf("%d contacts match", len(page.Items))
	})
}
