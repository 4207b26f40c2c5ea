package leads

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// settingsIn reads the tenant's settings of leads in tx: none set are
// empty Settings.
func settingsIn(ctx context.Context, tx *outbox.Tx) (*Settings, error) {
	out := &Settings{}
	err := sqlx.GetContext(ctx, tx.Prepared(), out, "SELECT default_region, updated_at, updated_by FROM lead_settings")
	if errs.KindOf(pg.MapError(err)) == errs.NotFound {
		return &Settings{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read lead settings: %w", pg.MapError(err))
	}
	at := out.UpdatedAt.UTC()
	out.UpdatedAt = &at
	return out, nil
}

// regionIn returns the tenant's default phone region in tx ("" for
// international numbers only).
func regionIn(ctx context.Context, tx *outbox.Tx) (string, error) {
	st, err := settingsIn(ctx, tx)
	if err != nil {
		return "", err
	}
	return st.DefaultRegion, nil
}

// Settings reads the tenant's settings of leads.
func (s *Store) Settings(ctx context.Context, tenant string) (out *Settings, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = settingsIn(ctx, tx)
		return err
	})
	return out, err
}

// SetSettings replaces the tenant's settings of leads with in.
func (s *Store) SetSettings(ctx context.Context, tenant string, in *Settings) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_settings (tenant_id, default_region, updated_at, updated_by)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET default_region = EXCLUDED.default_region,
				updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
			in.DefaultRegion, *in.UpdatedAt, in.UpdatedBy)
		if err != nil {
			return fmt.Errorf("save lead settings: %w", pg.MapError(err))
		}
		return nil
	})
}
