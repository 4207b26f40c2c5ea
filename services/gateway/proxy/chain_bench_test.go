package proxy_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/identity"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
	"github.com/rapport-crm/rapport/services/gateway/ratelimit"
)

// BenchmarkChainRead is the gateway's CPU and allocations per proxied read,
// as cmd/gateway wires it: request id, identity's Authenticate on a real
// access token (PostgreSQL behind it), rate limit, audit, proxy, against an
// upstream that answers at once. Profile it with
//
//	go test ./proxy -run '^$' -bench ChainRead -benchmem -cpuprofile cpu.out
func BenchmarkChainRead(b *testing.B) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	db := testkit.Postgres(b)
	owner := testkit.Open(b, db.AdminURL)
	if err := pg.Migrate(ctx, owner.DB, quiet, db.AppRole, pg.EmbeddedSource("gateway", migrations.FS, "."), audit.Migrations()); err != nil {
		b.Fatal(err)
	}
	app := testkit.Open(b, db.AppURL)
	keys, err := identity.GenerateKeys()
	if err != nil {
		b.Fatal(err)
	}
	ids, err := identity.New(identity.Config{DB: app, Keys: keys, DataKey: bytes.Repeat([]byte{7}, identity.DataKeyLen),
		PublicURL: "http://127.0.0.1", PlatformToken: "platform-token-for-benchmarks-0123456789", Logger: quiet,
		Argon2: identity.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		b.Fatal(err)
	}
	created, err := ids.CreateTenant(ctx, identity.CreateTenantRequest{Slug: "bench", Name: "Bench",
		Admin: identity.CreateTenantAdmin{Email: "admin@bench.test", Name: "Admin"}})
	if err != nil {
		b.Fatal(err)
	}
	pair, err := ids.AcceptInvitation(ctx, identity.AcceptInvitationRequest{Token: created.Admin.InvitationToken, Password: "admin-password-1"})
	if err != nil {
		b.Fatal(err)
	}

	body := []byte(`{"id":"0190c5e6-2222-7000-8000-000000000001","firstName":"Bench","lastName":"Gateway"}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(up.Close)
	ph, err := proxy.New(proxy.Config{
		Authenticator: ids, Tenants: ids,
		Resolver: discovery.NewStatic(map[string]string{"contacts": up.Listener.Addr().String()}),
		Signer:   keys.Signer(), Logger: quiet,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ph.Close)
	writer := audit.NewWriter(audit.NewStore(app), audit.WriterConfig{Logger: quiet})
	limited := ratelimit.Middleware(ratelimit.Config{Limiter: ratelimit.NewMemory(), Tenant: ratelimit.Limit{Rate: 1e9, Burst: 1 << 30}, Logger: quiet})
	gw := httptest.NewServer(kitx.RequestID(proxy.Authenticate(ids)(limited(audit.Middleware(writer, audit.Policy{})(ph)))))
	b.Cleanup(gw.Close)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections)
	url := gw.URL + "/v1/contacts/0190c5e6-2222-7000-8000-000000000001"
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
