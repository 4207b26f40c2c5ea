package journeys

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// journeyRow is a row of journeys.
type journeyRow struct {
	ID         string         `db:"id"`
	Name       string         `db:"name"`
	CampaignID sql.NullString `db:"campaign_id"`
	Status     string         `db:"status"`
	Trigger    []byte         `db:"trigger"`
	Steps      []byte         `db:"steps"`
	ReEntry    []byte         `db:"re_entry"`
	Goal       []byte         `db:"goal"`
	CreatedBy  string         `db:"created_by"`
	CreatedAt  time.Time      `db:"created_at"`
	UpdatedAt  time.Time      `db:"updated_at"`
	Version    int64          `db:"version"`
}

// journeyColumns are the columns of a journeyRow.
const journeyColumns = "id, name, campaign_id, status, trigger, steps, re_entry, goal, created_by, created_at, updated_at, version"

// journey is the Journey of r (its JSON columns written by saveJourney).
func (r journeyRow) journey() (Journey, error) {
	j := Journey{ID: r.ID, Name: r.Name, CampaignID: r.CampaignID.String, Status: r.Status, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, f := range []struct {
		raw  []byte
		dest any
	}{{r.Trigger, &j.Trigger}, {r.Steps, &j.Steps}, {r.ReEntry, &j.ReEntry}, {r.Goal, &j.Goal}} {
		if f.raw == nil {
			continue
		}
		if err := json.Unmarshal(f.raw, f.dest); err != nil {
			return Journey{}, fmt.Errorf("read journey %s: %w", r.ID, err)
		}
	}
	return j, nil
}

// journeysOf is the journeys of rows.
func journeysOf(rows []journeyRow) ([]Journey, error) {
	out := make([]Journey, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.journey(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getJourney reads the journey id, locked for the transaction when lock.
func getJourney(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Journey, error) {
	var r journeyRow
	if err := pgrecord.GetRow(ctx, tx, &r, "journeys", journeyColumns, id, lock, ErrNotFound, "journey"); err != nil {
		return Journey{}, err
	}
	return r.journey()
}

// listJourneys reads up to n journeys, newest first, with ids before
// before ("" from the newest).
func listJourneys(ctx context.Context, tx *outbox.Tx, before string, n int) ([]Journey, error) {
	var rows []journeyRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+journeyColumns+` FROM journeys
		WHERE ($1 = '' OR id < $1::uuid) ORDER BY id DESC LIMIT $2`, before, n); err != nil {
		return nil, fmt.Errorf("list journeys: %w", pg.MapError(err))
	}
	return journeysOf(rows)
}

// triggered reads the active journeys of tx's tenant whose trigger is of
// type with the value key (segmentId, formId or event) as value.
func triggered(ctx context.Context, tx *outbox.Tx, typ, key, value string) ([]Journey, error) {
	var rows []journeyRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+journeyColumns+` FROM journeys
		WHERE status = 'active' AND trigger->>'type' = $1 AND trigger->>$2 = $3 ORDER BY id`, typ, key, value); err != nil {
		return nil, fmt.Errorf("find triggered journeys: %w", pg.MapError(err))
	}
	return journeysOf(rows)
}

// saveJourney inserts j or updates its row.
func saveJourney(ctx context.Context, tx *outbox.Tx, j Journey, insert bool) error {
	var raw [4][]byte
	for i, v := range []any{j.Trigger, j.Steps, j.ReEntry, j.Goal} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		raw[i] = b
	}
	goal := any(raw[3])
	if j.Goal == nil {
		goal = nil
	}
	q := `UPDATE journeys SET name = $2, campaign_id = $3, status = $4, trigger = $5, steps = $6, re_entry = $7, goal = $8,
		created_by = $9, created_at = $10, updated_at = $11, version = $12 WHERE id = $1`
	if insert {
		q = `INSERT INTO journeys (tenant_id, ` + journeyColumns + `) VALUES (` + pgrecord.CurrentTenant + `,
			$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, j.ID, j.Name, pgrecord.OrNull(j.CampaignID), j.Status, raw[0], raw[1], raw[2], goal,
		j.CreatedBy, j.CreatedAt, j.UpdatedAt, j.Version); err != nil {
		return fmt.Errorf("save journey: %w", pg.MapError(err))
	}
	return nil
}

// deleteJourney removes the journey id and its enrolments.
func deleteJourney(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `WITH e AS (DELETE FROM journey_enrolments WHERE journey_id = $1)
		DELETE FROM journeys WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete journey: %w", pg.MapError(err))
	}
	return nil
}

// exists says whether tx's tenant has the row id in table (templates of
// channel when channel is set).
func exists(ctx context.Context, tx *outbox.Tx, table, id, channel string) (bool, error) {
	q := "SELECT EXISTS (SELECT 1 FROM " + table + " WHERE id = $1)"
	args := []any{id}
	if channel != "" {
		q = "SELECT EXISTS (SELECT 1 FROM " + table + " WHERE id = $1 AND channel = $2)"
		args = append(args, channel)
	}
	var ok bool
	if err := tx.SQL().GetContext(ctx, &ok, q, args...); err != nil {
		return false, fmt.Errorf("look up %s: %w", table, pg.MapError(err))
	}
	return ok, nil
}
