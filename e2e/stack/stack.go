// Package stack runs Rapport's real binaries for end-to-end tests: the
// gateway and the contacts, sales, support, marketing and reporting services, each on its own scratch PostgreSQL
// database (owner for migrations, a runtime role under RLS) and one
// in-process Kafka, wired as the local launcher (deploy/local) wires them.
package stack

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Stack is a running gateway in front of running contacts, sales, support,
// marketing and reporting services.
type Stack struct {
	GatewayURL    string   // http://127.0.0.1:port
	MetricsURL    string   // the gateway's internal listener (GATEWAY_METRICS_ADDR)
	ContactsURL   string   // the contacts service itself, bypassing the gateway
	SalesURL      string   // the sales service itself, bypassing the gateway
	SupportURL    string   // the support service itself, bypassing the gateway
	MarketingURL  string   // the marketing service itself, bypassing the gateway
	ReportingURL  string   // the reporting service itself, bypassing the gateway
	Brokers       []string // the Kafka the contacts service publishes to
	Topic         string   // the contacts topic, rapport.contacts.v1
	PlatformToken string   // the operator's token for /admin/v1
	SigningKey    crypto.Signer
	ContactsDB    string // the contacts database's owner URL, to read its catalog

	mail        *mailSink     // the support, marketing and reporting services' mail relay (MailTo)
	contacts    *proc.Process // the running contacts service; nil while stopped
	contactsBin string
	contactsEnv []string
	dedicated   *Dedicated // the planned dedicated deployment, if any
}

// Start builds nothing (see Build): it provisions six databases and
// Kafka (the contacts, sales, support, marketing and reporting topics), starts the gateway and then the
// services from bins, waits until each is ready and stops everything when
// the test ends.
func Start(t testing.TB, bins Binaries) *Stack {
	t.Helper()
	return StartWith(t, bins, Options{})
}

// StartWith is Start with options: a dedicated deployment the gateway
// routes a tenant to (Options.Dedicated, started by StartDedicated).
func StartWith(t testing.TB, bins Binaries, o Options) *Stack {
	t.Helper()
	gdb, cdb, sdb, supdb, mdb, rdb := testkit.Postgres(t), testkit.Postgres(t), testkit.Postgres(t), testkit.Postgres(t), testkit.Postgres(t), testkit.Postgres(t)
	topic, salesTopic := registry.MustTopic("", registry.Contacts), registry.MustTopic("", registry.Sales)
	supportTopic, marketingTopic := registry.MustTopic("", registry.Support), registry.MustTopic("", registry.Marketing)
	reportingTopic := registry.MustTopic("", registry.Reporting)
	webhooksTopic := registry.MustTopic("", registry.Gateway) // the gateway's own outbox: its webhook subscriptions' events
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, topic, events.DLQ(topic), salesTopic, events.DLQ(salesTopic),
		supportTopic, events.DLQ(supportTopic), marketingTopic, events.DLQ(marketingTopic), reportingTopic, events.DLQ(reportingTopic),
		webhooksTopic, events.DLQ(webhooksTopic)), kfake.SeedTopics(3, o.Dedicated.topics()...))
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "signing-key.pem")
	key, err := auth.WriteKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	addrs := testkit.FreeAddrs(t, 7)
	gAddr, mAddr, cAddr, sAddr, supAddr, mktAddr, repAddr := addrs[0], addrs[1], addrs[2], addrs[3], addrs[4], addrs[5], addrs[6]
	s := &Stack{
		GatewayURL: "http://" + gAddr, MetricsURL: "http://" + mAddr, ContactsURL: "http://" + cAddr, SalesURL: "http://" + sAddr,
		SupportURL: "http://" + supAddr, MarketingURL: "http://" + mktAddr, ReportingURL: "http://" + repAddr,
		Brokers: brokers, Topic: topic, PlatformToken: randomHex(24), SigningKey: key, ContactsDB: cdb.AdminURL,
		dedicated: o.Dedicated,
	}
	common := []string{"KAFKA_BROKERS=" + strings.Join(brokers, ","), "TOPIC_PREFIX=", "LOG_LEVEL=warn"}
	start(t, "gateway", bins.Gateway, s.GatewayURL, append(common,
		"SERVICE_NAME=gateway",
		"DATABASE_URL="+gdb.AppURL, "DATABASE_MIGRATE_URL="+gdb.AdminURL,
		"GATEWAY_ADDR="+gAddr, "GATEWAY_METRICS_ADDR="+mAddr, "GATEWAY_PUBLIC_URL="+s.GatewayURL,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString(randomBytes(32)),
		"GATEWAY_PLATFORM_TOKEN="+s.PlatformToken,
		"GATEWAY_SIGNING_KEYS="+keyFile,
		"STATIC_UPSTREAMS=contacts="+cAddr+",sales="+sAddr+",support="+supAddr+",marketing="+mktAddr+",reporting="+repAddr+o.Dedicated.upstreams(),
		// The matrix sends hundreds of requests per tenant within seconds;
		// the default 100/s per tenant would turn them into 429s. Every
		// public marketing request comes from 127.0.0.1, as no two
		// recipients' would.
		"RATE_LIMIT_TENANT=100000:100000", "RATE_LIMIT_API_KEY=100000:100000",
		"RATE_LIMIT_MARKETING_TRACK_ADDRESS=100000:100000", "RATE_LIMIT_MARKETING_FORM_ADDRESS=100000:100000",
		"RATE_LIMIT_MARKETING_PAGE_ADDRESS=100000:100000",
		// Webhooks reach the tests' receivers on 127.0.0.1 over http (the
		// development setting), time out and retry within seconds.
		"GATEWAY_WEBHOOK_ALLOW_PRIVATE=true", "GATEWAY_WEBHOOK_TIMEOUT=2s", "GATEWAY_WEBHOOK_SCHEDULE="+WebhookSchedule,
	))
	s.contactsBin, s.contactsEnv = bins.Contacts, append(common,
		"SERVICE_NAME=contacts", "HTTP_ADDR="+cAddr,
		"DATABASE_URL="+cdb.AppURL, "DATABASE_MIGRATE_URL="+cdb.AdminURL,
		"AUTH_JWKS_URL="+s.GatewayURL+"/.well-known/jwks.json",
		"CURSOR_KEY="+randomHex(32),
	)
	s.StartContacts(t)
	start(t, "sales", bins.Sales, s.SalesURL, append(common,
		"SERVICE_NAME=sales", "HTTP_ADDR="+sAddr,
		"CONTACTS_URL="+s.ContactsURL, // lead conversion calls contacts with its caller's authority
		"DATABASE_URL="+sdb.AppURL, "DATABASE_MIGRATE_URL="+sdb.AdminURL,
		"AUTH_JWKS_URL="+s.GatewayURL+"/.well-known/jwks.json",
		"CURSOR_KEY="+randomHex(32),
	))
	// The support service mails through an in-process relay (MailTo): the
	// portal's links to follow a case, agents' replies.
	s.mail = startMailSink(t)
	start(t, "support", bins.Support, s.SupportURL, append(common,
		"SERVICE_NAME=support", "HTTP_ADDR="+supAddr,
		"SALES_URL="+s.SalesURL, // cases' links to opportunities are checked in sales with the caller's authority
		"SUPPORT_SMTP_URL=smtp://"+s.mail.addr, "SUPPORT_MAIL_FROM=Rapport Support <support@rapport.e2e.test>",
		"SUPPORT_PORTAL_URL="+s.GatewayURL,
		"DATABASE_URL="+supdb.AppURL, "DATABASE_MIGRATE_URL="+supdb.AdminURL,
		"AUTH_JWKS_URL="+s.GatewayURL+"/.well-known/jwks.json",
		"CURSOR_KEY="+randomHex(32),
	))
	// The marketing service mails through the same relay; its tracking,
	// unsubscribe and form links point at the gateway's /m/.
	start(t, "marketing", bins.Marketing, s.MarketingURL, append(common,
		"SERVICE_NAME=marketing", "HTTP_ADDR="+mktAddr,
		"MARKETING_SMTP_URL=smtp://"+s.mail.addr, "MARKETING_MAIL_FROM=news@rapport.e2e.test",
		"MARKETING_PUBLIC_URL="+s.GatewayURL,
		"MARKETING_LINK_KEY="+base64.StdEncoding.EncodeToString(randomBytes(32)),
		"DATABASE_URL="+mdb.AppURL, "DATABASE_MIGRATE_URL="+mdb.AdminURL,
		"AUTH_JWKS_URL="+s.GatewayURL+"/.well-known/jwks.json",
		"CURSOR_KEY="+randomHex(32),
	))
	// The reporting service reads every topic into its read models and
	// mails its scheduled reports through the same relay.
	start(t, "reporting", bins.Reporting, s.ReportingURL, append(common,
		"SERVICE_NAME=reporting", "HTTP_ADDR="+repAddr,
		"REPORTING_SMTP_URL=smtp://"+s.mail.addr, "REPORTING_MAIL_FROM=Rapport Reports <reports@rapport.e2e.test>",
		"DATABASE_URL="+rdb.AppURL, "DATABASE_MIGRATE_URL="+rdb.AdminURL,
		"AUTH_JWKS_URL="+s.GatewayURL+"/.well-known/jwks.json",
		"CURSOR_KEY="+randomHex(32),
	))
	// Registered last, so it runs first at the end: every event the test made
	// the services publish must be in the gateway's event catalogue.
	t.Cleanup(func() { s.CheckEventTypes(t) })
	return s
}

// WebhookSchedule is the stack's GATEWAY_WEBHOOK_SCHEDULE: a delivery is
// tried six times within about five seconds, then fails.
const WebhookSchedule = "0s,1s,1s,1s,1s,1s"

// StopContacts stops the contacts service (a test of what its callers do
// while it is down); StartContacts starts it again on the same address and
// database.
func (s *Stack) StopContacts() {
	if s.contacts != nil {
		s.contacts.Stop(5 * time.Second)
		s.contacts = nil
	}
}

// StartContacts starts the contacts service unless it runs, and waits
// until it is ready.
func (s *Stack) StartContacts(t testing.TB) {
	t.Helper()
	if s.contacts == nil {
		s.contacts = start(t, "contacts", s.contactsBin, s.ContactsURL, s.contactsEnv)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
