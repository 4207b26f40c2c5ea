package attachments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// dbStore is the Store in the service's database: table attachments
// (migrations/0003_attachments.sql), the bytes in a bytea column beside
// their metadata.
type dbStore struct{ limit int64 }

// NewDBStore returns the Store keeping attachments in the database, files
// up to limit bytes (DefaultLimit).
func NewDBStore(limit int64) Store { return dbStore{limit: limit} }

// Limit implements Store.
func (s dbStore) Limit() int64 { return s.limit }

// metaColumns are the columns a Meta is read from.
const metaColumns = `id, case_id, name, content_type, size, sha256, created_at`

// Put implements Store.
func (s dbStore) Put(ctx context.Context, tx *outbox.Tx, caseID string, u Upload) (Meta, error) {
	m, err := check(u, s.limit)
	if err != nil {
		return Meta{}, err
	}
	m.ID, m.CaseID, m.CreatedAt = ids.New(), caseID, pg.Now()
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO attachments (tenant_id, id, case_id, name, content_type, size, sha256, created_at, data)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8)`,
		m.ID, m.CaseID, m.Name, m.ContentType, m.Size, m.SHA256, m.CreatedAt, u.Data)
	if err != nil {
		return Meta{}, fmt.Errorf("store attachment: %w", pg.MapError(err))
	}
	return m, nil
}

// check returns the Meta of u but for its ids and time: its sanitised
// name, sniffed type, size and SHA-256; or why u is refused.
func check(u Upload, limit int64) (Meta, error) {
	switch {
	case int64(len(u.Data)) > limit:
		return Meta{}, ErrTooLarge.WithDetail("the file is %d bytes: attachments may be at most %d bytes", len(u.Data), limit)
	case len(u.Data) == 0:
		return Meta{}, fieldError(ErrEmpty, "file", "the file is empty")
	}
	typ := sniff(u.Data, u.ContentType, u.Name)
	if refused(typ) {
		return Meta{}, fieldError(ErrRefusedType, "file", fmt.Sprintf("the file is a program (%s): programs are not accepted", baseType(typ)))
	}
	sum := sha256.Sum256(u.Data)
	return Meta{Name: SanitizeName(u.Name), ContentType: typ, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Open implements Store: the bytes are read in the transaction, whole.
func (s dbStore) Open(ctx context.Context, tx *outbox.Tx, id string) (Meta, io.ReadCloser, error) {
	if !ids.Valid(id) {
		return Meta{}, nil, ErrAttachmentNotFound
	}
	var row struct {
		Meta
		Data []byte `db:"data"`
	}
	err := tx.SQL().GetContext(ctx, &row, `SELECT `+metaColumns+`, data FROM attachments WHERE id = $1`, id)
	if err != nil {
		if err = pg.MapError(err); errors.Is(err, pg.ErrNotFound) {
			return Meta{}, nil, ErrAttachmentNotFound
		}
		return Meta{}, nil, fmt.Errorf("read attachment: %w", err)
	}
	return row.Meta, io.NopCloser(bytes.NewReader(row.Data)), nil
}

// Move implements Store.
func (s dbStore) Move(ctx context.Context, tx *outbox.Tx, fromCase, toCase string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE attachments SET case_id = $2 WHERE case_id = $1`, fromCase, toCase); err != nil {
		return fmt.Errorf("move attachments: %w", pg.MapError(err))
	}
	return nil
}

// caseExists reports whether the transaction's tenant has the case id,
// not deleted.
func caseExists(ctx context.Context, tx *outbox.Tx, id string) (bool, error) {
	if !ids.Valid(id) {
		return false, nil
	}
	var found bool
	err := tx.SQL().GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1 AND deleted_at IS NULL)`, id)
	if err != nil {
		return false, fmt.Errorf("find case: %w", pg.MapError(err))
	}
	return found, nil
}
