package delivery

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// ErrNoOpener is Run's error when Config.Open is missing.
var ErrNoOpener = errors.New("delivery: Config.Open is required to read the subscriptions' secrets")

// tenantsPerPass bounds the tenants one pass of a Dispatcher visits.
const tenantsPerPass = 100

// tenantsTTL is how long a pass reuses the due tenants an earlier one
// found: finding them reads every due delivery, too much to do for each of
// the passes a busy Dispatcher makes as its workers free up. A pass that
// claims nothing finds them afresh, so a new tenant's first delivery waits
// at most this long behind a busy one's.
const tenantsTTL = 100 * time.Millisecond

// leaseMargin is added to an attempt's Timeout for its lease: a delivery
// claimed by a replica that stopped is claimed again after it.
const leaseMargin = 30 * time.Second

// Dispatcher sends the due webhook deliveries, up to Workers at once. Every
// gateway replica runs one: a delivery is claimed with FOR UPDATE SKIP
// LOCKED and leased (locked_until) while it is sent, outside any
// transaction, so several Dispatchers share the work and none sends a
// delivery another holds.
type Dispatcher struct {
	db      *sqlx.DB
	cfg     Config
	client  *http.Client
	metrics *metrics
	wake    chan struct{}
	slots   chan struct{}
	// succeeded takes the 2xx attempts to Run's recorder (recordSuccesses).
	succeeded chan success
	// tenants are the due tenants found at tenantsAt (Run's goroutine only).
	tenants   []string
	tenantsAt time.Time
}

// NewDispatcher returns a Dispatcher of the deliveries in db (the gateway's
// database, as its runtime role); Run sends.
func NewDispatcher(db *sqlx.DB, cfg Config) *Dispatcher {
	cfg = cfg.withDefaults()
	return &Dispatcher{
		db: db, cfg: cfg,
		client:  NewClient(Guard{AllowLoopback: cfg.AllowLoopback}, cfg.AllowHTTP, cfg.Timeout),
		metrics: newMetrics(cfg.Metrics),
		wake:    make(chan struct{}, 1),
		slots:   make(chan struct{}, cfg.Workers),
	}
}

// Run sends deliveries until ctx ends, woken by NOTIFY on Channel and
// every Poll; it waits for the attempts under way, and the recording of
// their successes, before it returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.cfg.Open == nil {
		return ErrNoOpener
	}
	var wg sync.WaitGroup
	d.succeeded = make(chan success, recordBatch)
	recorded := make(chan struct{})
	go func() { d.recordSuccesses(d.succeeded); close(recorded) }()
	defer func() { wg.Wait(); close(d.succeeded); <-recorded }()
	if d.cfg.DatabaseURL != "" {
		wg.Add(1)
		go func() { defer wg.Done(); d.listen(ctx) }()
	}
	for {
		claimed, err := d.pass(ctx, &wg)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("webhook deliveries: a pass failed", "error", err.Error())
		}
		if claimed > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-time.After(d.cfg.Poll):
		}
	}
}

// poke wakes Run's loop; pokes while it works are one.
func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// pass claims due deliveries of up to tenantsPerPass tenants, each
// tenant at most its share of the workers (so one tenant's backlog does not
// hold the others' back), and starts sending each; it returns how many it
// claimed. Run passes again at once while a pass claims some.
func (d *Dispatcher) pass(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	tenants, err := d.dueTenants(ctx)
	if err != nil || len(tenants) == 0 {
		return 0, err
	}
	share := max(1, d.cfg.Workers/len(tenants))
	claimed := 0
	for _, tenant := range tenants {
		free, err := d.acquire(ctx, share)
		if err != nil {
			return claimed, err
		}
		var jobs []job
		err = pg.WithTenantTx(ctx, d.db, tenant, func(tx *sqlx.Tx) error {
			jobs, err = claim(ctx, tx, free, d.cfg.Timeout+leaseMargin)
			return err
		})
		if err != nil {
			jobs = nil // rolled back: nothing leased
		}
		for range free - len(jobs) {
			<-d.slots
		}
		if err != nil {
			return claimed, err
		}
		claimed += len(jobs)
		if len(jobs) == 0 {
			d.tenants = nil // the list is stale: find them afresh next pass
		}
		for i := range jobs {
			wg.Add(1)
			go func(j *job) {
				defer func() { <-d.slots; d.poke(); wg.Done() }()
				d.deliver(ctx, j)
			}(&jobs[i])
		}
	}
	return claimed, nil
}

// dueTenants returns the tenants with deliveries due, those of an earlier
// pass while they are younger than tenantsTTL and none of them came up
// empty.
func (d *Dispatcher) dueTenants(ctx context.Context) ([]string, error) {
	if len(d.tenants) > 0 && time.Since(d.tenantsAt) < tenantsTTL {
		return d.tenants, nil
	}
	tenants, err := dueTenants(ctx, d.db, tenantsPerPass)
	if err != nil {
		return nil, err
	}
	d.tenants, d.tenantsAt = tenants, time.Now()
	return tenants, nil
}

// acquire takes one worker slot, waiting for it, and other free ones up
// to limit in all; it returns how many it took.
func (d *Dispatcher) acquire(ctx context.Context, limit int) (int, error) {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n := 1
	for n < limit {
		select {
		case d.slots <- struct{}{}:
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}
