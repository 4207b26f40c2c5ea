package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// contactsStack is the real binary of a service (contacts, unless started
// by startServiceStack) on a scratch database of its own (which it migrates
// at start) and an in-process Kafka, verifying tokens of signer. Close tears
// it all down.
type contactsStack struct {
	service string // the service's registry name, the audience of its tokens
	db      *scratchDB
	base    string // http://host:port of the service
	signer  *auth.Signer
	brokers []string
	bin     binary
	env     []string // the service's environment but HTTP_ADDR
	procs   []*proc.Process
	undo    []func()
}

// startContactsStack builds services/contacts from the repository at root and
// starts it.
func startContactsStack(ctx context.Context, root string) (*contactsStack, error) {
	return startServiceStack(ctx, root, registry.Contacts)
}

// startServiceStack builds services/<service>/cmd/<service> from the
// repository at root and starts it with its context's topic.
func startServiceStack(ctx context.Context, root, service string) (_ *contactsStack, err error) {
	s := &contactsStack{service: service}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.db, err = newScratchDB(ctx, serverURL()); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { s.db.Drop() }) //nolint:errcheck // best effort; the report does not depend on it
	topic := registry.MustTopic("", service)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic, events.DLQ(topic)))
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
	if s.bin, err = buildBinary(ctx, root, dir, "./services/"+service+"/cmd/"+service); err != nil {
		return nil, err
	}
	s.brokers = cluster.ListenAddrs()
	s.env = []string{"SERVICE_NAME=" + service,
		"DATABASE_URL=" + s.db.AppURL, "DATABASE_MIGRATE_URL=" + s.db.AdminURL,
		"KAFKA_BROKERS=" + strings.Join(s.brokers, ","), "AUTH_JWKS_URL=" + jwks.URL,
		"CURSOR_KEY=" + randomHex(32), "LOG_LEVEL=error",
	}
	if s.base, err = s.replica(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// replica starts an instance of the service on the stack's database and
// Kafka (the first, or another as a replica does) and returns its base URL.
func (s *contactsStack) replica(ctx context.Context) (string, error) {
	addr, err := proc.FreeAddr()
	if err != nil {
		return "", err
	}
	base := "http://" + addr
	p, err := s.bin.run(ctx, base, append(slices.Clone(s.env), "HTTP_ADDR="+addr))
	if err != nil {
		return "", err
	}
	s.procs = append(s.procs, p)
	s.undo = append(s.undo, func() { p.Stop(10 * time.Second) })
	return base, nil
}

// tokens returns a source of internal tokens of p for the service, used as the
// gateway uses them: one token per principal, replaced once half its
// lifetime has passed (services/gateway/proxy/tokens.go).
func (s *contactsStack) tokens(p auth.Principal) func() (string, error) {
	var mu sync.Mutex
	var tok string
	var renew time.Time
	return func() (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); tok == "" || !now.Before(renew) {
			t, err := s.signer.Sign(p, s.service, auth.DefaultTTL)
			if err != nil {
				return "", err
			}
			tok, renew = t, now.Add(auth.DefaultTTL/2)
		}
		return tok, nil
	}
}

// Close stops everything started, newest first.
func (s *contactsStack) Close() {
	for i := len(s.undo) - 1; i >= 0; i-- {
		s.undo[i]()
	}
}

// postContact creates a contact from the JSON body with a token of token
// and wants 201.
func postContact(ctx context.Context, c *http.Client, base string, token func() (string, error), body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/contacts", strings.NewReader(body))
	if err != nil {
		return err
	}
	tok, err := token()
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /v1/contacts: %d %s", res.StatusCode, b)
	}
	return nil
}
