package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Sizes of the contacts create run (issue 3: concurrency 16).
const (
	createWriters   = 16
	createPerWriter = 1_000
)

// contactsCreate holds the results of part 3.
type contactsCreate struct {
	Rate       float64 // contacts created/s over HTTP
	RawInserts float64 // plain single-row INSERT transactions/s, same concurrency and count
	// SchemaInserts is the same-schema ceiling (contactsceiling.go): one-row
	// INSERT transactions/s of the same contact rows into the service's
	// contacts table, same concurrency and count.
	SchemaInserts float64
	Latency       latency // per create request
	WALCreate     float64 // bytes of WAL the server wrote per create (the relay's included)
	WALInsert     float64 // bytes of WAL per plain INSERT transaction
	WALSchema     float64 // bytes of WAL per same-schema INSERT transaction
}

// measureContactsCreate starts the real contacts binary on a scratch
// database and an in-process Kafka, creates createWriters×createPerWriter
// contacts over HTTP (duplicate checks, validation, outbox and relay
// included), and measures plain INSERT transactions of the same server at the
// same concurrency, and then INSERT transactions of the contacts it created
// into its own contacts table (schemaCeiling).
func measureContactsCreate(ctx context.Context, root string, raw *sqlx.DB) (contactsCreate, error) {
	var res contactsCreate
	stack, err := startContactsStack(ctx, root)
	if err != nil {
		return res, err
	}
	defer stack.Close()
	base := stack.base

	p := auth.Principal{TenantID: newTenant(), UserID: newTenant(), Roles: []string{"admin"},
		Permissions: []string{"*"}, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}}
	token := stack.tokens(p)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: createWriters}, Timeout: 30 * time.Second}
	walStart, err := walPosition(ctx, raw)
	if err != nil {
		return res, err
	}
	res.Rate, res.Latency, err = timedCreates(ctx, func(ctx context.Context, n int) error {
		return createContact(ctx, client, base, token, n)
	})
	if err != nil {
		return res, err
	}
	if res.WALCreate, err = walSince(ctx, raw, walStart, createWriters*createPerWriter); err != nil {
		return res, err
	}
	if walStart, err = walPosition(ctx, raw); err != nil {
		return res, err
	}
	if res.RawInserts, err = plainInserts(ctx, raw, createWriters, createPerWriter); err != nil {
		return res, err
	}
	if res.WALInsert, err = walSince(ctx, raw, walStart, createWriters*createPerWriter); err != nil {
		return res, err
	}
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return res, err
	}
	defer app.Close()
	created, err := storedRows(ctx, app, p.TenantID, contactsCeiling)
	if err != nil {
		return res, err
	}
	if walStart, err = walPosition(ctx, raw); err != nil {
		return res, err
	}
	if res.SchemaInserts, err = schemaCeiling(ctx, app, contactsCeiling, created, createWriters, createPerWriter, nil); err != nil {
		return res, err
	}
	res.WALSchema, err = walSince(ctx, raw, walStart, createWriters*createPerWriter)
	return res, err
}

// walPosition returns the server's current WAL insert position.
func walPosition(ctx context.Context, db *sqlx.DB) (string, error) {
	var lsn string
	if err := db.GetContext(ctx, &lsn, "SELECT pg_current_wal_insert_lsn()::text"); err != nil {
		return "", fmt.Errorf("WAL position: %w", err)
	}
	return lsn, nil
}

// walSince returns the bytes of WAL written since the position from, per
// one of n writes.
func walSince(ctx context.Context, db *sqlx.DB, from string, n int) (float64, error) {
	var bytes float64
	if err := db.GetContext(ctx, &bytes, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::float8", from); err != nil {
		return 0, fmt.Errorf("WAL written: %w", err)
	}
	return bytes / float64(n), nil
}

// createContact posts contact n: a distinct name, email and phone, so the
// duplicate check runs and finds nothing.
func createContact(ctx context.Context, c *http.Client, base string, token func() (string, error), n int) error {
	body := fmt.Sprintf(`{"firstName":%q,"lastName":%q,"emails":[{"address":"bench.%d@example.com","primary":true}],`+
		`"phones":[{"number":"+1 212 %03d %04d"}],"lifecycleStage":"lead","source":"bench"}`,
		pseudoWord(uint64(n)*2+1), pseudoWord(uint64(n)*2+2), n, 200+n/10000%800, n%10000)
	if err := postContact(ctx, c, base, token, body); err != nil {
		return fmt.Errorf("create contact %d: %w", n, err)
	}
	return nil
}

// pseudoWord is a capitalised 8-letter word determined by seed; words of
// different seeds share few trigrams, as real names mostly do.
func pseudoWord(seed uint64) string {
	x := seed*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	b := make([]byte, 8)
	for i := range b {
		x ^= x >> 29
		x *= 0xBF58476D1CE4E5B9
		b[i] = 'a' + byte(x%26)
	}
	b[0] -= 'a' - 'A'
	return string(b)
}

// plainInserts runs writers×perWriter one-row INSERT transactions into the
// plain table and returns transactions/s.
func plainInserts(ctx context.Context, db *sqlx.DB, writers, perWriter int) (float64, error) {
	tenant := newTenant()
	data := []byte(newEvent(tenant, 0).Data)
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for range writers {
		g.Go(func() error {
			for range perWriter {
				if err := pg.WithTx(gctx, db, func(tx *sqlx.Tx) error {
					_, err := tx.ExecContext(gctx, plainInsert, tenant, data)
					return err
				}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, fmt.Errorf("plain inserts: %w", err)
	}
	return float64(writers*perWriter) / time.Since(start).Seconds(), nil
}
