package proxy

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// TestOverloadShedPassesThroughAndOpensOnlyItsCircuit has contacts shed
// load (503, Retry-After, the overloaded problem): the gateway passes its
// answers through as they are, then opens contacts' circuit and answers 503
// circuit-open with a Retry-After of its own, while sales, healthy, is
// still served.
func TestOverloadShedPassesThroughAndOpensOnlyItsCircuit(t *testing.T) {
	e := newEnv(t)
	contacts := newUpstream(t, e, "contacts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"type":"https://rapport.dev/problems/overloaded","status":503}`))
	})
	sales := newUpstream(t, e, "sales", nil)
	byService := map[string]string{"contacts": contacts.addr(), "sales": sales.addr()}
	resolver := resolverFunc(func(_ context.Context, service, _ string) ([]discovery.Instance, error) {
		a := byService[service]
		return []discovery.Instance{{ID: a, Address: a, Tags: []string{discovery.SharedTag}}}, nil
	})
	_, gw := newGateway(t, e, Config{Resolver: resolver, Breaker: BreakerConfig{Failures: 2, CoolDown: time.Minute}})

	for i := range 2 {
		resp := do(t, http.MethodPost, gw.URL+"/v1/contacts", writer(), e, stringsReader(`{}`), map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3" || problemType(t, resp) != "overloaded" {
			t.Fatalf("shed request %d: %d with Retry-After %q, want contacts' own 503 overloaded with Retry-After 3", i, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	hits := contacts.count()
	resp := do(t, http.MethodPost, gw.URL+"/v1/contacts", writer(), e, stringsReader(`{}`), map[string]string{"Content-Type": "application/json"})
	if got := problemType(t, resp); resp.StatusCode != http.StatusServiceUnavailable || got != "circuit-open" {
		t.Fatalf("after %d sheds: %d %q, want 503 circuit-open", 2, resp.StatusCode, got)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("circuit-open Retry-After %q, want the seconds left of the cool-down", resp.Header.Get("Retry-After"))
	}
	if contacts.count() != hits {
		t.Error("the open circuit let a request through to contacts")
	}
	if resp := do(t, http.MethodGet, gw.URL+"/v1/opportunities", writer(), e, nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("sales while contacts' circuit is open: %d, want 200", resp.StatusCode)
	}
}
