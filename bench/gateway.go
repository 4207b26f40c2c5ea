package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Sizes of the gateway run (issue 4).
const (
	gatewayClients  = 16
	gatewayRequests = 20_000           // per path, unless gatewayFor ends it first
	gatewayFor      = 10 * time.Second // per path
	gatewayWarmup   = 1_000            // untimed requests per path first
	gatewaySerial   = 2_000            // requests per path from one client
	loginRounds     = 20
)

// Goals the gateway is held to (issue 4).
const (
	goalGatewayAdded = time.Millisecond // p50 added to a read
	goalGatewayRatio = 0.6              // throughput through the gateway / direct
)

// gatewayOverhead holds the results of part 4.
type gatewayOverhead struct {
	Via, Direct         latency // GET /v1/contacts/{id} per request, at gatewayClients
	ViaRate, DirectRate float64 // requests/s at gatewayClients
	// SerialVia and SerialDirect are the same reads from one client: the
	// hop's own cost, without queueing for the machine's CPUs.
	SerialVia, SerialDirect latency
	Login                   latency // POST /v1/auth/login, one at a time
}

// Added is the p50 latency the gateway adds.
func (g gatewayOverhead) Added() time.Duration { return g.Via.P50 - g.Direct.P50 }

// Ratio is throughput through the gateway over throughput direct.
func (g gatewayOverhead) Ratio() float64 { return g.ViaRate / g.DirectRate }

// measureGatewayOverhead starts the gateway and contacts binaries, creates a
// tenant and one contact, and reads that contact at concurrency
// gatewayClients: through the gateway with a user token, and straight from
// contacts with an internal token signed by the gateway's key. It then times
// sequential password logins.
func measureGatewayOverhead(ctx context.Context, root string) (gatewayOverhead, error) {
	var res gatewayOverhead
	st, err := startGatewayStack(ctx, root)
	defer st.Close()
	if err != nil {
		return res, err
	}
	tn, err := st.createTenant(ctx)
	if err != nil {
		return res, err
	}
	userToken, err := st.login(ctx, tn)
	if err != nil {
		return res, err
	}
	var contact struct {
		ID string `json:"id"`
	}
	if err := call(ctx, http.MethodPost, st.Gateway+"/v1/contacts", userToken, map[string]any{
		"firstName": "Bench", "lastName": "Gateway", "emails": []map[string]any{{"address": "gateway@bench.example", "primary": true}},
	}, http.StatusCreated, &contact); err != nil {
		return res, err
	}
	kid, err := st.kid(ctx)
	if err != nil {
		return res, err
	}
	signer, err := auth.NewSignerFromKey(st.Key, kid)
	if err != nil {
		return res, err
	}
	// What the gateway's edge forwards for this administrator.
	p := auth.Principal{TenantID: tn.ID, UserID: tn.AdminID, Roles: []string{"admin"},
		Permissions: []string{"*"}, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}}
	internal, err := signer.Sign(p, "contacts", auth.DefaultTTL) // 60 s: a run stays well inside it
	if err != nil {
		return res, err
	}
	direct, via := st.Contacts+"/v1/contacts/"+contact.ID, st.Gateway+"/v1/contacts/"+contact.ID
	if res.Direct, res.DirectRate, err = hammer(ctx, direct, internal, gatewayClients, gatewayRequests); err != nil {
		return res, fmt.Errorf("direct: %w", err)
	}
	if res.Via, res.ViaRate, err = hammer(ctx, via, userToken, gatewayClients, gatewayRequests); err != nil {
		return res, fmt.Errorf("through the gateway: %w", err)
	}
	if res.SerialDirect, _, err = hammer(ctx, direct, internal, 1, gatewaySerial); err != nil {
		return res, fmt.Errorf("direct, one client: %w", err)
	}
	if res.SerialVia, _, err = hammer(ctx, via, userToken, 1, gatewaySerial); err != nil {
		return res, fmt.Errorf("through the gateway, one client: %w", err)
	}
	res.Login, err = timeLogins(ctx, st, tn)
	return res, err
}

// hammer warms url up, then GETs it from clients clients until n were
// answered or gatewayFor passed, and returns the latencies and the rate.
// Every answer must be 200.
func hammer(ctx context.Context, url, token string, clients int, n int64) (latency, float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}
	get := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d %s", url, res.StatusCode, b)
		}
		return err
	}
	var (
		left    atomic.Int64
		mu      sync.Mutex
		took    []time.Duration
		started time.Time
	)
	round := func(n int64, timed bool) error {
		left.Store(n)
		deadline := time.Now().Add(gatewayFor)
		started = time.Now()
		g, gctx := errgroup.WithContext(ctx)
		for range clients {
			g.Go(func() error {
				var mine []time.Duration
				for left.Add(-1) >= 0 && time.Now().Before(deadline) {
					t := time.Now()
					if err := get(gctx); err != nil {
						return err
					}
					mine = append(mine, time.Since(t))
				}
				if timed {
					mu.Lock()
					took = append(took, mine...)
					mu.Unlock()
				}
				return nil
			})
		}
		return g.Wait()
	}
	if err := round(min(gatewayWarmup, n), false); err != nil {
		return latency{}, 0, err
	}
	if err := round(n, true); err != nil {
		return latency{}, 0, err
	}
	rate := float64(len(took)) / time.Since(started).Seconds()
	return summarise(took), rate, nil
}

// timeLogins signs in loginRounds times, one after the other.
func timeLogins(ctx context.Context, st *gatewayStack, tn benchTenant) (latency, error) {
	took := make([]time.Duration, 0, loginRounds)
	for range loginRounds {
		t := time.Now()
		if _, err := st.login(ctx, tn); err != nil {
			return latency{}, err
		}
		took = append(took, time.Since(t))
	}
	return summarise(took), nil
}

// summarise sorts took and returns its quantiles.
func summarise(took []time.Duration) latency {
	slices.Sort(took)
	return latency{P50: quantile(took, 0.50), P99: quantile(took, 0.99), Max: took[len(took)-1], Samples: len(took)}
}

// writeGatewaySection renders part 4 of bench/results.md.
func writeGatewaySection(w io.Writer, g gatewayOverhead) {
	fmt.Fprintf(w, "## 4. Gateway overhead\n\n")
	fmt.Fprintf(w, "The real `services/gateway` and `services/contacts` binaries, each on its own scratch database, as `make run` wires them (rate limits raised out of the way). %d clients `GET /v1/contacts/{id}` of one contact for up to %d requests or %s per path, after %d untimed: through the gateway with a user token (authentication, tenant lookup, permission check, a freshly signed internal token per request, proxying), and straight to contacts with one internal token signed by the gateway's key and kid; then %d requests per path from one client. Client, gateway, contacts and PostgreSQL share the machine's CPUs, so at concurrency %d the gateway's CPU time also slows contacts.\n\n",
		gatewayClients, gatewayRequests, gatewayFor, gatewayWarmup, gatewaySerial, gatewayClients)
	fmt.Fprintf(w, "| path | requests | p50 | p99 | max | requests/s |\n|---|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| direct to contacts | %d | %s | %s | %s | %.0f |\n", g.Direct.Samples, ms(g.Direct.P50), ms(g.Direct.P99), ms(g.Direct.Max), g.DirectRate)
	fmt.Fprintf(w, "| through the gateway | %d | %s | %s | %s | %.0f |\n", g.Via.Samples, ms(g.Via.P50), ms(g.Via.P99), ms(g.Via.Max), g.ViaRate)
	fmt.Fprintf(w, "| direct, one client | %d | %s | %s | %s | |\n", g.SerialDirect.Samples, ms(g.SerialDirect.P50), ms(g.SerialDirect.P99), ms(g.SerialDirect.Max))
	fmt.Fprintf(w, "| through the gateway, one client | %d | %s | %s | %s | |\n\n", g.SerialVia.Samples, ms(g.SerialVia.P50), ms(g.SerialVia.P99), ms(g.SerialVia.Max))
	fmt.Fprintf(w, "| measurement | value | goal |\n|---|---:|---|\n")
	fmt.Fprintf(w, "| p50 added by the gateway at concurrency %d | %s | ≤ %s %s |\n", gatewayClients, ms(g.Added()), ms(goalGatewayAdded), verdict(g.Added() <= goalGatewayAdded))
	fmt.Fprintf(w, "| p50 added by the gateway, one client | %s | — |\n", ms(g.SerialVia.P50-g.SerialDirect.P50))
	fmt.Fprintf(w, "| throughput, gateway / direct | %.2f | ≥ %.1f %s |\n", g.Ratio(), goalGatewayRatio, verdict(g.Ratio() >= goalGatewayRatio))
	fmt.Fprintf(w, "| `POST /v1/auth/login` p50 / p99 / max, %d sequential | %s / %s / %s | — |\n\n", g.Login.Samples, ms(g.Login.P50), ms(g.Login.P99), ms(g.Login.Max))
	fmt.Fprintf(w, "A login is dominated by one argon2id verification with the gateway's parameters, m = 19 MiB, t = 2, p = 1 (OWASP's baseline; services/gateway/README.md).\n\n")
}
