package main

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// reportingSources are the contexts whose topics the reporting service
// builds its read models from.
var reportingSources = []string{registry.Contacts, registry.Sales, registry.Marketing, registry.Support}

// startReportingStack builds services/reporting and starts it
// (contactsStack's way, part 12's signer: the bench signs the internal
// tokens and serves their JWKS) on a scratch database and an in-process
// Kafka with its own topic and the four it follows, each with its
// dead-letter topic, partitions partitions each.
func startReportingStack(ctx context.Context, root string) (_ *contactsStack, err error) {
	s := &contactsStack{service: registry.Reporting}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.db, err = newScratchDB(ctx, serverURL()); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { s.db.Drop() }) //nolint:errcheck // best effort; the report does not depend on it
	var seeded []string
	for _, c := range append([]string{registry.Reporting}, reportingSources...) {
		t := registry.MustTopic("", c)
		seeded = append(seeded, t, events.DLQ(t))
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, seeded...))
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, cluster.Close)
	var jwks *httptest.Server
	if s.signer, jwks, err = serveJWKS(); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, jwks.Close)
	dir, err := os.MkdirTemp("", "rapport-bench-")
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(dir) })
	if s.bin, err = buildBinary(ctx, root, dir, "./services/reporting/cmd/reporting"); err != nil {
		return nil, err
	}
	s.brokers = cluster.ListenAddrs()
	s.env = []string{"SERVICE_NAME=" + registry.Reporting,
		"DATABASE_URL=" + s.db.AppURL, "DATABASE_MIGRATE_URL=" + s.db.AdminURL,
		"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "AUTH_JWKS_URL=" + jwks.URL,
		"CURSOR_KEY=" + randomHex(32), "LOG_LEVEL=error",
	}
	if s.base, err = s.replica(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// reportingAdmin is a user of tenant with every reporting permission and
// the record scope all.
func reportingAdmin(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: "bench-admin", Roles: []string{"admin"},
		Permissions: []string{"reporting:read", "reporting:write", "reporting:admin"},
		RecordScope: map[string]auth.Scope{registry.Reporting: auth.ScopeAll}}
}
