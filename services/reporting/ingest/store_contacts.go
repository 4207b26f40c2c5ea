package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// The kinds of merged records whose merges the contacts topic carries,
// and the read-model table of each.
const (
	kindContact = "contact"
	kindAccount = "account"
)

// mergedTables are the tables whose rows a merge of a kind marks merged.
var mergedTables = map[string]string{kindContact: "rm_contacts", kindAccount: "rm_accounts"}

// saveContact upserts p into gen's rm_contacts unless a newer version is
// there (deleted: contact.deleted, which wins over the same version). An
// erased contact stays erased and nameless whatever arrives after; its
// merge (merged_into) is kept. The lifecycle stage p carries is recorded
// at p's version, in the same statement (a writable CTE: one round trip
// an event).
func saveContact(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p contactPayload, deleted bool) error {
	deleted = deleted || p.DeletedAt != nil
	erased := p.ErasedAt != nil
	_, err := tx.ExecContext(ctx, `WITH contact AS (INSERT INTO rm_contacts (tenant_id, gen, id, account_id, owner_id, team_id, source,
			lifecycle_stage, display_name, created_at, deleted, erased, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, CASE WHEN $9 THEN '' ELSE $8 END, $10, $11, $9, $12)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET account_id = EXCLUDED.account_id, owner_id = EXCLUDED.owner_id,
			team_id = EXCLUDED.team_id, source = EXCLUDED.source, lifecycle_stage = EXCLUDED.lifecycle_stage,
			display_name = CASE WHEN rm_contacts.erased OR EXCLUDED.erased THEN '' ELSE EXCLUDED.display_name END,
			erased = rm_contacts.erased OR EXCLUDED.erased, created_at = EXCLUDED.created_at,
			deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_contacts.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_contacts.version <= EXCLUDED.version)
		INSERT INTO rm_contact_stages (tenant_id, gen, contact_id, version, stage, at)
		SELECT current_setting('app.tenant_id')::uuid, $1, $2, $12, $7, $13::timestamptz WHERE $7 <> ''
		ON CONFLICT (tenant_id, gen, contact_id, version) DO NOTHING`,
		gen, p.ID, nullable(p.AccountID), p.OwnerID, p.TeamID, p.Source, p.LifecycleStage, p.DisplayName, erased,
		p.CreatedAt, deleted, p.Version, p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("ingest: contact %s: %w", p.ID, err)
	}
	return nil
}

// eraseContact marks contact id of gen erased and removes its name for
// good; when none of its other events has arrived yet, it is inserted
// erased (version 0, created at at), and they fill the rest in.
func eraseContact(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, id string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_contacts (tenant_id, gen, id, created_at, erased, display_name, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, true, '', 0)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET erased = true, display_name = ''`, gen, id, at)
	if err != nil {
		return fmt.Errorf("ingest: contact %s's erasure: %w", id, err)
	}
	return nil
}

// saveAccount upserts p into gen's rm_accounts unless a newer version is
// there (deleted: account.deleted, which wins over the same version); its
// merge (merged_into) is kept.
func saveAccount(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p accountPayload, deleted bool) error {
	deleted = deleted || p.DeletedAt != nil
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_accounts (tenant_id, gen, id, name, industry, owner_id, team_id,
			created_at, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET name = EXCLUDED.name, industry = EXCLUDED.industry,
			owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id, created_at = EXCLUDED.created_at,
			deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_accounts.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_accounts.version <= EXCLUDED.version`,
		gen, p.ID, p.Name, p.Industry, p.OwnerID, p.TeamID, p.CreatedAt, deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: account %s: %w", p.ID, err)
	}
	return nil
}

// mergeRecord records in gen that loser (of kind contact or account) was
// merged into winner at at: rm_merges with the winner final (saveMerge),
// and the loser's row — inserted as a placeholder (version 0) when none
// of its events has arrived yet — and the rows merged into the loser
// before marked merged into that final winner.
func mergeRecord(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, kind, loser, winner string, at time.Time) error {
	if err := saveMerge(ctx, tx, gen, kind, loser, winner, at); err != nil {
		return err
	}
	var final string
	if err := tx.GetContext(ctx, &final, `SELECT winner_id FROM rm_merges WHERE gen = $1 AND kind = $2 AND loser_id = $3`,
		gen, kind, loser); err != nil {
		return fmt.Errorf("ingest: %s %s's final winner: %w", kind, loser, err)
	}
	table := mergedTables[kind]
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (tenant_id, gen, id, created_at, merged_into, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, 0)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET merged_into = EXCLUDED.merged_into`, gen, loser, at, final); err != nil {
		return fmt.Errorf("ingest: %s %s merged: %w", kind, loser, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET merged_into = $3 WHERE gen = $1 AND merged_into = $2`,
		gen, loser, final); err != nil {
		return fmt.Errorf("ingest: %ss merged into %s: %w", kind, loser, err)
	}
	return nil
}

// saveActivity upserts p into gen's rm_activities unless a newer version
// is there (deleted: activity.deleted, which wins over the same version).
func saveActivity(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p activityPayload, deleted bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_activities (tenant_id, gen, id, type, owner_id, team_id, contact_id,
			account_id, occurred_at, completed, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET type = EXCLUDED.type, owner_id = EXCLUDED.owner_id,
			team_id = EXCLUDED.team_id, contact_id = EXCLUDED.contact_id, account_id = EXCLUDED.account_id,
			occurred_at = EXCLUDED.occurred_at, completed = EXCLUDED.completed, deleted = EXCLUDED.deleted,
			version = EXCLUDED.version
		WHERE rm_activities.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_activities.version <= EXCLUDED.version`,
		gen, p.ID, p.Type, p.owner(), p.TeamID, nullable(p.ContactID), nullable(p.AccountID), p.occurred(), p.completed(),
		deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: activity %s: %w", p.ID, err)
	}
	return nil
}
