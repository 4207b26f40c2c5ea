package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// marketingStack is the real marketing binary (contactsStack's way) on a
// scratch database and an in-process Kafka with the topics it follows,
// mailing through sink, a go-smtp server of the bench.
type marketingStack struct {
	*contactsStack
	sink *mailSink
}

// marketingPublicURL is the gateway URL the service writes into its
// links (MARKETING_PUBLIC_URL); the bench calls the service's
// /public/v1 routes directly, as the gateway forwards them.
const marketingPublicURL = "http://gateway.bench.test"

// startMarketingStack builds services/marketing and starts it on a
// scratch database and an in-process Kafka with its own topic and those
// it follows (contacts' for the audience, sales' for attribution), each
// with its dead-letter topic; its mail goes to a sink of the bench
// (MARKETING_SMTP_URL), its links are signed with a fresh
// MARKETING_LINK_KEY.
func startMarketingStack(ctx context.Context, root string) (_ *marketingStack, err error) {
	s := &marketingStack{contactsStack: &contactsStack{service: registry.Marketing}}
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
	for _, c := range []string{registry.Marketing, registry.Contacts, registry.Sales} {
		t := registry.MustTopic("", c)
		seeded = append(seeded, t, events.DLQ(t))
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, seeded...))
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, cluster.Close)
	if s.signer, err = auth.NewSigner(); err != nil {
		return nil, err
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, _ := s.signer.PublicJWKS()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b) //nolint:errcheck
	}))
	s.undo = append(s.undo, jwks.Close)
	dir, err := os.MkdirTemp("", "rapport-bench-")
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(dir) })
	if s.sink, err = startMailSink(dir); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, s.sink.Close)
	if s.bin, err = buildBinary(ctx, root, dir, "./services/marketing/cmd/marketing"); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck // crypto/rand.Read does not fail
	s.brokers = cluster.ListenAddrs()
	s.env = []string{"SERVICE_NAME=" + registry.Marketing,
		"DATABASE_URL=" + s.db.AppURL, "DATABASE_MIGRATE_URL=" + s.db.AdminURL,
		"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "AUTH_JWKS_URL=" + jwks.URL,
		"CURSOR_KEY=" + randomHex(32), "LOG_LEVEL=error",
		"MARKETING_PUBLIC_URL=" + marketingPublicURL, "MARKETING_LINK_KEY=" + base64.StdEncoding.EncodeToString(key),
		"MARKETING_SMTP_URL=smtp://" + s.sink.Addr(), "MARKETING_MAIL_FROM=news@bench-mkt.test",
	}
	if s.base, err = s.replica(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// marketer is a user of tenant with every marketing permission but the
// public pages' (marketing:admin too, for the sending settings).
func marketer(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: "marketer-1", Roles: []string{"marketer"},
		Permissions: []string{"marketing:read", "marketing:write", "marketing:send", "marketing:admin"},
		RecordScope: map[string]auth.Scope{registry.Marketing: auth.ScopeAll}}
}

// publicPrincipal is the principal the gateway mints for the public
// marketing pages of tenant (services/gateway/proxy.MarketingPrincipal).
func publicPrincipal(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: "public", Permissions: []string{"marketing:public"}}
}
