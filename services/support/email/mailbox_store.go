package email

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// mailboxColumns are the columns of a Mailbox.
const mailboxColumns = "id, address, queue_id, default_priority, auto_acknowledge, from_name, is_default, created_at, updated_at, version"

// listMailboxes reads the tenant's mailboxes, by address.
func listMailboxes(ctx context.Context, tx *outbox.Tx) ([]Mailbox, error) {
	out := []Mailbox{}
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+mailboxColumns+" FROM support_mailboxes ORDER BY address"); err != nil {
		return nil, fmt.Errorf("list mailboxes: %w", pg.MapError(err))
	}
	return out, nil
}

// getMailbox reads the mailbox id, locked for the transaction when lock.
func getMailbox(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Mailbox, error) {
	var m Mailbox
	err := pgrecord.GetRow(ctx, tx, &m, "support_mailboxes", mailboxColumns, id, lock, ErrMailboxNotFound, "mailbox")
	return m, err
}

// defaultMailbox reads the tenant's default mailbox.
func defaultMailbox(ctx context.Context, tx *outbox.Tx) (Mailbox, error) {
	var m Mailbox
	err := tx.SQL().GetContext(ctx, &m, "SELECT "+mailboxColumns+" FROM support_mailboxes WHERE is_default")
	if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
		return m, ErrNoMailbox
	}
	return m, err
}

// saveMailbox inserts m or updates it (to its version), making it the
// only default when it is one.
func saveMailbox(ctx context.Context, tx *outbox.Tx, m Mailbox, insert bool) error {
	if m.IsDefault {
		if _, err := tx.SQL().ExecContext(ctx, "UPDATE support_mailboxes SET is_default = false WHERE is_default AND id <> $1", m.ID); err != nil {
			return fmt.Errorf("save mailbox: %w", pg.MapError(err))
		}
	}
	q := `UPDATE support_mailboxes SET address = :address, queue_id = :queue_id, default_priority = :default_priority,
		auto_acknowledge = :auto_acknowledge, from_name = :from_name, is_default = :is_default, updated_at = :updated_at,
		version = :version WHERE id = :id`
	if insert {
		q = `INSERT INTO support_mailboxes (tenant_id, ` + mailboxColumns + `) VALUES (` + pgrecord.CurrentTenant + `,
			:id, :address, :queue_id, :default_priority, :auto_acknowledge, :from_name, :is_default, :created_at, :updated_at, :version)`
	}
	_, err := sqlx.NamedExecContext(ctx, tx.SQL(), q, m)
	if pg.IsUniqueViolation(err, "support_mailboxes_address") {
		return ErrAddressTaken
	}
	if err != nil {
		return fmt.Errorf("save mailbox: %w", pg.MapError(err))
	}
	return nil
}

// deleteMailbox removes the mailbox id.
func deleteMailbox(ctx context.Context, tx *outbox.Tx, id string) error {
	res, err := tx.SQL().ExecContext(ctx, "DELETE FROM support_mailboxes WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete mailbox: %w", pg.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrMailboxNotFound
	}
	return nil
}

// route is where a mail to an address goes: a tenant's mailbox.
type route struct {
	Tenant  string `db:"tenant_id"`
	Mailbox string `db:"id"`
}

// routeOf finds the mailbox of address across tenants
// (support_mailbox_by_address); ok is false when no tenant has it.
func routeOf(ctx context.Context, db *sqlx.DB, address string) (r route, ok bool, err error) {
	err = db.GetContext(ctx, &r, "SELECT tenant_id, id FROM support_mailbox_by_address($1)", address)
	if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
		return r, false, nil
	}
	return r, err == nil, err
}
