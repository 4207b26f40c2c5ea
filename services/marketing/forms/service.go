package forms

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// Service is the API of forms: the builder's (marketing:write) and the
// public's (public.go).
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	cfg     Config
	logger  *slog.Logger
	now     func() time.Time
}

// NewService returns the Service on db, paging with cursors, configured
// by cfg, logging the refused submissions to logger.
func NewService(db *outbox.DB, cursors *kitx.Cursors, cfg Config, logger *slog.Logger) *Service {
	return &Service{db: db, cursors: cursors, cfg: cfg, logger: logger, now: time.Now}
}

// Page is a page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// List returns a page of the tenant's forms, oldest first.
func (s *Service) List(ctx context.Context, cursor string, limit int) (out Page[Form], err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Form, error) {
			return listForms(ctx, tx, after, n)
		}, func(f Form) string { return f.ID })
		return err
	})
	if out.Items == nil {
		out.Items = []Form{}
	}
	return out, err
}

// Get returns the form id.
func (s *Service) Get(ctx context.Context, id string) (out Form, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getForm(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Create stores a new form of the caller's tenant and publishes
// form.created.
func (s *Service) Create(ctx context.Context, in Form) (Form, error) {
	if err := in.normalize(); err != nil {
		return in, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version, in.Rejections = ids.New(), now, now, 1, map[string]int64{}
	return in, s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		in.CreatedBy = p.UserID
		if err := checkCampaign(ctx, tx, in.CampaignID); err != nil {
			return err
		}
		if err := saveForm(ctx, tx, in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityForm, marketingdb.VerbCreated, in.ID, in, nil)
	})
}

// Update applies a merge patch to the form id at version ifMatch and
// publishes form.updated with the fields it changed.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Form, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getForm(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		out = Form{}
		if err := mergepatch.Apply(cur, patch, readOnly, &out); err != nil {
			return err
		}
		if err := out.normalize(); err != nil {
			return err
		}
		out.ID, out.Rejections, out.CreatedBy, out.CreatedAt = cur.ID, cur.Rejections, cur.CreatedBy, cur.CreatedAt
		out.UpdatedAt, out.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
		if changed, err = events.ChangedFields(cur, out); err != nil {
			return err
		}
		if out.CampaignID != cur.CampaignID {
			if err := checkCampaign(ctx, tx, out.CampaignID); err != nil {
				return err
			}
		}
		if err := saveForm(ctx, tx, out, false); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityForm, marketingdb.VerbUpdated, out.ID, out, changed)
	})
	return out, changed, err
}

// Delete removes the form id with its submissions, at version ifMatch
// when given, and publishes form.deleted with its last state.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getForm(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := deleteForm(ctx, tx, id); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityForm, marketingdb.VerbDeleted, id, cur, nil)
	})
}

// checkCampaign is ErrNoCampaign unless id is "" or one of the tenant's
// campaigns.
func checkCampaign(ctx context.Context, tx *outbox.Tx, id string) error {
	if id == "" {
		return nil
	}
	ok, err := campaignExists(ctx, tx, id)
	if err == nil && !ok {
		err = ErrNoCampaign
	}
	return err
}

// Submissions returns a page of the stored submissions of the form id,
// newest first.
func (s *Service) Submissions(ctx context.Context, id, cursor string, limit int) (out Page[Submission], err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := getForm(ctx, tx, id, false); err != nil {
			return err
		}
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(before string, n int) ([]Submission, error) {
			return listSubmissions(ctx, tx, id, before, n)
		}, func(sub Submission) string { return sub.ID })
		return err
	})
	if out.Items == nil {
		out.Items = []Submission{}
	}
	return out, err
}

// Snippet is a form's embeddable markup: a plain HTML form posting to the
// hosted endpoint (no script), or an iframe of the hosted page.
type Snippet struct {
	URL    string `json:"url"`
	HTML   string `json:"html"`
	IFrame string `json:"iframe"`
}

// Snippet returns the snippet of the form id.
func (s *Service) Snippet(ctx context.Context, id string) (Snippet, error) {
	f, err := s.Get(ctx, id)
	if err != nil {
		return Snippet{}, err
	}
	p, err := auth.Caller(ctx)
	if err != nil {
		return Snippet{}, err
	}
	u := s.formURL(p.TenantID, f.ID)
	html, err := renderSnippet(f, u)
	if err != nil {
		return Snippet{}, err
	}
	iframe, err := renderIFrame(f, u)
	return Snippet{URL: u, HTML: html, IFrame: iframe}, err
}

// formURL is the public URL of the form id of tenant, through the gateway.
func (s *Service) formURL(tenant, id string) string {
	return s.cfg.PublicURL + "/m/" + tenant + "/forms/" + id
}
