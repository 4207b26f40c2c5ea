package duplicates

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// StartDuplicateScan implements Service. The scan is always run in the
// background, in a transaction of its own, so a large tenant never holds the
// request; the caller polls GetDuplicateScan. It answers once that
// transaction holds the scan's row, so no read can take the new scan for an
// interrupted one.
func (s *service) StartDuplicateScan(ctx context.Context, entity string) (*DuplicateScan, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(entity == customer.EntityContact || entity == customer.EntityAccount, "entity", "must be contact or account")
	if err := v.Err(); err != nil {
		return nil, err
	}
	scan := &DuplicateScan{ID: ids.New(), Entity: entity, Status: ScanRunning, CreatedBy: p.UserID, CreatedAt: s.timestamp()}
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

// GetDuplicateScan implements Service.
func (s *service) GetDuplicateScan(ctx context.Context, id string) (scan *DuplicateScan, err error) {
	p, err := customer.CallerOf(ctx, id, ErrScanNotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		scan, err = s.readScan(ctx, tx, id)
		return err
	})
	return scan, err
}

// ListDuplicatePairs implements Service.
func (s *service) ListDuplicatePairs(ctx context.Context, scanID string, limit int, cursor string) (page customer.Page[DuplicatePair], err error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return page, err
	}
	if !ids.Valid(scanID) {
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
