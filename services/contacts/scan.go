package contacts

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// The states of a duplicate scan.
const (
	ScanRunning = "running"
	ScanDone    = "done"
	ScanFailed  = "failed"
)

// scanTimeout bounds a scan's background work.
const scanTimeout = time.Hour

// ScanRequest asks for a tenant-wide duplicate scan of Entity.
type ScanRequest struct {
	Entity string `json:"entity"`
}

// DuplicateScan is a tenant-wide search for duplicate pairs of one entity;
// it runs in the background and ends done (PairCount pairs) or failed.
type DuplicateScan struct {
	ID         string     `json:"id" db:"id"`
	Entity     string     `json:"entity" db:"entity"`
	Status     string     `json:"status" db:"status"`
	PairCount  int        `json:"pairCount" db:"pair_count"`
	CreatedBy  string     `json:"createdBy" db:"created_by"`
	CreatedAt  time.Time  `json:"createdAt" db:"created_at"`
	FinishedAt *time.Time `json:"finishedAt,omitempty" db:"finished_at"`
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
// request; the caller polls GetDuplicateScan.
func (s *service) StartDuplicateScan(ctx context.Context, entity string) (*DuplicateScan, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v := kitx.NewValidator()
	v.Check(entity == EntityContact || entity == EntityAccount, "entity", "must be contact or account")
	if err := v.Err(); err != nil {
		return nil, err
	}
	scan := &DuplicateScan{ID: newID(), Entity: entity, Status: ScanRunning, CreatedBy: p.UserID, CreatedAt: s.timestamp()}
	if err := s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error { return insertScan(ctx, tx, scan) }); err != nil {
		return nil, err
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), scanTimeout)
	go func() {
		defer cancel()
		s.runScan(bg, p.TenantID, *scan)
	}()
	return scan, nil
}

// runScan finds and stores the pairs of scan, then marks it done; on an
// error it marks it failed.
func (s *service) runScan(ctx context.Context, tenant string, scan DuplicateScan) {
	err := s.store.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		n, err := insertPairs(ctx, tx, scan)
		if err != nil {
			return err
		}
		return finishScan(ctx, tx, scan.ID, ScanDone, n, s.timestamp())
	})
	if err == nil {
		return
	}
	slog.Default().ErrorContext(ctx, "duplicate scan failed", "scan", scan.ID, "error", err.Error())
	if err := s.store.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		return finishScan(ctx, tx, scan.ID, ScanFailed, 0, s.timestamp())
	}); err != nil {
		slog.Default().ErrorContext(ctx, "duplicate scan not marked failed", "scan", scan.ID, "error", err.Error())
	}
}

// GetDuplicateScan implements Deduplicator.
func (s *service) GetDuplicateScan(ctx context.Context, id string) (scan *DuplicateScan, err error) {
	p, err := callerOf(ctx, id, ErrScanNotFound)
	if err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		scan, err = getScan(ctx, tx, id)
		return err
	})
	return scan, err
}

// ListDuplicatePairs implements Deduplicator.
func (s *service) ListDuplicatePairs(ctx context.Context, scanID string, limit int, cursor string) (page Page[DuplicatePair], err error) {
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
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		scan, err := getScan(ctx, tx, scanID)
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
