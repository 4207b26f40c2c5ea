package audience

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// RelativeEvery is how often the segments whose filter is time-relative
// ("within") are computed again, so contacts leave (or enter) them as
// time passes without any event.
const RelativeEvery = time.Minute

// relativeBatch bounds the segments one round takes on.
const relativeBatch = 64

// Relative is the job computing the time-relative segments of every
// tenant again, each at most once per RelativeEvery; a segment is locked
// while computed, so every instance runs it together.
type Relative struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewRelative returns the job on db.
func NewRelative(db *outbox.DB, logger *slog.Logger) *Relative {
	return &Relative{db: db, logger: logger, now: time.Now}
}

// Run computes the due segments until none is left.
func (r *Relative) Run(ctx context.Context) error {
	for {
		now := r.now().UTC()
		due, err := relativeDue(ctx, r.db, now.Add(-RelativeEvery), relativeBatch)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		for _, d := range due {
			if err := r.db.InTx(ctx, d.TenantID, func(tx *outbox.Tx) error {
				seg, err := getSegment(ctx, tx, d.ID, true)
				if err != nil {
					return err
				}
				if err := compute(ctx, tx, seg, now); err != nil {
					return err
				}
				return markEvaluated(ctx, tx, seg.ID, now)
			}); err != nil && errs.KindOf(err) != errs.NotFound {
				return err
			}
		}
		if len(due) < relativeBatch {
			return nil
		}
	}
}
