package templates

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// templateRow is a row of templates.
type templateRow struct {
	ID          string    `db:"id"`
	Name        string    `db:"name"`
	Channel     string    `db:"channel"`
	Subject     string    `db:"subject"`
	HTML        string    `db:"html"`
	Text        string    `db:"text"`
	Body        string    `db:"body"`
	Description string    `db:"description"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

// templateColumns are the columns of a templateRow.
const templateColumns = "id, name, channel, subject, html, text, body, description, created_by, created_at, updated_at, version"

// template is the Template of r.
func (r templateRow) template() Template {
	return Template{ID: r.ID, Name: r.Name, Channel: r.Channel, Subject: r.Subject, HTML: r.HTML, Text: r.Text, Body: r.Body,
		Description: r.Description, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version}
}

// listTemplates reads up to n templates of channel ("" for any), newest
// first, with ids before before ("" from the newest).
func listTemplates(ctx context.Context, tx *outbox.Tx, channel, before string, n int) ([]Template, error) {
	var q pgrecord.Query
	if channel != "" {
		q.Add("channel = ?", channel)
	}
	if before != "" {
		q.Add("id < ?", before)
	}
	var rows []templateRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+templateColumns+" FROM templates"+q.Where()+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list templates: %w", pg.MapError(err))
	}
	out := make([]Template, len(rows))
	for i, r := range rows {
		out[i] = r.template()
	}
	return out, nil
}

// getTemplate reads the template id, locked for the transaction when lock.
func getTemplate(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Template, error) {
	var r templateRow
	if err := pgrecord.GetRow(ctx, tx, &r, "templates", templateColumns, id, lock, ErrNotFound, "template"); err != nil {
		return Template{}, err
	}
	return r.template(), nil
}

// saveTemplate inserts t or updates its row.
func saveTemplate(ctx context.Context, tx *outbox.Tx, t Template, insert bool) error {
	q := `UPDATE templates SET name = $2, channel = $3, subject = $4, html = $5, text = $6, body = $7, description = $8,
		created_by = $9, created_at = $10, updated_at = $11, version = $12 WHERE id = $1`
	if insert {
		q = `INSERT INTO templates (tenant_id, ` + templateColumns + `) VALUES (` + pgrecord.CurrentTenant + `,
			$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, t.ID, t.Name, t.Channel, t.Subject, t.HTML, t.Text, t.Body, t.Description,
		t.CreatedBy, t.CreatedAt, t.UpdatedAt, t.Version); err != nil {
		return fmt.Errorf("save template: %w", pg.MapError(err))
	}
	return nil
}

// deleteTemplate removes the template id.
func deleteTemplate(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM templates WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete template: %w", pg.MapError(err))
	}
	return nil
}
