package audience

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// getAudienceContact reads the contact id; ErrContactNotFound if the
// projection has none.
func getAudienceContact(ctx context.Context, tx *outbox.Tx, id string) (AudienceContact, error) {
	var r audienceRow
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, "SELECT "+audienceColumns+" FROM audience_contacts c WHERE c.id = $1", id))
	if errs.KindOf(err) == errs.NotFound {
		return AudienceContact{}, ErrContactNotFound
	}
	if err != nil {
		return AudienceContact{}, fmt.Errorf("read an audience contact: %w", err)
	}
	return r.contact()
}

// listAudience reads up to n contacts after the id after meeting f, by id.
func listAudience(ctx context.Context, tx *outbox.Tx, f compiled, after string, n int) ([]AudienceContact, error) {
	cond, args, err := f.sql(3)
	if err != nil {
		return nil, err
	}
	var rows []audienceRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+audienceColumns+` FROM audience_contacts c
		WHERE ($1 = '' OR c.id > $1::uuid) AND `+cond+` ORDER BY c.id LIMIT $2`, append([]any{after, n}, args...)...); err != nil {
		return nil, fmt.Errorf("list the audience: %w", pg.MapError(err))
	}
	return contacts(rows)
}

// countAudience counts the contacts meeting f.
func countAudience(ctx context.Context, tx *outbox.Tx, f compiled) (int64, error) {
	cond, args, err := f.sql(1)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM audience_contacts c WHERE "+cond, args...); err != nil {
		return 0, fmt.Errorf("count the audience: %w", pg.MapError(err))
	}
	return n, nil
}

// listMembers reads up to n members of the segment after the contact id
// after, by id.
func listMembers(ctx context.Context, tx *outbox.Tx, segment, after string, n int) ([]AudienceContact, error) {
	var rows []audienceRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+audienceColumns+` FROM segment_members m
		JOIN audience_contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id
		WHERE m.segment_id = $1 AND ($2 = '' OR m.contact_id > $2::uuid) ORDER BY m.contact_id LIMIT $3`, segment, after, n); err != nil {
		return nil, fmt.Errorf("list segment members: %w", pg.MapError(err))
	}
	return contacts(rows)
}

// liveCount counts the segment's members now.
func liveCount(ctx context.Context, tx *outbox.Tx, segment string) (int64, error) {
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, `SELECT count(*) FROM segment_members WHERE segment_id = $1`, segment); err != nil {
		return 0, fmt.Errorf("count segment members: %w", pg.MapError(err))
	}
	return n, nil
}

// existingContacts returns those of ids the projection holds.
func existingContacts(ctx context.Context, tx *outbox.Tx, ids []string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT c.id FROM audience_contacts c WHERE c.id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("find audience contacts: %w", pg.MapError(err))
	}
	return out, nil
}

// contactsByEmail returns the ids of the contacts whose email is one of
// emails (lower-cased), by email.
func contactsByEmail(ctx context.Context, tx *outbox.Tx, emails []string) (map[string]string, error) {
	var rows []struct {
		ID    string `db:"id"`
		Email string `db:"email"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT c.id, c.email FROM audience_contacts c WHERE c.email = ANY($1::text[])`,
		pq.Array(emails)); err != nil {
		return nil, fmt.Errorf("find audience contacts by email: %w", pg.MapError(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Email] = r.ID
	}
	return out, nil
}

// matchingContacts returns the ids of the contacts meeting f.
func matchingContacts(ctx context.Context, tx *outbox.Tx, f compiled) ([]string, error) {
	cond, args, err := f.sql(1)
	if err != nil {
		return nil, err
	}
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT c.id FROM audience_contacts c WHERE "+cond+" ORDER BY c.id", args...); err != nil {
		return nil, fmt.Errorf("select audience contacts: %w", pg.MapError(err))
	}
	return out, nil
}
