package marketing_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/campaigns"
	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// audienceContact puts a contact of tenant in the audience's projection
// (as contacts' events would), with its columns cols (first_name, email,
// …), and returns its id.
func (e *env) audienceContact(tenant string, cols map[string]string) string {
	e.t.Helper()
	id := uuid.NewString()
	names, args := []string{"tenant_id", "id", "created_at", "updated_at", "version"}, []any{tenant, id, time.Now(), time.Now(), 1}
	params := []string{"$1", "$2", "$3", "$4", "$5"}
	for k, v := range cols {
		names, args = append(names, k), append(args, v)
		params = append(params, "$"+strconv.Itoa(len(args)))
	}
	if _, err := e.admin.Exec("INSERT INTO audience_contacts ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(params, ", ")+")",
		args...); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// createCampaign creates a campaign as u from body, which must succeed.
func (e *env) createCampaign(u user, body map[string]any) campaigns.View {
	e.t.Helper()
	return contracttest.Decode[campaigns.View](e.want(e.do(u, "POST", "/v1/campaigns", body), http.StatusCreated))
}

// createTemplate creates a template as u from body, which must succeed.
func (e *env) createTemplate(u user, body map[string]any) templates.Template {
	e.t.Helper()
	return contracttest.Decode[templates.Template](e.want(e.do(u, "POST", "/v1/templates", body), http.StatusCreated))
}

// inbound is an event of tenant as the service (registry name) from
// publishes it: of type typ on subject, with data.
func inbound(t *testing.T, from, typ, subject, tenant string, data any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/"+from, typ, subject, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// send publishes evs to the topic of the service from (registry name).
func (e *env) send(from string, evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", from))); err != nil {
			e.t.Fatal(err)
		}
	}
}

// consumed waits until the consumer group has taken the event id: applied
// or skipped it (both recorded in the inbox with what it changed).
func (e *env) consumed(group, id string) {
	e.t.Helper()
	testkit.Eventually(e.t, 45*time.Second, "event "+id+" consumed by "+group, func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = $2", id, group); err != nil {
			e.t.Fatal(err)
		}
		return n == 1, ""
	})
}

// publishedOf returns the events the service published whose type starts
// with one of prefixes ("dev.rapport.marketing.campaign.").
func (e *env) publishedOf(prefixes ...string) []events.Event {
	e.t.Helper()
	var out []events.Event
	for _, ev := range e.published() {
		for _, p := range prefixes {
			if strings.HasPrefix(ev.Type, p) {
				out = append(out, ev)
				break
			}
		}
	}
	return out
}
