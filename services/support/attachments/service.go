package attachments

import (
	"context"
	"io"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Service is the attachments' API for the caller of a request: uploading a
// file to a case and downloading it, each in a transaction of the caller's
// tenant.
type Service struct {
	db    *outbox.DB
	store Store
}

// NewService returns the Service keeping files in store.
func NewService(db *outbox.DB, store Store) *Service { return &Service{db: db, store: store} }

// Limit is the largest file Upload takes, in bytes.
func (s *Service) Limit() int64 { return s.store.Limit() }

// Upload stores u as an attachment of the case caseID of the caller's
// tenant (ErrCaseNotFound when there is none, or it is deleted). Entries
// of the case's thread reference it by its id.
func (s *Service) Upload(ctx context.Context, caseID string, u Upload) (Meta, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Meta{}, err
	}
	var m Meta
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := findCase(ctx, tx, caseID); err != nil {
			return err
		}
		m, err = s.store.Put(ctx, tx, caseID, u)
		return err
	})
	return m, err
}

// Download returns the attachment id of the case caseID with its bytes;
// ErrCaseNotFound when the caller's tenant has no such case (or deleted
// it), ErrAttachmentNotFound when the case has no such attachment. The
// caller closes the reader.
func (s *Service) Download(ctx context.Context, caseID, id string) (m Meta, data io.ReadCloser, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Meta{}, nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := findCase(ctx, tx, caseID); err != nil {
			return err
		}
		m, data, err = s.store.Open(ctx, tx, id)
		if err == nil && m.CaseID != caseID {
			data.Close()
			return ErrAttachmentNotFound
		}
		return err
	})
	return m, data, err
}

// findCase is nil when the transaction's tenant has the case id, else
// ErrCaseNotFound.
func findCase(ctx context.Context, tx *outbox.Tx, id string) error {
	found, err := caseExists(ctx, tx, id)
	if err == nil && !found {
		return ErrCaseNotFound
	}
	return err
}
