package cases

import (
	"context"

	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// nextNumber returns the tenant's next case number in tx, gap-free
// (libs/numbering): the sequence's row stays locked until tx ends, so a
// rolled-back create leaves no hole and concurrent creates queue.
func nextNumber(ctx context.Context, tx *outbox.Tx) (int64, error) {
	return numbering.Next(ctx, tx.SQL(), "case", "")
}
