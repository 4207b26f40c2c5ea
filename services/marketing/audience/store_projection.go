package audience

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// upsertContact stores c's state unless the row holds a later version
// (the same one too, unless rebuild) or a tombstone says the contact is
// gone at that version or for good; kept reports whether it did.
func upsertContact(ctx context.Context, tx *outbox.Tx, c contactState, rebuild bool) (kept bool, err error) {
	newer := "audience_contacts.version < EXCLUDED.version"
	if rebuild {
		newer = "audience_contacts.version <= EXCLUDED.version"
	}
	custom := string(c.CustomFields)
	if custom == "" || custom == "null" {
		custom = "{}"
	}
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO audience_contacts (tenant_id, id, first_name, last_name, display_name, email,
			phone, job_title, account_id, owner_id, lifecycle_stage, source, country, city, tags, custom_fields, email_consent,
			sms_consent, last_activity_at, created_at, updated_at, version)
		SELECT `+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21
		WHERE NOT EXISTS (SELECT 1 FROM audience_tombstones t WHERE t.id = $1 AND (t.retired OR t.version >= $21))
		ON CONFLICT (tenant_id, id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
			display_name = EXCLUDED.display_name, email = EXCLUDED.email, phone = EXCLUDED.phone, job_title = EXCLUDED.job_title,
			account_id = EXCLUDED.account_id, owner_id = EXCLUDED.owner_id, lifecycle_stage = EXCLUDED.lifecycle_stage,
			source = EXCLUDED.source, country = EXCLUDED.country, city = EXCLUDED.city, tags = EXCLUDED.tags,
			custom_fields = EXCLUDED.custom_fields, email_consent = EXCLUDED.email_consent, sms_consent = EXCLUDED.sms_consent,
			last_activity_at = EXCLUDED.last_activity_at, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
			version = EXCLUDED.version
		WHERE `+newer,
		c.ID, c.FirstName, c.LastName, c.DisplayName, c.email(), c.phone(), c.JobTitle, pgrecord.OrNull(c.AccountID), c.OwnerID,
		c.LifecycleStage, c.Source, c.Address.Country, c.Address.City, pq.Array(tags), custom, c.Consent.Email.Status,
		c.Consent.SMS.Status, c.LastActivityAt, c.CreatedAt, c.UpdatedAt, c.Version)
	if err != nil {
		return false, fmt.Errorf("keep an audience contact: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM audience_tombstones WHERE id = $1 AND NOT retired`, c.ID); err != nil {
		return false, fmt.Errorf("clear a contact's tombstone: %w", pg.MapError(err))
	}
	return true, nil
}

// removeContact removes the contact id, deleted at version, unless its
// row holds a later version; removed reports whether it did (or the
// contact had no row).
func removeContact(ctx context.Context, tx *outbox.Tx, id string, version int64) (removed bool, err error) {
	var later bool
	if err := tx.SQL().GetContext(ctx, &later, `SELECT EXISTS (SELECT 1 FROM audience_contacts WHERE id = $1 AND version > $2)`,
		id, version); err != nil {
		return false, fmt.Errorf("read an audience contact's version: %w", pg.MapError(err))
	}
	if later {
		return false, nil
	}
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM audience_contacts WHERE id = $1`, id); err != nil {
		return false, fmt.Errorf("remove an audience contact: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO audience_tombstones (tenant_id, id, version)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2)
		ON CONFLICT (tenant_id, id) DO UPDATE SET version = GREATEST(audience_tombstones.version, EXCLUDED.version)`, id, version); err != nil {
		return false, fmt.Errorf("record a removed contact: %w", pg.MapError(err))
	}
	return true, nil
}

// retireContact removes the contact id for good.
func retireContact(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM audience_contacts WHERE id = $1`, id); err != nil {
		return fmt.Errorf("remove an audience contact: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO audience_tombstones (tenant_id, id, version, retired)
		VALUES (`+pgrecord.CurrentTenant+`, $1, 0, true) ON CONFLICT (tenant_id, id) DO UPDATE SET retired = true`, id); err != nil {
		return fmt.Errorf("retire a contact: %w", pg.MapError(err))
	}
	return nil
}
