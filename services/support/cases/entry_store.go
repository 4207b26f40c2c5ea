package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ErrEntryNotFound is an entry that is not in the case's thread.
var ErrEntryNotFound = errs.New(errs.NotFound, "case-entry-not-found", "entry not found in the case's thread")

// entryRow is a row of case_entries.
type entryRow struct {
	ID          string    `db:"id"`
	CaseID      string    `db:"case_id"`
	Seq         int64     `db:"seq"`
	Kind        string    `db:"kind"`
	Public      bool      `db:"public"`
	AuthorType  string    `db:"author_type"`
	AuthorID    string    `db:"author_id"`
	AuthorEmail string    `db:"author_email"`
	AuthorName  string    `db:"author_name"`
	Channel     string    `db:"channel"`
	BodyText    string    `db:"body_text"`
	BodyHTML    string    `db:"body_html"`
	MessageID   *string   `db:"message_id"`
	Attachments []byte    `db:"attachments"`
	CreatedAt   time.Time `db:"created_at"`
}

// entryColumns are the columns of an entryRow.
const entryColumns = `id, case_id, seq, kind, public, author_type, author_id, author_email, author_name, channel, body_text, body_html,
	message_id, attachments, created_at`

// entry is the Entry of r.
func (r entryRow) entry() (Entry, error) {
	e := Entry{ID: r.ID, CaseID: r.CaseID, Kind: r.Kind, Public: r.Public, AuthorType: r.AuthorType, AuthorID: r.AuthorID,
		AuthorEmail: r.AuthorEmail, AuthorName: r.AuthorName, Channel: r.Channel, BodyText: r.BodyText, BodyHTML: r.BodyHTML,
		MessageID: pgrecord.Deref(r.MessageID), CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal(r.Attachments, &e.Attachments); err != nil {
		return e, fmt.Errorf("read entry attachments: %w", err)
	}
	return e, nil
}

// insertEntry writes the new entry e.
func insertEntry(ctx context.Context, tx *outbox.Tx, e *Entry) error {
	files, err := json.Marshal(e.Attachments)
	if err != nil {
		return err
	}
	_, err = tx.Prepared().ExecContext(ctx, `INSERT INTO case_entries (tenant_id, id, case_id, kind, public, author_type, author_id,
		author_email, author_name, channel, body_text, body_html, message_id, attachments, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.ID, e.CaseID, e.Kind, e.Public, e.AuthorType, e.AuthorID, e.AuthorEmail, e.AuthorName, e.Channel, e.BodyText, e.BodyHTML,
		pgrecord.OrNull(e.MessageID), string(files), e.CreatedAt)
	if err != nil {
		return fmt.Errorf("save case entry: %w", pg.MapError(err))
	}
	return nil
}

// entriesWhere reads up to limit entries where cond (with args) holds,
// oldest first, with their seqs.
func entriesWhere(ctx context.Context, tx *outbox.Tx, q *pgrecord.Query, limit int) ([]Entry, []int64, error) {
	var rs []entryRow
	if err := tx.SQL().SelectContext(ctx, &rs, "SELECT "+entryColumns+" FROM case_entries"+q.Where()+" ORDER BY seq LIMIT "+strconv.Itoa(limit), q.Args...); err != nil {
		return nil, nil, fmt.Errorf("read case entries: %w", pg.MapError(err))
	}
	out, seqs := make([]Entry, len(rs)), make([]int64, len(rs))
	for i, r := range rs {
		var err error
		if out[i], err = r.entry(); err != nil {
			return nil, nil, err
		}
		seqs[i] = r.Seq
	}
	return out, seqs, nil
}

// entryIn reads the entry id of the case caseID.
func entryIn(ctx context.Context, tx *outbox.Tx, caseID, id string) (*Entry, error) {
	q := &pgrecord.Query{}
	q.Add("case_id = ?", caseID)
	q.Add("id = ?", id)
	list, _, err := entriesWhere(ctx, tx, q, 1)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrEntryNotFound
	}
	return &list[0], nil
}

// entryByMessageID reads the entry whose Message-ID is one of messageIDs,
// the latest; nil for none.
func entryByMessageID(ctx context.Context, tx *outbox.Tx, messageIDs []string) (*Entry, error) {
	var rs []entryRow
	if err := tx.SQL().SelectContext(ctx, &rs, "SELECT "+entryColumns+" FROM case_entries WHERE message_id = ANY($1) ORDER BY seq DESC LIMIT 1",
		pq.StringArray(messageIDs)); err != nil {
		return nil, fmt.Errorf("find case entry by message id: %w", pg.MapError(err))
	}
	if len(rs) == 0 {
		return nil, nil
	}
	e, err := rs[0].entry()
	return &e, err
}

// moveEntries gives the entries of the case from (all, or only the entry
// id when it is set) to the case to.
func moveEntries(ctx context.Context, tx *outbox.Tx, from, to, id string) error {
	q := "UPDATE case_entries SET case_id = $2 WHERE case_id = $1"
	args := []any{from, to}
	if id != "" {
		q, args = q+" AND id = $3", append(args, id)
	}
	if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("move case entries: %w", pg.MapError(err))
	}
	return nil
}

// setEntryAttachments replaces the attachments of the entry id.
func setEntryAttachments(ctx context.Context, tx *outbox.Tx, id string, files []Attachment) error {
	b, err := json.Marshal(files)
	if err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE case_entries SET attachments = $2 WHERE id = $1", id, string(b)); err != nil {
		return fmt.Errorf("update entry attachments: %w", pg.MapError(err))
	}
	return nil
}

// eraseAuthors blanks the email and name of the customer's entries in the
// cases of the contact id: what the thread holds of an erased contact
// beyond the bodies.
func eraseAuthors(ctx context.Context, tx *outbox.Tx, contactID string) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE case_entries SET author_email = '', author_name = ''
		WHERE author_type = 'customer' AND case_id IN (SELECT id FROM cases WHERE contact_id = $1)`, contactID)
	if err != nil {
		return fmt.Errorf("erase entry authors: %w", pg.MapError(err))
	}
	return nil
}
