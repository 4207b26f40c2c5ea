package audience

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// eventBatch bounds the events one outbox statement adds.
const eventBatch = 1000

// dynamicSegment is a dynamic segment's id and compiled filter.
type dynamicSegment struct {
	id     string
	filter compiled
}

// dynamicSegments reads the tenant's dynamic segments, locked against a
// change of their filter (FOR KEY SHARE: counts still change) until the
// transaction ends.
func dynamicSegments(ctx context.Context, tx *outbox.Tx) ([]dynamicSegment, error) {
	var rows []struct {
		ID     string `db:"id"`
		Filter []byte `db:"filter"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT id, filter FROM segments WHERE kind = 'dynamic' ORDER BY id FOR KEY SHARE`); err != nil {
		return nil, fmt.Errorf("read dynamic segments: %w", pg.MapError(err))
	}
	out := make([]dynamicSegment, len(rows))
	for i, r := range rows {
		f, err := parseFilter(r.Filter)
		if err != nil {
			return nil, fmt.Errorf("segment %s's filter: %w", r.ID, err)
		}
		out[i] = dynamicSegment{id: r.ID, filter: f}
	}
	return out, nil
}

// matchingSegments returns those of segs whose filter the contact id's
// row meets, in one query (none when it has no row).
func matchingSegments(ctx context.Context, tx *outbox.Tx, id string, segs []dynamicSegment) ([]string, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	args := []any{id}
	cases := make([]string, len(segs))
	for i, s := range segs {
		args = append(args, s.id)
		idParam := "$" + strconv.Itoa(len(args))
		cond, condArgs, err := s.filter.sql(len(args) + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, condArgs...)
		cases[i] = "CASE WHEN " + cond + " THEN " + idParam + "::uuid END"
	}
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT s::text FROM audience_contacts c, unnest(ARRAY[`+strings.Join(cases, ", ")+`]) s
		WHERE c.id = $1 AND s IS NOT NULL`, args...); err != nil {
		return nil, fmt.Errorf("evaluate a contact's segments: %w", pg.MapError(err))
	}
	return out, nil
}

// dynamicMemberships returns the dynamic segments the contact id is in.
func dynamicMemberships(ctx context.Context, tx *outbox.Tx, id string) ([]string, error) {
	return segmentsOf(ctx, tx, id, "s.kind = 'dynamic'")
}

// staticMemberships returns the static lists the contact id is in.
func staticMemberships(ctx context.Context, tx *outbox.Tx, id string) ([]string, error) {
	return segmentsOf(ctx, tx, id, "s.kind = 'static'")
}

// memberships returns every segment and list the contact id is in.
func memberships(ctx context.Context, tx *outbox.Tx, id string) ([]string, error) {
	return segmentsOf(ctx, tx, id, "TRUE")
}

// segmentsOf returns the segments of those cond selects the contact id is in.
func segmentsOf(ctx context.Context, tx *outbox.Tx, id, cond string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT m.segment_id FROM segment_members m
		JOIN segments s ON s.tenant_id = m.tenant_id AND s.id = m.segment_id
		WHERE m.contact_id = $1 AND `+cond+` ORDER BY m.segment_id`, id); err != nil {
		return nil, fmt.Errorf("read a contact's segments: %w", pg.MapError(err))
	}
	return out, nil
}

// insertMembers adds contacts to the segment and returns those it did not
// hold.
func insertMembers(ctx context.Context, tx *outbox.Tx, segment string, contacts []string, at time.Time) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at)
		SELECT `+pgrecord.CurrentTenant+`, $1, c, $3 FROM unnest($2::uuid[]) c
		ON CONFLICT DO NOTHING RETURNING contact_id`, segment, pq.Array(contacts), at); err != nil {
		return nil, fmt.Errorf("add segment members: %w", pg.MapError(err))
	}
	return out, nil
}

// deleteMembers removes contacts from the segment and returns those it held.
func deleteMembers(ctx context.Context, tx *outbox.Tx, segment string, contacts []string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `DELETE FROM segment_members WHERE segment_id = $1 AND contact_id = ANY($2::uuid[])
		RETURNING contact_id`, segment, pq.Array(contacts)); err != nil {
		return nil, fmt.Errorf("remove segment members: %w", pg.MapError(err))
	}
	return out, nil
}

// recompute makes the segment's members the contacts meeting f, in one
// statement, and returns who entered and who left.
func recompute(ctx context.Context, tx *outbox.Tx, segment string, f compiled, at time.Time) (entered, left []string, err error) {
	cond, args, err := f.sql(3)
	if err != nil {
		return nil, nil, err
	}
	var rows []struct {
		Action    string `db:"action"`
		ContactID string `db:"contact_id"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `WITH want AS (SELECT c.id FROM audience_contacts c WHERE `+cond+`),
		gone AS (DELETE FROM segment_members m WHERE m.segment_id = $1 AND NOT EXISTS (SELECT 1 FROM want w WHERE w.id = m.contact_id)
			RETURNING m.contact_id),
		added AS (INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at)
			SELECT `+pgrecord.CurrentTenant+`, $1, w.id, $2 FROM want w ON CONFLICT DO NOTHING RETURNING contact_id)
		SELECT 'entered' AS action, contact_id FROM added UNION ALL SELECT 'left', contact_id FROM gone`,
		append([]any{segment, at}, args...)...); err != nil {
		return nil, nil, fmt.Errorf("compute a segment's members: %w", pg.MapError(err))
	}
	for _, r := range rows {
		if r.Action == actionEntered {
			entered = append(entered, r.ContactID)
		} else {
			left = append(left, r.ContactID)
		}
	}
	return entered, left, nil
}

// addHistory records that contacts entered or left the segment at at.
func addHistory(ctx context.Context, tx *outbox.Tx, segment, action string, contacts []string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO segment_membership_history (tenant_id, segment_id, contact_id, action, at)
		SELECT `+pgrecord.CurrentTenant+`, $1, c, $3, $4 FROM unnest($2::uuid[]) c`, segment, pq.Array(contacts), action, at); err != nil {
		return fmt.Errorf("record segment membership history: %w", pg.MapError(err))
	}
	return nil
}

// addCount adds delta to the segment's member count.
func addCount(ctx context.Context, tx *outbox.Tx, segment string, delta int64) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE segments SET member_count = member_count + $2 WHERE id = $1`, segment, delta); err != nil {
		return fmt.Errorf("count segment members: %w", pg.MapError(err))
	}
	return nil
}

// emitMemberships publishes segment.entered or segment.left (action) for
// each of contacts.
func emitMemberships(ctx context.Context, tx *outbox.Tx, segment, action string, contacts []string, at time.Time) error {
	verb := marketingdb.VerbEntered
	if action == actionLeft {
		verb = marketingdb.VerbLeft
	}
	for start := 0; start < len(contacts); start += eventBatch {
		batch := contacts[start:min(start+eventBatch, len(contacts))]
		subjects, states := make([]string, len(batch)), make([]any, len(batch))
		for i, c := range batch {
			subjects[i], states[i] = segment, Membership{SegmentID: segment, ContactID: c, At: at}
		}
		if _, err := tx.Publish(ctx, tx.SQL(), marketingdb.EntitySegment, verb, subjects, states, nil); err != nil {
			return fmt.Errorf("publish segment memberships: %w", err)
		}
	}
	return nil
}
