package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// marketingStack is the real marketing binary (contactsStack's way) on a
// scratch database and an in-process Kafka with the topics it follows,
// behind the real gateway (STATIC_UPSTREAMS, its own scratch database),
// mailing through sink, a go-smtp server of the bench. The service
// verifies the gateway's tokens; the bench signs its own with the
// gateway's key.
type marketingStack struct {
	*contactsStack
	sink    *mailSink
	gateway string // base URL of the gateway, the links' MARKETING_PUBLIC_URL
	metrics string // base URL of the gateway's internal listener (/metrics)
	tenant  string // the tenant made in the gateway, by its id
}

// startMarketingStack builds the gateway and services/marketing and
// starts them: the gateway with a tenant of its admin API and its limits
// of public marketing requests out of the way, marketing on a scratch
// database and an in-process Kafka with its own topic and those it
// follows (contacts' for the audience, sales' for attribution), each with
// its dead-letter topic, its mail sent to a sink of the bench
// (MARKETING_SMTP_URL), its links at the gateway signed with a fresh
// MARKETING_LINK_KEY.
func startMarketingStack(ctx context.Context, root string) (_ *marketingStack, err error) {
	s := &marketingStack{contactsStack: &contactsStack{service: registry.Marketing}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	var gdb *scratchDB
	for _, db := range []**scratchDB{&s.db, &gdb} {
		if *db, err = newScratchDB(ctx, serverURL()); err != nil {
			return nil, err
		}
		d := *db
		s.undo = append(s.undo, func() { d.Drop() }) //nolint:errcheck // best effort; the report does not depend on it
	}
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
	s.brokers = cluster.ListenAddrs()
	dir, err := os.MkdirTemp("", "rapport-bench-")
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(dir) })
	if s.sink, err = startMailSink(dir); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, s.sink.Close)
	gw, err := buildBinary(ctx, root, dir, "./services/gateway/cmd/gateway")
	if err != nil {
		return nil, err
	}
	if s.bin, err = buildBinary(ctx, root, dir, "./services/marketing/cmd/marketing"); err != nil {
		return nil, err
	}
	addrs, err := proc.FreeAddrs(3)
	if err != nil {
		return nil, err
	}
	gAddr, mAddr, addr := addrs[0], addrs[1], addrs[2]
	s.gateway, s.metrics, s.base = "http://"+gAddr, "http://"+mAddr, "http://"+addr
	if err := s.startGateway(ctx, gw, gdb, dir, gAddr, mAddr, addr); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck // crypto/rand.Read does not fail
	s.env = []string{"SERVICE_NAME=" + registry.Marketing,
		"DATABASE_URL=" + s.db.AppURL, "DATABASE_MIGRATE_URL=" + s.db.AdminURL,
		"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "AUTH_JWKS_URL=" + s.gateway + "/.well-known/jwks.json",
		"CURSOR_KEY=" + randomHex(32), "LOG_LEVEL=error",
		"MARKETING_PUBLIC_URL=" + s.gateway, "MARKETING_LINK_KEY=" + base64.StdEncoding.EncodeToString(key),
		"MARKETING_SMTP_URL=smtp://" + s.sink.Addr(), "MARKETING_MAIL_FROM=news@bench-mkt.test",
	}
	p, err := s.bin.run(ctx, s.base, append(slices.Clone(s.env), "HTTP_ADDR="+addr))
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	s.undo = append(s.undo, func() { p.Stop(10 * time.Second) })
	return s, nil
}

// startGateway starts the gateway on gAddr (metrics on mAddr) with
// marketing at addr, makes the stack's signer of its key and the stack's
// tenant through its admin API.
func (s *marketingStack) startGateway(ctx context.Context, gw binary, db *scratchDB, dir, gAddr, mAddr, addr string) error {
	keyFile := filepath.Join(dir, "signing-key.pem")
	key, err := auth.WriteKeyFile(keyFile)
	if err != nil {
		return err
	}
	platform := randomHex(24)
	dataKey := make([]byte, 32)
	rand.Read(dataKey) //nolint:errcheck // crypto/rand.Read does not fail
	stop, err := gw.start(ctx, s.gateway, []string{"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "TOPIC_PREFIX=", "LOG_LEVEL=error",
		"SERVICE_NAME=gateway", "DATABASE_URL=" + db.AppURL, "DATABASE_MIGRATE_URL=" + db.AdminURL,
		"GATEWAY_ADDR=" + gAddr, "GATEWAY_METRICS_ADDR=" + mAddr, "GATEWAY_PUBLIC_URL=" + s.gateway,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(dataKey),
		"GATEWAY_PLATFORM_TOKEN=" + platform, "GATEWAY_SIGNING_KEYS=" + keyFile,
		"STATIC_UPSTREAMS=" + registry.Marketing + "=" + addr,
		// Out of the way: the limits would measure the limiter (every
		// request of the bench comes from one address).
		"RATE_LIMIT_TENANT=1000000:1000000",
		"RATE_LIMIT_MARKETING_TRACK_ADDRESS=1000000:1000000", "RATE_LIMIT_MARKETING_TRACK_TENANT=1000000:1000000"})
	if err != nil {
		return err
	}
	s.undo = append(s.undo, stop)
	g := &gatewayStack{Gateway: s.gateway, admin: gatewayadmin.New(s.gateway, platform, time.Minute)}
	kid, err := g.kid(ctx)
	if err != nil {
		return err
	}
	if s.signer, err = auth.NewSignerFromKey(key, kid); err != nil {
		return err
	}
	t, err := g.createTenant(ctx)
	s.tenant = t.ID
	return err
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
