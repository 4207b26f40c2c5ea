package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// operatorAppName is the application_name the bench puts on the operator's
// admin DSN, so pg_stat_activity tells its sessions from everyone else's.
const operatorAppName = "rapport-operator"

// activityEvery is how often pg_stat_activity is sampled during a phase.
const activityEvery = 250 * time.Millisecond

// withAppName returns dsn with application_name set to name.
func withAppName(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("PostgreSQL URL %q: %w", dsn, err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// activity is what pg_stat_activity showed during one phase.
type activity struct {
	Samples int
	// PeakAll is the most client sessions on the server at once, the
	// operator's and everyone else's; PeakOperator the operator's alone.
	PeakAll, PeakOperator int
	// Busy counts, per statement and wait event, the samples in which one
	// of the operator's sessions was running it; Checkpointer the samples
	// in which the checkpointer was writing or syncing.
	Busy         map[string]int
	Checkpointer int
	// Pids are the server processes that worked for the operator: its
	// sessions, the checkpointer, the WAL writer and the background writer.
	Pids map[int]bool
}

// sampleActivity samples pg_stat_activity on db every activityEvery until
// the returned stop is called, which returns what it saw.
func sampleActivity(ctx context.Context, db *sql.DB) (stop func() activity) {
	var (
		mu  sync.Mutex
		a   = activity{Busy: map[string]int{}, Pids: map[int]bool{}}
		wg  sync.WaitGroup
		end = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(activityEvery)
		defer tick.Stop()
		for {
			s, err := activityNow(ctx, db)
			if err == nil {
				mu.Lock()
				a.add(s)
				mu.Unlock()
			}
			select {
			case <-tick.C:
			case <-end:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() activity {
		close(end)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return a
	}
}

// busy is how many of the operator's sessions were running a statement,
// on average over the samples.
func (a activity) busy() float64 {
	n := 0
	for _, v := range a.Busy {
		n += v
	}
	return float64(n) / float64(max(a.Samples, 1))
}

// activitySample is one look at pg_stat_activity.
type activitySample struct {
	all, operator int
	busy          []string // "<statement> · <wait>" of each active operator session
	checkpointing bool
	pids          []int // of the operator's sessions and the server's writers
}

func (a *activity) add(s activitySample) {
	a.Samples++
	a.PeakAll = max(a.PeakAll, s.all)
	a.PeakOperator = max(a.PeakOperator, s.operator)
	for _, b := range s.busy {
		a.Busy[b]++
	}
	if s.checkpointing {
		a.Checkpointer++
	}
	for _, p := range s.pids {
		a.Pids[p] = true
	}
}

// activityNow reads pg_stat_activity once: the client sessions other than
// its own, and the server's writers.
func activityNow(ctx context.Context, db *sql.DB) (activitySample, error) {
	var s activitySample
	rows, err := db.QueryContext(ctx, `
		SELECT pid, backend_type, application_name = $1, coalesce(state, ''),
		       coalesce(wait_event_type || ':' || wait_event, ''),
		       split_part(ltrim(query), ' ', 1) || ' ' || split_part(ltrim(query), ' ', 2)
		FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND backend_type IN ('client backend', 'checkpointer', 'walwriter', 'background writer')`, operatorAppName)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		var kind, state, wait, stmt string
		var operator bool
		if err := rows.Scan(&pid, &kind, &operator, &state, &wait, &stmt); err != nil {
			return s, err
		}
		if kind != "client backend" {
			s.pids = append(s.pids, pid)
			// Between checkpoints it waits on CheckpointerMain (Activity).
			if kind == "checkpointer" {
				s.checkpointing = wait != "Activity:CheckpointerMain"
			}
			continue
		}
		s.all++
		if !operator {
			continue
		}
		s.operator++
		s.pids = append(s.pids, pid)
		if state == "active" {
			if wait == "" {
				wait = "on CPU"
			}
			s.busy = append(s.busy, stmt+" · "+wait)
		}
	}
	return s, rows.Err()
}

// pgCounters are the server's cumulative checkpoint count, WAL position,
// and sessions opened on the admin DSN's database.
type pgCounters struct {
	Checkpoints int64 // requested and timed
	WAL         int64 // bytes since 0/0
	Sessions    int64
}

// readPGCounters reads the counters from pg_stat_checkpointer (PostgreSQL
// 17 and later) or pg_stat_bgwriter.
func readPGCounters(ctx context.Context, db *sql.DB) (pgCounters, error) {
	var c pgCounters
	if err := db.QueryRowContext(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint`).Scan(&c.WAL); err != nil {
		return c, fmt.Errorf("WAL position: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.Sessions); err != nil {
		return c, fmt.Errorf("sessions opened: %w", err)
	}
	err := db.QueryRowContext(ctx, `SELECT num_timed + num_requested FROM pg_stat_checkpointer`).Scan(&c.Checkpoints)
	if err != nil {
		if err2 := db.QueryRowContext(ctx, `SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter`).Scan(&c.Checkpoints); err2 != nil {
			return c, fmt.Errorf("checkpoint count: %w", errors.Join(err, err2))
		}
	}
	return c, nil
}

// sub returns c − o.
func (c pgCounters) sub(o pgCounters) pgCounters {
	return pgCounters{Checkpoints: c.Checkpoints - o.Checkpoints, WAL: c.WAL - o.WAL, Sessions: c.Sessions - o.Sessions}
}

// runObjects finds the databases and roles whose names start with one of
// prefixes.
func runObjects(ctx context.Context, db *sql.DB, prefixes []string) (dbs, roles []string, err error) {
	q := func(stmt string) ([]string, error) {
		rows, err := db.QueryContext(ctx, stmt, pq.StringArray(prefixes))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	if dbs, err = q(`SELECT datname FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(datname, p))`); err != nil {
		return nil, nil, fmt.Errorf("list the run's databases: %w", err)
	}
	if roles, err = q(`SELECT rolname FROM pg_roles WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(rolname, p))`); err != nil {
		return nil, nil, fmt.Errorf("list the run's roles: %w", err)
	}
	return dbs, roles, nil
}

// runDataSize is the size on disk of the databases whose names start with
// one of prefixes.
func runDataSize(ctx context.Context, db *sql.DB, prefixes []string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(sum(pg_database_size(datname)), 0)::bigint FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(datname, p))`,
		pq.StringArray(prefixes)).Scan(&n)
	return n, err
}

// sweepRun drops what the operator left of the run (after a failed run):
// the databases, closing their sessions, then the roles. It returns how
// many objects it dropped.
func sweepRun(ctx context.Context, db *sql.DB, prefixes []string) (int, error) {
	dbs, roles, err := runObjects(ctx, db, prefixes)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, d := range dbs {
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(d)+` WITH (FORCE)`); err != nil {
			errs = append(errs, fmt.Errorf("drop database %s: %w", d, err))
		}
	}
	for _, r := range roles {
		if _, err := db.ExecContext(ctx, `DROP ROLE IF EXISTS `+pq.QuoteIdentifier(r)); err != nil {
			errs = append(errs, fmt.Errorf("drop role %s: %w", r, err))
		}
	}
	return len(dbs) + len(roles), errors.Join(errs...)
}

// busiest returns the n keys of m with the most counts, most first.
func busiest(m map[string]int, n int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}
