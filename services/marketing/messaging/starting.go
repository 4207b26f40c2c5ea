package messaging

import (
	"context"

	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// start makes the members of the tenant's sends due into messages, a
// batch per transaction, until all are.
func (s *Sender) start(ctx context.Context, tenant string) error {
	for ctx.Err() == nil {
		more := false
		err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
			now := s.now()
			sends, err := sendsToStart(ctx, tx, now, 1)
			if err != nil || len(sends) == 0 {
				return err
			}
			r := sends[0]
			rs, err := recipientsOf(ctx, tx, r.SegmentID, r.Channel, r.After.String, materializeBatch)
			if err != nil {
				return err
			}
			if err := insertMessages(ctx, tx, r, rs, now); err != nil {
				return err
			}
			if err := abMaterialized(ctx, tx, r.ID, len(rs) < materializeBatch, now); err != nil {
				return err
			}
			after := ""
			if len(rs) > 0 {
				after = rs[len(rs)-1].ContactID
			}
			more = true
			return advance(ctx, tx, r.ID, after, len(rs) < materializeBatch, now)
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// complete moves the tenant's sends with no message left to send to
// completed, publishing send.completed with their counts.
func (s *Sender) complete(ctx context.Context, tenant string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		done, err := sendsDone(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		for _, id := range done {
			if err := setSendStatus(ctx, tx, id, StatusCompleted, "completed_at", now); err != nil {
				return err
			}
			_, send, err := sendIn(ctx, tx, id, false)
			if err != nil {
				return err
			}
			if err := tx.Emit(ctx, marketingdb.EntitySend, marketingdb.VerbCompleted, id, send, nil); err != nil {
				return err
			}
		}
		return nil
	})
}
