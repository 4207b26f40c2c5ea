package templates

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// Page is a page of templates; NextCursor, when set, reads the next.
type Page struct {
	Items      []Template `json:"items"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

// Preview is a template rendered for a contact of the audience, with the
// fields it has no value for (rendered empty) instead of a refusal.
type Preview struct {
	Rendered
	Unresolved []string `json:"unresolved"`
}

// Service is the API of templates: CRUD, each change published
// (template.created|updated|deleted), and previews.
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, paging lists with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: time.Now}
}

// List returns a page of up to limit templates of channel ("" for any),
// newest first, after cursor ("" from the first).
func (s *Service) List(ctx context.Context, channel, cursor string, limit int) (Page, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Template, err error) {
		err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
			out, err = listTemplates(ctx, tx, channel, after, n)
			return err
		})
		return out, err
	}, func(t Template) string { return t.ID })
	if items == nil {
		items = []Template{}
	}
	return Page{Items: items, NextCursor: next}, err
}

// Get returns the template id.
func (s *Service) Get(ctx context.Context, id string) (out Template, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getTemplate(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Create stores a new template made by the caller and publishes
// template.created.
func (s *Service) Create(ctx context.Context, in Template) (Template, error) {
	if err := in.normalize(); err != nil {
		return in, err
	}
	return in, s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		now := pg.Timestamp(s.now()).UTC()
		in.ID, in.CreatedBy, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), p.UserID, now, now, 1
		if err := saveTemplate(ctx, tx, in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityTemplate, marketingdb.VerbCreated, in.ID, in, nil)
	})
}

// Update applies a merge patch to the template id at version ifMatch and
// publishes template.updated with the fields it changed (nothing when
// none did).
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Template, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, nil, err
	}
	out, ch, err := pgrecord.Update(ctx, s.db, p.TenantID, id, s.rows(), func(cur Template) (Template, pgrecord.Change, error) {
		if cur.Version != ifMatch {
			return cur, pgrecord.Change{}, ErrVersionMismatch
		}
		var next Template
		if err := mergepatch.Apply(cur, patch, patchReadOnly, &next); err != nil {
			return cur, pgrecord.Change{}, err
		}
		if err := next.normalize(); err != nil {
			return cur, pgrecord.Change{}, err
		}
		next.ID, next.Channel, next.CreatedBy, next.CreatedAt = cur.ID, cur.Channel, cur.CreatedBy, cur.CreatedAt
		next.UpdatedAt, next.Version = cur.UpdatedAt, cur.Version
		next, ch, err := pgrecord.Updated(cur, next)
		if ch.Verb != "" {
			next.UpdatedAt, next.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
		}
		return next, ch, err
	})
	return out, ch.Fields, err
}

// Delete removes the template id, at version ifMatch when given, and
// publishes template.deleted with its last state.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	_, _, err = pgrecord.Update(ctx, s.db, p.TenantID, id, s.rows(), func(cur Template) (Template, pgrecord.Change, error) {
		if ifMatch != 0 && cur.Version != ifMatch {
			return cur, pgrecord.Change{}, ErrVersionMismatch
		}
		return cur, pgrecord.Change{Verb: marketingdb.VerbDeleted}, nil
	})
	return err
}

// rows is how pgrecord.Update reads, writes and deletes a template.
func (s *Service) rows() pgrecord.Rows[Template] {
	return pgrecord.Rows[Template]{Entity: marketingdb.EntityTemplate,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (Template, error) {
			return getTemplate(ctx, tx, id, true)
		},
		Write: func(ctx context.Context, tx *outbox.Tx, _, next Template) error {
			return saveTemplate(ctx, tx, next, false)
		},
		Delete: deleteTemplate}
}

// Preview renders the template id for the audience's contact contactID,
// with the system fields (unsubscribeUrl, preferencesUrl) standing for
// the links the sender makes; a field with no value and no default is
// listed in Unresolved and rendered empty.
func (s *Service) Preview(ctx context.Context, id, contactID string) (out Preview, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		t, err := getTemplate(ctx, tx, id, false)
		if err != nil {
			return err
		}
		c, err := audience.LoadContact(ctx, tx.SQL(), contactID)
		if errs.KindOf(err) == errs.NotFound {
			e := errs.Invalidf([]errs.FieldError{{Field: "contactId", Reason: "must be a contact of the audience"}},
				"contact %s is not in the audience", contactID)
			return e
		}
		if err != nil {
			return err
		}
		fields := c.MergeFields()
		fields[FieldUnsubscribeURL], fields[FieldPreferencesURL] = previewUnsubscribeURL, previewPreferencesURL
		r, unresolved, err := t.render(fields)
		out = Preview{Rendered: r, Unresolved: unresolved}
		if out.Unresolved == nil {
			out.Unresolved = []string{}
		}
		return err
	})
	return out, err
}

// The links a preview shows for the system fields: the sender makes each
// recipient's own.
const (
	previewUnsubscribeURL = "https://example.invalid/unsubscribe"
	previewPreferencesURL = "https://example.invalid/preferences"
)
