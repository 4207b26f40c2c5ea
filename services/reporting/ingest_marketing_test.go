package reporting_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/registry"
)

// readModel selects into dest with q in a transaction of its own whose
// app.tenant_id is tenant: q names the tenant's rows by
// current_setting('app.tenant_id') (the admin connection sees every
// tenant's).
func (e *env) readModel(tenant string, dest any, q string, args ...any) {
	e.t.Helper()
	tx, err := e.admin.Beginx()
	if err != nil {
		e.t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		e.t.Fatal(err)
	}
	if err := tx.Select(dest, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// campaignRow is a row of rm_campaigns as the tests compare it.
type campaignRow struct {
	ID       string  `db:"id"`
	Name     string  `db:"name"`
	Status   string  `db:"status"`
	Owner    string  `db:"owner_id"`
	Budget   *string `db:"budget"`
	Cost     *string `db:"actual_cost"`
	Currency string  `db:"cost_currency"`
	Deleted  bool    `db:"deleted"`
	Version  int     `db:"version"`
}

// touchRow is a row of rm_touches as the tests compare it.
type touchRow struct {
	Contact  string    `db:"contact_id"`
	Campaign string    `db:"campaign_id"`
	Kind     string    `db:"kind"`
	At       time.Time `db:"at"`
}

// A campaign's newest version wins whatever order its events come in (an
// older one after it changes nothing), its costs stay exact decimals, a
// redelivered event counts once and campaign.deleted marks it deleted.
func TestIngestMarketingCampaigns(t *testing.T) {
	e := newEnv(t)
	tenant, other := uuid.NewString(), uuid.NewString()
	c := campaign{ID: uuid.NewString(), Name: "Spring", Owner: "u1", Status: "planned", Budget: "5000", Currency: "EUR",
		Created: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), Version: 1}
	v2 := c
	v2.Name, v2.Status, v2.Cost, v2.Version = "Spring sale", "active", "1234.505", 2
	updated := campaignEvent("updated", v2).event(t, registry.Marketing, tenant)
	e.publishEvent(registry.Marketing, updated)
	e.publishCampaign(tenant, "created", c)
	e.publishEvent(registry.Marketing, updated)
	gone := campaign{ID: uuid.NewString(), Name: "Old", Created: c.Created, Version: 4}
	e.publishCampaign(tenant, "created", gone)
	e.publishCampaign(tenant, "deleted", gone)
	e.publishCampaign(other, "created", campaign{ID: c.ID, Name: "Theirs", Created: c.Created})
	e.waitEvents(tenant, "marketing", 4)
	e.waitEvents(other, "marketing", 1)

	var got []campaignRow
	e.readModel(tenant, &got, `SELECT id, name, status, owner_id, budget::text, actual_cost::text, cost_currency, deleted, version
		FROM rm_campaigns WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 ORDER BY name`)
	budget, cost := "5000", "1234.505"
	want := []campaignRow{
		{ID: gone.ID, Name: "Old", Status: "active", Deleted: true, Version: 4},
		{ID: c.ID, Name: "Spring sale", Status: "active", Owner: "u1", Budget: &budget, Cost: &cost, Currency: "EUR", Version: 2},
	}
	if !campaignRowsEqual(got, want) {
		t.Errorf("campaigns %+v, want %+v", got, want)
	}
	if n, err := e.applied(tenant, "marketing"); err != nil || n != 4 {
		t.Errorf("%d events applied (%v), want 4: the redelivery counted once", n, err)
	}
	var theirs []campaignRow
	e.readModel(other, &theirs, `SELECT id, name, status, owner_id, budget::text, actual_cost::text, cost_currency, deleted, version
		FROM rm_campaigns WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1`)
	if len(theirs) != 1 || theirs[0].Name != "Theirs" {
		t.Errorf("the other tenant's campaigns %+v, want its own only", theirs)
	}
}

// campaignRowsEqual compares campaign rows, their decimals by value.
func campaignRowsEqual(a, b []campaignRow) bool {
	return slices.EqualFunc(a, b, func(x, y campaignRow) bool {
		same := func(p, q *string) bool { return p == nil && q == nil || p != nil && q != nil && *p == *q }
		return same(x.Budget, y.Budget) && same(x.Cost, y.Cost) &&
			x.ID == y.ID && x.Name == y.Name && x.Status == y.Status && x.Owner == y.Owner &&
			x.Currency == y.Currency && x.Deleted == y.Deleted && x.Version == y.Version
	})
}

// Each message, form submission and response naming a contact and a
// campaign is a touch at the payload's own time; one without a campaign
// (or, for a form, a contact) is skipped, a redelivered one counts once,
// and another tenant's touches stay its own.
func TestIngestMarketingTouches(t *testing.T) {
	e := newEnv(t)
	tenant, other := uuid.NewString(), uuid.NewString()
	contact, camp := uuid.NewString(), uuid.NewString()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	kinds := []string{"sent", "opened", "clicked", "form", "responded"}
	for i, kind := range kinds {
		e.publishTouch(tenant, kind, contact, camp, at.Add(time.Duration(i)*time.Hour))
	}
	sent := touchEvent(t, "sent", contact, camp, at.Add(-time.Hour)).event(t, registry.Marketing, tenant)
	sent.Time = at.Add(48 * time.Hour) // the envelope's time is no touch's
	e.publishEvent(registry.Marketing, sent)
	e.publishEvent(registry.Marketing, sent)
	e.publishTouch(tenant, "sent", contact, "", at)
	e.publishTouch(tenant, "form", "", camp, at)
	e.publishTouch(other, "clicked", contact, camp, at)
	e.waitEvents(tenant, "marketing", 8)
	e.waitEvents(other, "marketing", 1)

	var got []touchRow
	e.readModel(tenant, &got, `SELECT contact_id, campaign_id, kind, at FROM rm_touches WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 ORDER BY at`)
	want := []touchRow{{contact, camp, "sent", at.Add(-time.Hour)}}
	for i, kind := range kinds {
		want = append(want, touchRow{contact, camp, kind, at.Add(time.Duration(i) * time.Hour)})
	}
	if !slices.EqualFunc(got, want, func(a, b touchRow) bool {
		return a.Contact == b.Contact && a.Campaign == b.Campaign && a.Kind == b.Kind && a.At.Equal(b.At)
	}) {
		t.Errorf("touches %+v, want %+v", got, want)
	}
	var theirs []touchRow
	e.readModel(other, &theirs, `SELECT contact_id, campaign_id, kind, at FROM rm_touches WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1`)
	if len(theirs) != 1 || theirs[0].Kind != "clicked" {
		t.Errorf("the other tenant's touches %+v, want its click only", theirs)
	}
}
