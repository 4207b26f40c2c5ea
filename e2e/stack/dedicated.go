package stack

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Options change what StartWith starts.
type Options struct {
	// Dedicated is a dedicated deployment of one tenant: the gateway routes
	// the tenant's requests of its services there once the tenant's tier is
	// dedicated (STATIC_UPSTREAMS service@slug=addr); StartDedicated starts
	// its processes.
	Dedicated *Dedicated
}

// Dedicated is the dedicated deployment of the tenant Slug: the contacts
// and sales services on their own databases and topics (TOPIC_PREFIX
// events.TenantPrefix(Slug)), as the operator deploys a dedicated tenant;
// the other services stay shared.
type Dedicated struct {
	Slug         string
	ContactsURL  string // http://addr of its contacts service
	SalesURL     string // http://addr of its sales service
	ContactsDB   string // its contacts database's owner URL
	SalesDB      string // its sales database's owner URL
	contacts     pgPair
	sales        pgPair
	contactsAddr string
	salesAddr    string
}

// pgPair is a database's owner and application URLs.
type pgPair struct{ Admin, App string }

// NewDedicated plans the dedicated deployment of slug: its addresses and
// databases, made now.
func NewDedicated(t testing.TB, slug string) *Dedicated {
	t.Helper()
	c, s := testkit.Postgres(t), testkit.Postgres(t)
	addrs := testkit.FreeAddrs(t, 2)
	return &Dedicated{Slug: slug, ContactsURL: "http://" + addrs[0], SalesURL: "http://" + addrs[1],
		ContactsDB: c.AdminURL, SalesDB: s.AdminURL,
		contacts: pgPair{c.AdminURL, c.AppURL}, sales: pgPair{s.AdminURL, s.AppURL},
		contactsAddr: addrs[0], salesAddr: addrs[1]}
}

// topics are the deployment's topics and their DLQs.
func (d *Dedicated) topics() []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, svc := range []string{registry.Contacts, registry.Sales} {
		topic := registry.MustTopic(events.TenantPrefix(d.Slug), svc)
		out = append(out, topic, events.DLQ(topic))
	}
	return out
}

// upstreams are the deployment's STATIC_UPSTREAMS entries, after a comma.
func (d *Dedicated) upstreams() string {
	if d == nil {
		return ""
	}
	return ",contacts@" + d.Slug + "=" + d.contactsAddr + ",sales@" + d.Slug + "=" + d.salesAddr
}

// StartDedicated starts the processes of the stack's dedicated deployment
// (StartWith's Options.Dedicated) and waits until they are ready.
func (s *Stack) StartDedicated(t testing.TB, bins Binaries) {
	t.Helper()
	d := s.dedicated
	if d == nil {
		t.Fatal("stack: StartDedicated without Options.Dedicated")
	}
	common := []string{"KAFKA_BROKERS=" + strings.Join(s.Brokers, ","), "TOPIC_PREFIX=" + events.TenantPrefix(d.Slug),
		"AUTH_JWKS_URL=" + s.GatewayURL + "/.well-known/jwks.json", "CURSOR_KEY=" + randomHex(32),
		"CONSUL_SERVICE_TAGS=tenant-" + d.Slug}
	start(t, "contacts@"+d.Slug, bins.Contacts, d.ContactsURL, append(common,
		"SERVICE_NAME=contacts", "HTTP_ADDR="+d.contactsAddr,
		"DATABASE_URL="+d.contacts.App, "DATABASE_MIGRATE_URL="+d.contacts.Admin))
	start(t, "sales@"+d.Slug, bins.Sales, d.SalesURL, append(common,
		"SERVICE_NAME=sales", "HTTP_ADDR="+d.salesAddr, "CONTACTS_URL="+d.ContactsURL,
		"DATABASE_URL="+d.sales.App, "DATABASE_MIGRATE_URL="+d.sales.Admin))
}
