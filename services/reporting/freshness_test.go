package reporting_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// freshnessReply is GET /v1/reports/freshness's answer.
type freshnessReply struct {
	Generation int `json:"generation"`
	Contexts   []struct {
		Context string     `json:"context"`
		AsOf    *time.Time `json:"asOf"`
		Events  int64      `json:"events"`
		Lag     *int64     `json:"lag"`
	} `json:"contexts"`
}

// of returns the freshness of context (zero when it is missing).
func (f freshnessReply) of(context string) (out struct {
	AsOf   *time.Time
	Events int64
	Lag    *int64
}) {
	for _, c := range f.Contexts {
		if c.Context == context {
			out.AsOf, out.Events, out.Lag = c.AsOf, c.Events, c.Lag
		}
	}
	return out
}

// TestFreshnessAsOfAndLag: asOf is the time of the newest event applied
// (whatever order they came in), null for a context without events; the
// events are counted, and the live consumer's lag comes down to 0.
func TestFreshnessAsOfAndLag(t *testing.T) {
	e := newEnv(t)
	a := newUser(uuid.NewString())
	f := contracttest.Decode[freshnessReply](e.want(e.do(a, "GET", "/v1/reports/freshness", nil), http.StatusOK))
	if f.Generation != 1 || len(f.Contexts) != 4 || f.of("support").AsOf != nil || f.of("support").Events != 0 {
		t.Fatalf("before any event: %+v", f)
	}
	newest := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	for _, at := range []time.Time{newest.Add(-time.Hour), newest, newest.Add(-2 * time.Hour)} {
		e.publishCase(a.tenant, "created", kase{ID: uuid.NewString(), Created: at, Updated: at})
	}
	e.waitEvents(a.tenant, "support", 3)
	testkit.Eventually(t, 30*time.Second, "support's lag 0", func() (bool, string) {
		f = contracttest.Decode[freshnessReply](e.want(e.do(a, "GET", "/v1/reports/freshness", nil), http.StatusOK))
		s := f.of("support")
		return s.Lag != nil && *s.Lag == 0, fmt.Sprintf("%+v", f)
	})
	s := f.of("support")
	if s.AsOf == nil || !s.AsOf.Equal(newest) || s.Events != 3 {
		t.Errorf("support's freshness: %+v, want asOf %s and 3 events", s, newest)
	}
	if m := f.of("marketing"); m.AsOf != nil || m.Events != 0 {
		t.Errorf("marketing's freshness without events: %+v", m)
	}
	e.want(e.do(a.as("reporting:write"), "GET", "/v1/reports/freshness", nil), http.StatusForbidden)
}
