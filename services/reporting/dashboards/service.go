package dashboards

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Page is a page of dashboards; NextCursor, when set, reads the next.
type Page struct {
	Items      []Dashboard `json:"items"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

// Service is the API of dashboards. A caller sees the built-in ones, its
// own, those shared with one of its roles and, as reporting:admin, all;
// it changes its own (a reporting:admin anyone's), never a built-in one.
// A dashboard the caller may not see is ErrNotFound.
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, paging lists with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: time.Now}
}

// The keys of a list's cursor: a built-in dashboard's id or a saved one's
// (saved ones come after every built-in one).
const (
	builtInKey = "b:"
	savedKey   = "s:"
)

// List returns a page of up to limit dashboards the caller may see, after
// cursor ("" from the first): the built-in ones first, then the saved
// ones newest first.
func (s *Service) List(ctx context.Context, cursor string, limit int) (Page, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Dashboard, err error) {
		before := strings.TrimPrefix(after, savedKey)
		if after == "" || strings.HasPrefix(after, builtInKey) {
			start := 0
			if after != "" {
				start = slices.IndexFunc(builtIns, func(d Dashboard) bool { return d.ID == after[len(builtInKey):] }) + 1
			}
			out, before = slices.Clone(builtIns[start:min(len(builtIns), start+n)]), ""
		}
		if len(out) == n {
			return out, nil
		}
		err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
			saved, err := listDashboards(ctx, tx, p, before, n-len(out))
			out = append(out, saved...)
			return err
		})
		return out, err
	}, func(d Dashboard) string {
		if d.BuiltIn {
			return builtInKey + d.ID
		}
		return savedKey + d.ID
	})
	if items == nil {
		items = []Dashboard{}
	}
	return Page{Items: items, NextCursor: next}, err
}

// Get returns the dashboard id: a built-in one by its name, a saved one
// the caller may see.
func (s *Service) Get(ctx context.Context, id string) (out Dashboard, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = Visible(ctx, tx, p, id)
		return err
	})
	return out, err
}

// Visible returns the dashboard id as p may see it in tx (a built-in one,
// its own, one shared with one of its roles, any for a reporting:admin),
// else ErrNotFound.
func Visible(ctx context.Context, tx *outbox.Tx, p auth.Principal, id string) (Dashboard, error) {
	if d, ok := builtInByID(id); ok {
		return d, nil
	}
	if !ids.Valid(id) {
		return Dashboard{}, ErrNotFound
	}
	d, err := getDashboard(ctx, tx, id, false)
	if err != nil {
		return Dashboard{}, err
	}
	if !visible(p, d) {
		return Dashboard{}, ErrNotFound
	}
	return d, nil
}

// visible reports whether p may see the saved dashboard d.
func visible(p auth.Principal, d Dashboard) bool {
	return d.OwnerID == p.UserID || p.Can(rm.PermAdmin) || slices.ContainsFunc(d.SharedRoles, func(r string) bool {
		return slices.Contains(p.Roles, r)
	})
}

// Create stores a new dashboard owned by the caller and publishes
// dashboard.created.
func (s *Service) Create(ctx context.Context, in Dashboard) (Dashboard, error) {
	in.ID, in.BuiltIn = ids.New(), false
	if err := in.normalize(); err != nil {
		return Dashboard{}, err
	}
	err := s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		now := pg.Timestamp(s.now()).UTC()
		in.OwnerID, in.CreatedAt, in.UpdatedAt, in.Version = p.UserID, now, now, 1
		if err := saveDashboard(ctx, tx, in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityDashboard, rm.VerbCreated, in.ID, in, nil)
	})
	return in, err
}

// Copy stores a copy of the dashboard id the caller may see (a built-in
// one too) as a new dashboard of the caller's, shared with no one, named
// "<name> (copy)", and publishes dashboard.created.
func (s *Service) Copy(ctx context.Context, id string) (out Dashboard, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		src, err := Visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		out = Dashboard{ID: ids.New(), Name: copyName(src.Name), Description: src.Description, SharedRoles: []string{},
			OwnerID: p.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
		for _, w := range src.Widgets {
			w.Params = maps.Clone(w.Params)
			out.Widgets = append(out.Widgets, w)
		}
		if err := out.normalize(); err != nil {
			return err
		}
		if err := saveDashboard(ctx, tx, out, true); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityDashboard, rm.VerbCreated, out.ID, out, nil)
	})
	return out, err
}

// copyName is the name of a copy of a dashboard named name.
func copyName(name string) string {
	const suffix = " (copy)"
	if r := []rune(name); len(r)+len([]rune(suffix)) > maxName {
		name = string(r[:maxName-len([]rune(suffix))])
	}
	return name + suffix
}

// Update applies a merge patch to the dashboard id at version ifMatch;
// it returns the dashboard and the fields it changed, and publishes
// dashboard.updated when it changed any.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Dashboard, changed []string, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur.Version, ifMatch); err != nil {
			return err
		}
		var next Dashboard
		if err := mergepatch.Apply(cur, patch, readOnly, &next); err != nil {
			return err
		}
		next.ID, next.OwnerID, next.BuiltIn, next.CreatedAt, next.UpdatedAt, next.Version = cur.ID, cur.OwnerID, false, cur.CreatedAt, cur.UpdatedAt, cur.Version
		if err := next.normalize(); err != nil {
			return err
		}
		if changed, err = events.ChangedFields(cur, next); err != nil || len(changed) == 0 {
			out = cur
			return err
		}
		next.UpdatedAt, next.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
		out = next
		if err := saveDashboard(ctx, tx, next, false); err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityDashboard, rm.VerbUpdated, next.ID, next, changed)
	})
	return out, changed, err
}

// Delete removes the dashboard id, at version ifMatch when given, with
// the schedules that mail it, and publishes dashboard.deleted and each
// schedule's report_schedule.deleted.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	return s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		cur, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		gone, err := deleteDashboard(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, sc := range gone {
			if err := tx.Emit(ctx, rm.EntityReportSchedule, rm.VerbDeleted, sc.ID, sc, nil); err != nil {
				return err
			}
		}
		return tx.Emit(ctx, rm.EntityDashboard, rm.VerbDeleted, id, cur, nil)
	})
}

// writable reads and locks the dashboard id for p to change: a built-in
// one is ErrBuiltIn, one p may not see ErrNotFound, one it sees but does
// not own (and is no reporting:admin) ErrNotOwner.
func (s *Service) writable(ctx context.Context, tx *outbox.Tx, p auth.Principal, id string) (Dashboard, error) {
	if _, ok := builtInByID(id); ok {
		return Dashboard{}, ErrBuiltIn
	}
	if !ids.Valid(id) {
		return Dashboard{}, ErrNotFound
	}
	d, err := getDashboard(ctx, tx, id, true)
	switch {
	case err != nil:
		return Dashboard{}, err
	case !visible(p, d):
		return Dashboard{}, ErrNotFound
	case d.OwnerID != p.UserID && !p.Can(rm.PermAdmin):
		return Dashboard{}, ErrNotOwner
	}
	return d, nil
}
