package imports

import (
	"context"
	"io"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Service is the API of imports. An import is its creator's: another
// caller sees it only with contacts:admin.
type Service interface {
	// Start stores the file of up and queues its import, which a Runner
	// then runs; it returns the import queued.
	Start(ctx context.Context, up Upload) (*Import, error)
	// Preview reads the first rows of the file of up: its encoding,
	// delimiter, header, first rows and a suggested mapping.
	Preview(ctx context.Context, up Upload) (*Preview, error)
	// Get reads an import.
	Get(ctx context.Context, id string) (*Import, error)
	// List returns a page of the imports the caller may see, newest
	// first: its own, or every import of the tenant for an administrator.
	List(ctx context.Context, limit int, cursor string) (customer.Page[Import], error)
	// Cancel ends a queued or running import: what it imported stays.
	Cancel(ctx context.Context, id string) (*Import, error)
	// Errors returns the error report of an import, streamed by its Stream.
	Errors(ctx context.Context, id string) (*ErrorReport, error)
}

// Upload is a file to import, as a request streams it, with its name and
// the import's options.
type Upload struct {
	Options  Options
	FileName string
	File     io.Reader
}

// ErrorReport is the error report of an import; Stream calls each with its
// lines in row order.
type ErrorReport struct {
	Import *Import
	Stream func(each func(RowError) error) error
}

type service struct {
	store   *Store
	cursors *kitx.Cursors
	now     func() time.Time
	maxFile int64 // the largest file taken, MaxFileBytes
}

// NewService returns the Service on store, signing list cursors with
// cursors.
func NewService(store *Store, cursors *kitx.Cursors) Service {
	return &service{store: store, cursors: cursors, now: time.Now, maxFile: MaxFileBytes}
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// Get implements Service.
func (s *service) Get(ctx context.Context, id string) (*Import, error) {
	p, err := customer.CallerOf(ctx, id, ErrImportNotFound)
	if err != nil {
		return nil, err
	}
	im, err := s.store.get(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !visible(p, im) {
		return nil, ErrImportNotFound
	}
	return im, nil
}

// Cancel implements Service.
func (s *service) Cancel(ctx context.Context, id string) (*Import, error) {
	p, err := customer.CallerOf(ctx, id, ErrImportNotFound)
	if err != nil {
		return nil, err
	}
	return s.store.cancel(ctx, p.TenantID, id, s.timestamp(), func(im *Import) bool { return visible(p, im) })
}

// Errors implements Service.
func (s *service) Errors(ctx context.Context, id string) (*ErrorReport, error) {
	im, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p, _ := auth.PrincipalFrom(ctx) // Get has found the caller
	return &ErrorReport{Import: im, Stream: func(each func(RowError) error) error {
		return s.store.rowErrors(ctx, p.TenantID, id, each)
	}}, nil
}

// visible reports whether p may see im: its creator, or an administrator.
func visible(p auth.Principal, im *Import) bool {
	return im.CreatedBy == p.UserID || p.Can(customer.PermAdmin)
}
