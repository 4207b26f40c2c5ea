package registry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// TestDefaultIsConsistent checks what every reader of the registry relies
// on: safe unique names, one topic per context, one entry without routes or
// topic, and each public prefix well formed and owned once.
func TestDefaultIsConsistent(t *testing.T) {
	reg := registry.Default()
	names, contexts, prefixes := map[string]bool{}, map[string]bool{}, map[string]string{}
	entries := 0
	for _, s := range reg {
		if !registry.ValidName(s.Name) || names[s.Name] {
			t.Errorf("service %q: the name must be unique and a safe identifier", s.Name)
		}
		names[s.Name] = true
		if s.Context != "" {
			if contexts[s.Context] {
				t.Errorf("service %s: context %s owned twice", s.Name, s.Context)
			}
			contexts[s.Context] = true
		}
		if s.Entry {
			entries++
			if len(s.Routes) > 0 {
				t.Errorf("entry %s has routes", s.Name)
			}
		}
		for _, r := range s.Routes {
			if !strings.HasPrefix(r.Prefix, "/v1/") && !strings.HasPrefix(r.Prefix, "/admin/v1/") || strings.HasSuffix(r.Prefix, "/") {
				t.Errorf("service %s: prefix %q must start with /v1/ or /admin/v1/ and not end with /", s.Name, r.Prefix)
			}
			if r.Query && r.OwnWrites {
				t.Errorf("service %s: prefix %s is both Query and OwnWrites (OwnWrites already makes its POST a read)", s.Name, r.Prefix)
			}
			if owner, ok := prefixes[r.Prefix]; ok {
				t.Errorf("prefix %s owned by %s and %s", r.Prefix, owner, s.Name)
			}
			prefixes[r.Prefix] = s.Name
		}
	}
	if entries != 1 || !reg[len(reg)-1].Entry {
		t.Errorf("want exactly one entry, last in port order; got %d", entries)
	}
}

// TestOwnWrites: saved views are a caller's own saved queries, which the
// contacts service lets anyone with contacts:read create, change and delete
// (their own; a shared one also needs contacts:admin), so the gateway must
// not ask for contacts:write; no other route of Default is of that kind.
func TestOwnWrites(t *testing.T) {
	var got []string
	for _, s := range registry.Default() {
		for _, r := range s.Routes {
			if r.OwnWrites {
				got = append(got, s.Name+" "+r.Prefix)
			}
		}
	}
	if want := []string{"contacts /v1/saved-views"}; !slices.Equal(got, want) {
		t.Errorf("routes with OwnWrites = %v, want %v", got, want)
	}
}

func TestDefaultServices(t *testing.T) {
	reg := registry.Default()
	if got, want := reg.Names(), []string{"contacts", "sales", "marketing", "support", "reporting", "gateway"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got, want := reg.Built().Names(), []string{"contacts", "sales", "marketing", "support", "reporting", "gateway"}; !slices.Equal(got, want) {
		t.Errorf("Built() = %v, want %v", got, want)
	}
	if got, want := reg.Domain().Names(), []string{"contacts", "sales", "marketing", "support", "reporting"}; !slices.Equal(got, want) {
		t.Errorf("Domain() = %v, want %v", got, want)
	}
}

func TestTopics(t *testing.T) {
	reg := registry.Default()
	got := reg.Topics(events.TenantPrefix("acme"), reg.Names())
	want := []string{
		"t.acme.rapport.contacts.v1", "t.acme.rapport.contacts.v1.dlq",
		"t.acme.rapport.sales.v1", "t.acme.rapport.sales.v1.dlq",
		"t.acme.rapport.marketing.v1", "t.acme.rapport.marketing.v1.dlq",
		"t.acme.rapport.support.v1", "t.acme.rapport.support.v1.dlq",
		"t.acme.rapport.reporting.v1", "t.acme.rapport.reporting.v1.dlq",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Topics = %v, want %v (the shared gateway's topic is no dedicated tenant's)", got, want)
	}
	if got := reg.Topics("", []string{"nothing", "gateway"}); len(got) != 0 {
		t.Errorf("Topics of an unknown service and the gateway = %v, want none", got)
	}
	if got, want := registry.MustTopic("", registry.Contacts), "rapport.contacts.v1"; got != want {
		t.Errorf("MustTopic = %q, want %q", got, want)
	}
	if got, want := registry.MustTopic("", registry.Gateway), "rapport.webhooks.v1"; got != want {
		t.Errorf("MustTopic(gateway) = %q, want %q", got, want)
	}
}

func TestMustTopicPanicsWithoutTopic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustTopic(nothing) did not panic")
		}
	}()
	registry.MustTopic("", "nothing")
}

// TestAddedServiceHasTopic adds a service to a copy of the registry: its
// topic follows from its context, and Default is left as it was.
func TestAddedServiceHasTopic(t *testing.T) {
	reg := append(registry.Default(), registry.Service{Name: "billing", Context: "billing", Built: true})
	if got := reg.Topics("", []string{"billing"}); !slices.Equal(got, []string{"rapport.billing.v1", "rapport.billing.v1.dlq"}) {
		t.Errorf("Topics(billing) = %v", got)
	}
	if _, ok := registry.Default().Lookup("billing"); ok {
		t.Error("Default holds the test's billing")
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{"contacts": true, "a_b2": true, "": false, "Sales": false, "2x": false, "a-b": false, strings.Repeat("a", 42): false} {
		if got := registry.ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}
