package contacts

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// The states of a duplicate scan.
const (
	ScanRunning = "running"
	ScanDone    = "done"
	ScanFailed  = "failed"
)

// The reasons a scan failed (DuplicateScan.FailureReason).
const (
	// ScanInterrupted: the process running it stopped (a restart, a crash).
	ScanInterrupted = "interrupted"
	// ScanTimedOut: it ran longer than scanTimeout.
	ScanTimedOut = "timedOut"
	// ScanError: the database refused its work; the service's log says why.
	ScanError = "error"
)

// scanTimeout bounds a scan's background work; failTimeout bounds marking
// it failed afterwards.
const (
	scanTimeout = time.Hour
	failTimeout = 10 * time.Second
)

// ScanRequest asks for a tenant-wide duplicate scan of Entity.
type ScanRequest struct {
	Entity string `json:"entity"`
}

// DuplicateScan is a tenant-wide search for duplicate pairs of one entity;
// it runs in the background and ends done (PairCount pairs) or failed, with
// a FailureReason (see readScan for scans whose process stopped).
type DuplicateScan struct {
	ID            string     `json:"id" db:"id"`
	Entity        string     `json:"entity" db:"entity"`
	Status        string     `json:"status" db:"status"`
	FailureReason string     `json:"failureReason,omitempty" db:"failure_reason"`
	PairCount     int        `json:"pairCount" db:"pair_count"`
	CreatedBy     string     `json:"createdBy" db:"created_by"`
	CreatedAt     time.Time  `json:"createdAt" db:"created_at"`
	FinishedAt    *time.Time `json:"finishedAt,omitempty" db:"finished_at"`
}

// DuplicatePair is two records a scan found alike (AID < BID), with their
// names as they are now (a record merged or deleted since keeps its name),
// the best score and every reason.
type DuplicatePair struct {
	AID       string         `json:"aId" db:"a_id"`
	AName     string         `json:"aName" db:"a_name"`
	BID       string         `json:"bId" db:"b_id"`
	BName     string         `json:"bName" db:"b_name"`
	Score     float64        `json:"score" db:"score"`
	MatchedOn pq.StringArray `json:"matchedOn" db:"matched_on"`
}

// pairPosition is a place in the (score desc, aId, bId) order of pairs.
type pairPosition struct {
	Score float64 `json:"s"`
	A     string  `json:"a"`
	B     string  `json:"b"`
}

// StartDuplicateScan implements Deduplicator. The scan is always run in the
// background, in a transaction of its own, so a large tenant never holds the
// request; the caller polls GetDuplicateScan. It answers once that
// transaction holds the scan's row, so no read can take the new scan for an
// interrupted one.
func (s *service) StartDuplicateScan(ctx context.Context, entity string) (*DuplicateScan, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(entity == customer.EntityContact || entity == customer.EntityAccount, "entity", "must be contact or account")
	if err := v.Err(); err != nil {
		return nil, err
	}
	scan := &DuplicateScan{ID: newID(), Entity: entity, Status: ScanRunning, CreatedBy: p.UserID, CreatedAt: s.timestamp()}
	if err := s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error { return insertScan(ctx, tx, scan) }); err != nil {
		return nil, err
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), scanTimeout)
	claimed := make(chan error, 1)
	go func() {
		defer cancel()
		s.runScan(bg, p.TenantID, *scan, claimed)
	}()
	if err := <-claimed; err != nil {
		return nil, err
	}
	return scan, nil
}

// runScan locks the row of scan, reports on claimed whether it could, finds
// and stores the pairs and marks the scan done, all in one transaction; on
// an error it marks the scan failed.
func (s *service) runScan(ctx context.Context, tenant string, scan DuplicateScan, claimed chan<- error) {
	var once sync.Once
	claim := func(err error) { once.Do(func() { claimed <- err }) }
	err := s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		if err := lockScan(ctx, tx, scan.ID); err != nil {
			return err
		}
		claim(nil)
		n, err := insertPairs(ctx, tx, scan)
		if err != nil {
			return err
		}
		return finishScan(ctx, tx, scan.ID, ScanDone, "", n, s.timestamp())
	})
	claim(err)
	if err == nil {
		return
	}
	reason := ScanError
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = ScanTimedOut
	}
	slog.Default().ErrorContext(ctx, "duplicate scan failed", "scan", scan.ID, "reason", reason, "error", err.Error())
	// ctx may be what ended the scan: mark it failed with a context of its own.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failTimeout)
	defer cancel()
	if err := s.db.InTx(fctx, tenant, func(tx *pgstore.Tx) error {
		return finishScan(fctx, tx, scan.ID, ScanFailed, reason, 0, s.timestamp())
	}); err != nil {
		slog.Default().ErrorContext(ctx, "duplicate scan not marked failed; its next read marks it interrupted",
			"scan", scan.ID, "error", err.Error())
	}
}

// readScan reads scan id, first marking it failed when it was interrupted.
//
// A scan runs in one transaction that locks the scan's row until it ends
// (runScan), so the lock tells whether a scan is being worked on: a scan left
// running whose row nobody locks was interrupted. The process running it
// stopped (a restart, a crash, a lost connection) and its transaction, with
// every pair found so far, was rolled back; PostgreSQL notices a vanished
// client when the running statement ends, or sooner with
// client_connection_check_interval. Every read marks such a scan failed with
// reason ScanInterrupted, so a stale "running" is never shown.
//
// An interrupted scan is not resumed: its work is one statement that cannot
// go on where it stopped, and re-running it unasked after a restart could
// repeat the very scan that brought the service down; the caller starts a
// new one. Nor is there a sweep at start: it would have to cross tenants
// under row-level security, and it could not tell another replica's live
// scan from a dead one, which the lock can.
func (s *service) readScan(ctx context.Context, tx *pgstore.Tx, id string) (*DuplicateScan, error) {
	if err := failInterrupted(ctx, tx, id, s.timestamp()); err != nil {
		return nil, err
	}
	return getScan(ctx, tx, id)
}

// GetDuplicateScan implements Deduplicator.
func (s *service) GetDuplicateScan(ctx context.Context, id string) (scan *DuplicateScan, err error) {
	p, err := callerOf(ctx, id, ErrScanNotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		scan, err = s.readScan(ctx, tx, id)
		return err
	})
	return scan, err
}

// ListDuplicatePairs implements Deduplicator.
func (s *service) ListDuplicatePairs(ctx context.Context, scanID string, limit int, cursor string) (page customer.Page[DuplicatePair], err error) {
	p, err := principal(ctx)
	if err != nil {
		return page, err
	}
	if !validID(scanID) {
		return page, ErrScanNotFound
	}
	var after *pairPosition
	if cursor != "" {
		after = &pairPosition{}
		if err := s.cursors.DecodeCursor(cursor, after); err != nil {
			return page, err
		}
	}
	if limit <= 0 || limit > kitx.MaxLimit {
		limit = kitx.DefaultLimit
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		scan, err := s.readScan(ctx, tx, scanID)
		if err != nil {
			return err
		}
		pairs, err := listPairs(ctx, tx, scan, after, limit+1)
		if err != nil {
			return err
		}
		if len(pairs) > limit {
			last := pairs[limit-1]
			pairs, page.NextCursor = pairs[:limit], s.cursors.EncodeCursor(pairPosition{last.Score, last.AID, last.BID})
		}
		page.Items = pairs
		return nil
	})
	return page, err
}
