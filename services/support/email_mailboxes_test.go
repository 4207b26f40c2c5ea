package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// mailbox is a support mailbox as the API returns it.
type mailbox struct {
	ID              string `json:"id"`
	Address         string `json:"address"`
	QueueID         string `json:"queueId"`
	DefaultPriority string `json:"defaultPriority"`
	AutoAcknowledge bool   `json:"autoAcknowledge"`
	FromName        string `json:"fromName"`
	IsDefault       bool   `json:"isDefault"`
	Version         int64  `json:"version"`
}

// createMailbox creates a mailbox of u's tenant.
func createMailbox(e *env, u user, body map[string]any) mailbox {
	e.t.Helper()
	return contracttest.Decode[mailbox](e.want(e.do(u, "POST", "/v1/support-mailboxes", body), http.StatusCreated))
}

func TestSupportMailboxes(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	queue := uuid.NewString()
	m := createMailbox(e, u, map[string]any{"address": " Help@Acme.Test ", "queueId": queue, "defaultPriority": "high",
		"fromName": "Acme Support", "isDefault": true})
	if m.Address != "help@acme.test" || m.QueueID != queue || m.DefaultPriority != "high" || !m.AutoAcknowledge || !m.IsDefault {
		t.Errorf("created %+v", m)
	}
	r := e.want(e.do(u, "POST", "/v1/support-mailboxes", map[string]any{"address": "not an address", "defaultPriority": "asap",
		"fromName": "a\nb"}), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"address", "defaultPriority", "fromName"}) {
		t.Errorf("400 names %q", got)
	}
	// An address belongs to one tenant: another's mailbox cannot take it,
	// nor see the first one.
	e.want(e.do(other, "POST", "/v1/support-mailboxes", map[string]any{"address": "help@acme.test"}), http.StatusConflict)
	e.want(e.do(other, "GET", "/v1/support-mailboxes/"+m.ID, nil), http.StatusNotFound)
	if got := contracttest.Decode[struct{ Items []mailbox }](e.want(e.do(other, "GET", "/v1/support-mailboxes", nil), 200)); len(got.Items) != 0 {
		t.Errorf("another tenant lists %+v", got.Items)
	}
	// A second default takes over from the first.
	second := createMailbox(e, u, map[string]any{"address": "sales-help@acme.test", "isDefault": true, "autoAcknowledge": false})
	list := contracttest.Decode[struct{ Items []mailbox }](e.want(e.do(u, "GET", "/v1/support-mailboxes", nil), 200)).Items
	if len(list) != 2 || list[0].ID != m.ID || list[0].IsDefault || !list[1].IsDefault || list[1].AutoAcknowledge {
		t.Errorf("listed %+v", list)
	}
	e.want(e.do(u, "PATCH", "/v1/support-mailboxes/"+second.ID, map[string]any{"fromName": "Sales"}), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/support-mailboxes/"+second.ID, map[string]any{"fromName": "Sales"}, "If-Match", `"9"`), http.StatusPreconditionFailed)
	patched := contracttest.Decode[mailbox](e.want(e.do(u, "PATCH", "/v1/support-mailboxes/"+second.ID,
		map[string]any{"fromName": "Sales", "queueId": nil}, "If-Match", `"1"`), http.StatusOK))
	if patched.FromName != "Sales" || patched.Version != 2 || !patched.IsDefault {
		t.Errorf("patched %+v", patched)
	}
	// Configuring mailboxes needs support:admin, reading them too.
	e.want(e.do(u.as("support:read", "support:write"), "GET", "/v1/support-mailboxes", nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", "/v1/support-mailboxes/"+m.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/support-mailboxes/"+m.ID, nil), http.StatusNotFound)
	createMailbox(e, other, map[string]any{"address": "help@acme.test"})
}
