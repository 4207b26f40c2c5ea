package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// gatewayStack is the gateway in front of contacts (and sales, when
// asked), each on a scratch database, with an in-process Kafka: the local
// launcher's wiring.
type gatewayStack struct {
	Gateway, Contacts string // base URLs
	Sales             string // base URL of sales; empty unless started
	ContactsDB        string // the contacts database's owner URL
	SalesDB           string // the sales database's owner URL, with Sales
	GatewayMetrics    string // base URL of the gateway's internal listener (/metrics)
	Platform          string // GATEWAY_PLATFORM_TOKEN
	Key               *ecdsa.PrivateKey
	admin             *gatewayadmin.Client // the admin API with Platform
	close             []func()
}

// Close stops the services and drops what startGatewayStack made.
func (s *gatewayStack) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
}

// startGatewayStack builds and starts the gateway and contacts, and sales
// with withSales. The caller must Close the stack, also on error.
func startGatewayStack(ctx context.Context, root string, withSales bool) (*gatewayStack, error) {
	s := &gatewayStack{Platform: randomHex(24)}
	dir, err := os.MkdirTemp("", "rapport-bench-gateway-")
	if err != nil {
		return s, err
	}
	s.close = append(s.close, func() { os.RemoveAll(dir) })
	gw, err := buildBinary(ctx, root, dir, "./services/gateway/cmd/gateway")
	if err != nil {
		return s, err
	}
	ct, err := buildBinary(ctx, root, dir, "./services/contacts/cmd/contacts")
	if err != nil {
		return s, err
	}
	dbs := make([]*scratchDB, 2, 3)
	topics := []string{registry.MustTopic("", registry.Contacts)}
	var sl binary
	if withSales {
		if sl, err = buildBinary(ctx, root, dir, "./services/sales/cmd/sales"); err != nil {
			return s, err
		}
		dbs = append(dbs, nil)
		topics = append(topics, registry.MustTopic("", registry.Sales))
	}
	for i := range dbs {
		if dbs[i], err = newScratchDB(ctx, serverURL()); err != nil {
			return s, err
		}
		db := dbs[i]
		s.close = append(s.close, func() { db.Drop() }) //nolint:errcheck // best effort
	}
	s.ContactsDB = dbs[1].AdminURL
	var seeded []string
	for _, topic := range topics {
		seeded = append(seeded, topic, events.DLQ(topic))
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, seeded...))
	if err != nil {
		return s, err
	}
	s.close = append(s.close, cluster.Close)
	keyFile := filepath.Join(dir, "signing-key.pem")
	key, err := auth.WriteKeyFile(keyFile)
	if err != nil {
		return s, err
	}
	s.Key = key
	addrs, err := proc.FreeAddrs(4)
	if err != nil {
		return s, err
	}
	gAddr, cAddr, mAddr, sAddr := addrs[0], addrs[1], addrs[2], addrs[3]
	s.Gateway, s.Contacts, s.GatewayMetrics = "http://"+gAddr, "http://"+cAddr, "http://"+mAddr
	upstreams := "contacts=" + cAddr
	if withSales {
		s.Sales, s.SalesDB, upstreams = "http://"+sAddr, dbs[2].AdminURL, upstreams+",sales="+sAddr
	}
	s.admin = gatewayadmin.New(s.Gateway, s.Platform, time.Minute)
	dataKey, _ := hex.DecodeString(randomHex(32)) // 32 random bytes
	common := []string{"KAFKA_BROKERS=" + strings.Join(cluster.ListenAddrs(), ","), "TOPIC_PREFIX=", "LOG_LEVEL=error"}
	stop, err := gw.start(ctx, s.Gateway, append(common, "SERVICE_NAME=gateway",
		"DATABASE_URL="+dbs[0].AppURL, "DATABASE_MIGRATE_URL="+dbs[0].AdminURL,
		"GATEWAY_ADDR="+gAddr, "GATEWAY_METRICS_ADDR="+mAddr, "GATEWAY_PUBLIC_URL="+s.Gateway,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString(dataKey),
		"GATEWAY_PLATFORM_TOKEN="+s.Platform, "GATEWAY_SIGNING_KEYS="+keyFile,
		"STATIC_UPSTREAMS="+upstreams,
		// Out of the way: the default 100 requests/s per tenant would
		// measure the limiter, not the gateway.
		"RATE_LIMIT_TENANT=1000000:1000000"))
	if err != nil {
		return s, err
	}
	s.close = append(s.close, stop)
	stop, err = ct.start(ctx, s.Contacts, append(common, "SERVICE_NAME=contacts", "HTTP_ADDR="+cAddr,
		"DATABASE_URL="+dbs[1].AppURL, "DATABASE_MIGRATE_URL="+dbs[1].AdminURL,
		"AUTH_JWKS_URL="+s.Gateway+"/.well-known/jwks.json", "CURSOR_KEY="+randomHex(32)))
	if err != nil {
		return s, err
	}
	s.close = append(s.close, stop)
	if withSales {
		stop, err = sl.start(ctx, s.Sales, append(common, "SERVICE_NAME=sales", "HTTP_ADDR="+sAddr, "CONTACTS_URL="+s.Contacts,
			"DATABASE_URL="+dbs[2].AppURL, "DATABASE_MIGRATE_URL="+dbs[2].AdminURL,
			"AUTH_JWKS_URL="+s.Gateway+"/.well-known/jwks.json", "CURSOR_KEY="+randomHex(32)))
		if err != nil {
			return s, err
		}
		s.close = append(s.close, stop)
	}
	return s, nil
}

// benchTenant is the tenant the benchmark signs in to.
type benchTenant struct {
	ID, Slug, AdminID, Email, Password string
}

// createTenant makes a tenant through the admin API and activates its
// administrator, as deploy/local's bootstrap does.
func (s *gatewayStack) createTenant(ctx context.Context) (benchTenant, error) {
	t := benchTenant{Slug: "bench-" + randomHex(4), Password: "pw-" + randomHex(12)}
	t.Email = "admin@" + t.Slug + ".test"
	created, inv, err := s.admin.Create(ctx, gatewayadmin.NewTenant{Slug: t.Slug, Name: "Bench", Tier: "shared",
		Admin: gatewayadmin.Admin{Email: t.Email, Name: "Bench Admin"}})
	if err != nil {
		return t, err
	}
	t.ID, t.AdminID = created.ID, inv.User.ID
	_, err = s.admin.Activate(ctx, inv.Token, t.Password)
	return t, err
}

// login signs in as the tenant's administrator and returns the access token.
func (s *gatewayStack) login(ctx context.Context, t benchTenant) (string, error) {
	tokens, err := s.admin.Login(ctx, t.Slug, t.Email, t.Password)
	return tokens.AccessToken, err
}

// kid returns the key id the gateway publishes first in its JWKS.
func (s *gatewayStack) kid(ctx context.Context) (string, error) {
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := call(ctx, http.MethodGet, s.Gateway+"/.well-known/jwks.json", "", nil, http.StatusOK, &set); err != nil {
		return "", err
	}
	if len(set.Keys) == 0 {
		return "", errors.New("the gateway publishes no key")
	}
	return set.Keys[0].Kid, nil
}

// call sends body as JSON with an optional bearer token, wants status and
// decodes the answer into out when out is not nil.
func call(ctx context.Context, method, url, bearer string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s, want %d", method, url, res.StatusCode, b, want)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// processCPU returns the CPU time (user and system) the service at base has
// used, from process_cpu_seconds_total on its /metrics.
func processCPU(ctx context.Context, base string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "process_cpu_seconds_total "); ok {
			s, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("%s/metrics: process_cpu_seconds_total: %w", base, err)
			}
			return time.Duration(s * float64(time.Second)), nil
		}
	}
	return 0, fmt.Errorf("%s/metrics has no process_cpu_seconds_total", base)
}
