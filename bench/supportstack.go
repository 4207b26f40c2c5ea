package main

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// supportStack is the real support binary (contactsStack's way) with its
// inbound SMTP listener on smtpAddr and its outbound mail relayed by relay,
// a go-smtp server of the bench.
type supportStack struct {
	*contactsStack
	smtpAddr string
	relay    *ackRelay
}

// startSupportStack builds services/support and starts it on a scratch
// database and an in-process Kafka with the topics it follows (its own and
// contacts', with their dead-letter topics), its SMTP listener on a free
// port and SUPPORT_SMTP_URL pointing at a relay of the bench.
func startSupportStack(ctx context.Context, root string) (_ *supportStack, err error) {
	s := &supportStack{contactsStack: &contactsStack{service: registry.Support}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.db, err = newScratchDB(ctx, serverURL()); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { s.db.Drop() }) //nolint:errcheck // best effort; the report does not depend on it
	own, contacts := registry.MustTopic("", registry.Support), registry.MustTopic("", registry.Contacts)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, own, events.DLQ(own), contacts, events.DLQ(contacts)))
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, cluster.Close)
	var jwks *httptest.Server
	if s.signer, jwks, err = serveJWKS(); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, jwks.Close)
	if s.relay, err = startAckRelay(); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, s.relay.Close)
	if s.smtpAddr, err = proc.FreeAddr(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rapport-bench-")
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(dir) })
	if s.bin, err = buildBinary(ctx, root, dir, "./services/support/cmd/support"); err != nil {
		return nil, err
	}
	s.brokers = cluster.ListenAddrs()
	s.env = []string{"SERVICE_NAME=" + registry.Support,
		"DATABASE_URL=" + s.db.AppURL, "DATABASE_MIGRATE_URL=" + s.db.AdminURL,
		"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "AUTH_JWKS_URL=" + jwks.URL,
		"CURSOR_KEY=" + randomHex(32), "LOG_LEVEL=error",
		"SUPPORT_SMTP_ADDR=" + s.smtpAddr, "SUPPORT_SMTP_URL=smtp://" + s.relay.Addr(),
		"SUPPORT_MAIL_FROM=Rapport Support <support@bench.rapport.test>",
	}
	if s.base, err = s.replica(ctx); err != nil {
		return nil, err
	}
	return s, waitListening(ctx, s.smtpAddr)
}

// waitListening waits until addr takes connections (the SMTP listener
// starts beside the HTTP server), up to 30 s.
func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the SMTP listener on %s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// supportAgent is an agent of tenant with every support permission
// (support:admin too, for the set-up the bench does through the API).
func supportAgent(tenant, user string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: user, Roles: []string{"agent"},
		Permissions: []string{"support:read", "support:write", "support:admin"},
		RecordScope: map[string]auth.Scope{registry.Support: auth.ScopeAll}}
}
