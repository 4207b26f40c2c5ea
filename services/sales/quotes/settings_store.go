package quotes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// getSettings reads the tenant's settings in tx: none set are empty
// Settings.
func getSettings(ctx context.Context, tx *outbox.Tx) (*Settings, error) {
	var r struct {
		Settings  []byte    `db:"settings"`
		UpdatedAt time.Time `db:"updated_at"`
		UpdatedBy string    `db:"updated_by"`
	}
	out := &Settings{Totals: map[string]Thresholds{}}
	err := tx.SQL().GetContext(ctx, &r, "SELECT settings, updated_at, updated_by FROM quote_settings")
	if errs.KindOf(pg.MapError(err)) == errs.NotFound {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read quote settings: %w", pg.MapError(err))
	}
	if err := json.Unmarshal(r.Settings, out); err != nil {
		return nil, fmt.Errorf("read quote settings: %w", err)
	}
	at := r.UpdatedAt.UTC()
	out.UpdatedAt, out.UpdatedBy = &at, r.UpdatedBy
	return out, nil
}

// Settings reads the tenant's settings.
func (s *Store) Settings(ctx context.Context, tenant string) (out *Settings, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = getSettings(ctx, tx)
		return err
	})
	return out, err
}

// SetSettings replaces the tenant's settings with in.
func (s *Store) SetSettings(ctx context.Context, tenant string, in *Settings) error {
	body, err := json.Marshal(Settings{DiscountPercent: in.DiscountPercent, SecondLevelDiscountPercent: in.SecondLevelDiscountPercent, Totals: in.Totals})
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO quote_settings (tenant_id, settings, updated_at, updated_by)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
			string(body), *in.UpdatedAt, in.UpdatedBy)
		if err != nil {
			return fmt.Errorf("save quote settings: %w", pg.MapError(err))
		}
		return nil
	})
}
