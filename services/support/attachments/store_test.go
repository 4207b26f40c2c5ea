package attachments_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/migrations"
)

// storeEnv is the database store on a fresh database of the service's
// schema: the owner's pool for fixtures and the service's outbox.DB.
type storeEnv struct {
	admin *sqlx.DB
	db    *outbox.DB
	store attachments.Store
}

func newStoreEnv(t *testing.T, limit int64) storeEnv {
	t.Helper()
	pgdb := testkit.Postgres(t)
	admin := testkit.Open(t, pgdb.AdminURL)
	err := pg.Migrate(context.Background(), admin.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), pgdb.AppRole,
		outbox.Migrations(), numbering.Migrations(), migrations.Source())
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return storeEnv{admin: admin, db: outbox.NewDB(testkit.Open(t, pgdb.AppURL), supportdb.Events, "rapport.support.v1"),
		store: attachments.NewDBStore(limit)}
}

// newCase inserts a case of tenant and returns its id.
func (e storeEnv) newCase(t *testing.T, tenant string) string {
	t.Helper()
	id := uuid.NewString()
	e.admin.MustExec(`INSERT INTO cases (tenant_id, id, number, subject, channel, priority, status, created_by, created_at, updated_at)
		VALUES ($1, $2, (SELECT count(*) + 1 FROM cases WHERE tenant_id = $1), 'printer jammed', 'email', 'normal', 'new', 'test', now(), now())`, tenant, id)
	return id
}

// put stores data as an attachment of caseID.
func (e storeEnv) put(t *testing.T, tenant, caseID, name string, data []byte) (attachments.Meta, error) {
	t.Helper()
	var m attachments.Meta
	err := e.db.InTx(context.Background(), tenant, func(tx *outbox.Tx) (err error) {
		m, err = e.store.Put(context.Background(), tx, caseID, attachments.Upload{Name: name, Data: data})
		return err
	})
	return m, err
}

// open reads the attachment id of tenant.
func (e storeEnv) open(t *testing.T, tenant, id string) (attachments.Meta, []byte, error) {
	t.Helper()
	var m attachments.Meta
	var data []byte
	err := e.db.InTx(context.Background(), tenant, func(tx *outbox.Tx) error {
		meta, r, err := e.store.Open(context.Background(), tx, id)
		if err != nil {
			return err
		}
		defer r.Close()
		m = meta
		data, err = io.ReadAll(r)
		return err
	})
	return m, data, err
}

// TestDBStore: a file put in a case reads back whole, only in its tenant;
// a merge moves a case's files to the surviving case; a deleted case takes
// its files along; the limit is the store's.
func TestDBStore(t *testing.T) {
	e := newStoreEnv(t, 16)
	ctx := context.Background()
	tenant, other := uuid.NewString(), uuid.NewString()
	from, to, third := e.newCase(t, tenant), e.newCase(t, tenant), e.newCase(t, tenant)
	if got := e.store.Limit(); got != 16 {
		t.Errorf("limit %d, want 16", got)
	}

	a, err := e.put(t, tenant, from, "a.txt", []byte("first"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.put(t, tenant, from, "b.txt", []byte("second"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.put(t, tenant, third, "c.txt", []byte("third"))
	if err != nil {
		t.Fatal(err)
	}
	if m, data, err := e.open(t, tenant, a.ID); err != nil || !bytes.Equal(data, []byte("first")) || m != a {
		t.Errorf("read back %+v %q (%v), want %+v", m, data, err, a)
	}
	if _, _, err := e.open(t, other, a.ID); !errors.Is(err, attachments.ErrAttachmentNotFound) {
		t.Errorf("another tenant reads the attachment: %v", err)
	}
	if _, err := e.put(t, other, from, "x.txt", []byte("x")); err == nil {
		t.Errorf("another tenant stores a file in the case")
	}
	if _, err := e.put(t, tenant, from, "big.txt", bytes.Repeat([]byte("x"), 17)); !errors.Is(err, attachments.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}

	err = e.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return e.store.Move(ctx, tx, from, to) })
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []attachments.Meta{a, b} {
		if got, _, err := e.open(t, tenant, m.ID); err != nil || got.CaseID != to {
			t.Errorf("%s after the merge is of case %s (%v), want %s", m.Name, got.CaseID, err, to)
		}
	}
	if got, _, err := e.open(t, tenant, c.ID); err != nil || got.CaseID != third {
		t.Errorf("a file of another case moved to %s (%v)", got.CaseID, err)
	}

	e.admin.MustExec(`DELETE FROM cases WHERE tenant_id = $1 AND id = $2`, tenant, to)
	if _, _, err := e.open(t, tenant, a.ID); !errors.Is(err, attachments.ErrAttachmentNotFound) {
		t.Errorf("a file of a deleted case: %v", err)
	}
	tables, err := pg.TablesWithoutRLS(ctx, e.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if table == "attachments" {
			t.Errorf("attachments is not under row-level security")
		}
	}
}
