package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/phone"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Settings returns the tenant's settings, or the defaults.
func (s *Store) Settings(ctx context.Context, tenant string) (*Settings, error) {
	st := Settings{DefaultRegion: phone.DefaultRegion}
	err := s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		err := tx.SQL().GetContext(ctx, &st, "SELECT default_region, updated_at, version FROM settings")
		if err != nil && errs.KindOf(pg.MapError(err)) != errs.NotFound {
			return fmt.Errorf("get settings: %w", pg.MapError(err))
		}
		return nil
	})
	st.UpdatedAt = st.UpdatedAt.UTC()
	return &st, err
}

// PutSettings stores the tenant's settings.
func (s *Store) PutSettings(ctx context.Context, tenant string, st *Settings) error {
	return s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		err := tx.SQL().GetContext(ctx, st, `
			INSERT INTO settings (tenant_id, default_region) VALUES (`+pgstore.CurrentTenant+`, $1)
			ON CONFLICT (tenant_id) DO UPDATE SET default_region = EXCLUDED.default_region,
				updated_at = now(), version = settings.version + 1
			RETURNING default_region, updated_at, version`, st.DefaultRegion)
		if err != nil {
			return fmt.Errorf("put settings: %w", pg.MapError(err))
		}
		st.UpdatedAt = st.UpdatedAt.UTC()
		return nil
	})
}

// WriteRules returns what a write of entity is checked against, read in one
// statement: the tenant's default phone region and entity's custom field
// definitions by key.
func WriteRules(ctx context.Context, tx *pgstore.Tx, entity string) (region string, defs map[string]customfields.Field, err error) {
	var row struct {
		Region sql.NullString `db:"region"`
		Defs   []byte         `db:"defs"`
	}
	err = sqlx.GetContext(ctx, tx.Prepared(), &row, `SELECT (SELECT default_region FROM settings) AS region,
		(SELECT json_agg(json_build_object('id', id, 'entity', entity, 'key', key, 'label', label, 'type', type,
			'options', options, 'required', required, 'createdAt', created_at, 'updatedAt', updated_at, 'version', version))
			FROM custom_fields WHERE entity = $1) AS defs`, entity)
	if err != nil {
		return "", nil, fmt.Errorf("read write rules: %w", pg.MapError(err))
	}
	var list []customfields.Field
	if row.Defs != nil {
		if err := json.Unmarshal(row.Defs, &list); err != nil {
			return "", nil, fmt.Errorf("read write rules: custom fields: %w", err)
		}
	}
	defs = make(map[string]customfields.Field, len(list))
	for _, d := range list {
		d.UTC()
		defs[d.Key] = d
	}
	return cmp.Or(row.Region.String, phone.DefaultRegion), defs, nil
}
