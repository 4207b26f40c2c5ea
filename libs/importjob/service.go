package importjob

import (
	"context"
	"io"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Service is the API of imports. An import is its creator's: another
// caller sees it only with the service's admin permission.
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
	List(ctx context.Context, limit int, cursor string) (Page, error)
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
	domain  Domain
	cursors *kitx.Cursors
	admin   string // the permission that sees every import
	now     func() time.Time
	maxFile int64 // the largest file taken, MaxFileBytes
}

// NewService returns the Service of domain's imports on store, signing
// list cursors with cursors; a caller holding admin (the service's
// "<module>:admin") sees every import of the tenant.
func NewService(store *Store, domain Domain, cursors *kitx.Cursors, admin string) Service {
	return &service{store: store, domain: domain, cursors: cursors, admin: admin, now: time.Now, maxFile: MaxFileBytes}
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// caller returns the request's principal.
func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return p, auth.ErrUnauthenticated
	}
	return p, nil
}

// callerOf returns the caller of a request naming the import id;
// ErrImportNotFound when id cannot name one.
func callerOf(ctx context.Context, id string) (auth.Principal, error) {
	p, err := caller(ctx)
	if err == nil && !ids.Valid(id) {
		err = ErrImportNotFound
	}
	return p, err
}

// Get implements Service.
func (s *service) Get(ctx context.Context, id string) (*Import, error) {
	p, err := callerOf(ctx, id)
	if err != nil {
		return nil, err
	}
	im, err := s.store.get(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !s.visible(p, im) {
		return nil, ErrImportNotFound
	}
	return im, nil
}

// Cancel implements Service.
func (s *service) Cancel(ctx context.Context, id string) (*Import, error) {
	p, err := callerOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.cancel(ctx, p.TenantID, id, s.timestamp(), func(im *Import) bool { return s.visible(p, im) })
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
func (s *service) visible(p auth.Principal, im *Import) bool {
	return im.CreatedBy == p.UserID || p.Can(s.admin)
}

// listPosition is where a page of imports ends: the last import's id
// (time-ordered, so newest first is id order).
type listPosition struct {
	ID string `json:"i"`
}

// List implements Service.
func (s *service) List(ctx context.Context, limit int, cursor string) (Page, error) {
	page := Page{Items: []Import{}}
	p, err := caller(ctx)
	if err != nil {
		return page, err
	}
	var after listPosition
	if cursor != "" {
		if err := s.cursors.DecodeCursor(cursor, &after); err != nil {
			return page, err
		}
	}
	if limit <= 0 || limit > kitx.MaxLimit {
		limit = kitx.DefaultLimit
	}
	creator := p.UserID
	if p.Can(s.admin) {
		creator = ""
	}
	items, err := s.store.list(ctx, p.TenantID, creator, after.ID, limit+1)
	if err != nil {
		return page, err
	}
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = s.cursors.EncodeCursor(listPosition{ID: items[limit-1].ID})
	}
	page.Items = items
	return page, nil
}
