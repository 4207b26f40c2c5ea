package load

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
)

// Tenant is a tenant the load writes to, with what its writes need: the
// administrator's token, a pipeline of open stages, a public form, and the
// records made so far (with their versions) that later writes act on.
type Tenant struct {
	ID, Slug string
	Email    string // the administrator's
	password string
	Pipeline string   // the load's pipeline
	Stages   []string // its open stages, in order
	Forms    []string // the public forms' ids
	Account  string   // the account the load's opportunities are on
	Hook     string   // the webhook subscription's id ("" without a receiver)
	// HookSince is when the subscription is sure to be in effect
	// (SubscriptionDelay after it was answered): the events published
	// after it are all delivered.
	HookSince time.Time

	mu       sync.Mutex
	token    string
	contacts []*record // live contacts the load made (merge losers leave)
	opps     []*record
	cases    []string
	formUses map[string][]time.Time // each form's submissions in the last FormWindow
}

// record is a record of the load with its current ETag.
type record struct {
	ID, ETag string
	Stage    int  // an opportunity's stage index
	busy     bool // a write on it is in flight
}

// The marketing service takes at most FormBudget submissions of a form
// from one address in FormWindow; the load's visitors all come from one
// address, so it spreads its submissions over FormsPerTenant forms and
// sends none beyond that budget.
const (
	FormsPerTenant = 4
	FormBudget     = 5
	FormWindow     = 10 * time.Minute
)

// takeForm returns a form with budget left and counts a submission to it;
// "" when every form has used its budget.
func (t *Tenant) takeForm(now time.Time) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.formUses == nil {
		t.formUses = map[string][]time.Time{}
	}
	for _, f := range t.Forms {
		var recent []time.Time
		for _, at := range t.formUses[f] {
			if now.Sub(at) < FormWindow+time.Minute {
				recent = append(recent, at)
			}
		}
		t.formUses[f] = recent
		if len(recent) < FormBudget {
			t.formUses[f] = append(recent, now)
			return f
		}
	}
	return ""
}

// Token returns the administrator's access token.
func (t *Tenant) Token() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token
}

// NewTenant creates tenant slug through the admin API with the platform
// token, activates its administrator and makes the load's pipeline and
// public form; with hookURL set it subscribes hookURL to every event of
// the tenant and returns the subscription's signing secret too.
func NewTenant(ctx context.Context, cl *Client, platformToken, slug, hookURL string) (*Tenant, string, error) {
	admin := gatewayadmin.New(cl.Base, platformToken, 60*time.Second)
	t := &Tenant{Slug: slug, Email: "admin@" + slug + ".test", password: "chaos-" + NewKey()[:16]}
	created, inv, err := admin.Create(ctx, gatewayadmin.NewTenant{Slug: slug, Name: "Chaos " + slug, Tier: "shared",
		Admin: gatewayadmin.Admin{Email: t.Email, Name: "Chaos admin"}})
	if err != nil {
		return nil, "", fmt.Errorf("create tenant %s: %w", slug, err)
	}
	t.ID = created.ID
	tokens, err := admin.Activate(ctx, inv.Token, t.password)
	if err != nil {
		return nil, "", fmt.Errorf("activate %s: %w", t.Email, err)
	}
	t.token = tokens.AccessToken
	var pl struct {
		ID     string `json:"id"`
		Stages []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"stages"`
	}
	if err := t.setup(ctx, cl, "POST", "/v1/pipelines", map[string]any{"name": "Chaos", "stages": []map[string]any{
		{"name": "Qualify", "kind": "open", "probability": 10}, {"name": "Propose", "kind": "open", "probability": 40},
		{"name": "Negotiate", "kind": "open", "probability": 70}, {"name": "Commit", "kind": "open", "probability": 90},
		{"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}}}, &pl); err != nil {
		return nil, "", err
	}
	t.Pipeline = pl.ID
	for _, s := range pl.Stages {
		if s.Kind == "open" {
			t.Stages = append(t.Stages, s.ID)
		}
	}
	var acct struct{ ID string }
	if err := t.setup(ctx, cl, "POST", "/v1/accounts", map[string]any{"name": "Chaos account " + slug}, &acct); err != nil {
		return nil, "", err
	}
	t.Account = acct.ID
	for i := range FormsPerTenant {
		var form struct{ ID string }
		if err := t.setup(ctx, cl, "POST", "/v1/forms", map[string]any{"name": fmt.Sprintf("Chaos sign-up %d", i+1),
			"thankYou": map[string]any{"message": "Thanks."},
			"fields": []map[string]any{
				{"key": "last", "label": "Last name", "type": "text", "required": true, "mapsTo": "lastName"},
				{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"}}}, &form); err != nil {
			return nil, "", err
		}
		t.Forms = append(t.Forms, form.ID)
	}
	if hookURL == "" {
		return t, "", nil
	}
	var sub struct{ ID, Secret string }
	if err := t.setup(ctx, cl, "POST", "/v1/webhooks/subscriptions", map[string]any{"url": hookURL, "eventTypes": []string{"*"}}, &sub); err != nil {
		return nil, "", err
	}
	t.Hook, t.HookSince = sub.ID, time.Now().Add(SubscriptionDelay)
	return t, sub.Secret, nil
}

// SubscriptionDelay is how long after its creation a webhook
// subscription is sure to be in effect: each gateway replica's fan-out
// trusts its cache of a tenant's subscriptions for 5 s
// (webhooks.DefaultCacheTTL, documented with the webhooks API), so an
// event published sooner may find none.
const SubscriptionDelay = 6 * time.Second

// setup sends one set-up write as the administrator and decodes its 2xx
// answer into out.
func (t *Tenant) setup(ctx context.Context, cl *Client, method, path string, body, out any) error {
	a := cl.Do(ctx, "setup", Call{Method: method, Path: path, Token: t.Token(), Body: body, Key: NewKey()})
	if !a.OK() {
		return fmt.Errorf("%s %s: %d %.300s %v", method, path, a.Status, a.Body, a.Err)
	}
	return a.Decode(out)
}

// Relogin signs the administrator in again (after a 401: the access
// token expired).
func (t *Tenant) Relogin(ctx context.Context, cl *Client) error {
	a := cl.Do(ctx, "login", Call{Method: http.MethodPost, Path: "/v1/auth/login",
		Body: map[string]string{"tenant": t.Slug, "email": t.Email, "password": t.password}})
	var pair struct {
		AccessToken string `json:"accessToken"`
	}
	if !a.OK() {
		return fmt.Errorf("login %s: %d %.200s %v", t.Slug, a.Status, a.Body, a.Err)
	}
	if err := a.Decode(&pair); err != nil {
		return err
	}
	t.mu.Lock()
	t.token = pair.AccessToken
	t.mu.Unlock()
	return nil
}
