package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/chaos/load"
)

// Config is what the reconciliation reads.
type Config struct {
	Client    *load.Client
	Tenants   []*load.Tenant
	Entries   []load.Entry
	Databases map[string]string // each service's database (admin DSN)
	Brokers   []string
	Receiver  Receiver // nil: no webhook check
	Poison    string   // the poison event's id ("" when none was sent)
	// Settle is how long the consumers have to catch up before a
	// difference counts (default 3 minutes): the checks run again until
	// they pass or it is over.
	Settle time.Duration
}

// Result is the reconciliation with the figures beside its checks.
type Result struct {
	Report
	// Redeliveries are webhook deliveries of an event already delivered
	// (at-least-once), per tenant.
	Redeliveries map[string]int
	// Settled is how long the checks took to pass (or Settle).
	Settled time.Duration
}

// Run waits for the load's CSV imports to end, then reconciles until every
// check passes or cfg.Settle is over, and returns the last round.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Settle == 0 {
		cfg.Settle = 3 * time.Minute
	}
	start := time.Now()
	deadline := start.Add(cfg.Settle)
	if err := waitImports(ctx, cfg, deadline); err != nil {
		return Result{Report: Report{Checks: []Check{{Tenant: "all", Name: "every CSV import ended", Want: 1, Lost: 1, Detail: err.Error()}}},
			Settled: time.Since(start)}, nil
	}
	for {
		res, err := round(ctx, cfg)
		res.Settled = time.Since(start)
		if err != nil {
			// A read the platform could not answer yet: try again, and
			// report it as a failed check once the time is over.
			res.Checks = append(res.Checks, Check{Tenant: "all", Name: "the platform answered every read of the reconciliation", Want: 1, Lost: 1, Detail: err.Error()})
		}
		if res.OK() || time.Now().After(deadline) {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
}

// waitImports waits until every acknowledged import has ended.
func waitImports(ctx context.Context, cfg Config, deadline time.Time) error {
	for _, t := range cfg.Tenants {
		a := api{cl: cfg.Client, t: t}
		for _, e := range byTenant(cfg.Entries, t.Slug) {
			if e.Kind != load.KindImport || e.Outcome != load.Acked {
				continue
			}
			for {
				var im struct{ State string }
				if _, err := a.get(ctx, "/v1/imports/"+e.ID, &im); err != nil {
					return err
				}
				if im.State == "completed" || im.State == "failed" {
					break
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("import %s still %s", e.ID, im.State)
				}
				time.Sleep(time.Second)
			}
		}
	}
	return nil
}

// round runs every check once.
func round(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Redeliveries: map[string]int{}}
	var published []Record
	if len(cfg.Brokers) > 0 {
		var err error
		if published, err = ReadTopics(ctx, cfg.Brokers); err != nil {
			return res, err
		}
	}
	for _, t := range cfg.Tenants {
		a := api{cl: cfg.Client, t: t}
		entries := byTenant(cfg.Entries, t.Slug)
		cs, live, err := contacts(ctx, a, entries)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, cs...)
		ls, err := leads(ctx, a, entries)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, ls...)
		os, opps, err := opportunities(ctx, a, entries)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, os...)
		ks, err := cases(ctx, a, entries)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, ks...)
		tl, err := timeline(ctx, a, entries)
		if err != nil {
			return res, err
		}
		at, err := accountTimeline(ctx, a, entries)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, at)
		au, err := audience(ctx, a, live)
		if err != nil {
			return res, err
		}
		rp, err := reporting(ctx, a, opps)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, tl, au, rp)
		if cfg.Receiver != nil && published != nil {
			wh, redelivered := webhooks(t, cfg.Receiver, published, cfg.Poison)
			res.Checks = append(res.Checks, wh)
			res.Redeliveries[t.Slug] = redelivered
		}
	}
	if published != nil {
		res.Checks = append(res.Checks, dlq(published, cfg.Poison))
	}
	if len(cfg.Databases) > 0 {
		ob, err := outboxes(ctx, cfg.Databases)
		if err != nil {
			return res, err
		}
		res.Checks = append(res.Checks, ob)
	}
	return res, nil
}
