package surveys

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Filter narrows a list of surveys: by kind, status and case.
type Filter struct {
	Kind, Status, CaseID string
}

// Page is a page of surveys, newest first, and the cursor of the next.
type Page struct {
	Items      []Survey `json:"items"`
	NextCursor string   `json:"nextCursor,omitempty"`
}

// List returns a page of the caller's tenant's surveys matching f, with
// their answers, newest first (ids are time-ordered), after cursor.
func (s *Service) List(ctx context.Context, f Filter, cursor string, limit int) (Page, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Survey, err error) {
		err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
			var q pgrecord.Query
			if f.Kind != "" {
				q.Add("kind = ?", f.Kind)
			}
			if f.Status != "" {
				q.Add("status = ?", f.Status)
			}
			if f.CaseID != "" {
				q.Add("case_id = ?", f.CaseID)
			}
			if after != "" {
				q.Add("id < ?", after)
			}
			err := tx.SQL().SelectContext(ctx, &out, `SELECT `+columns+` FROM surveys`+q.Where()+
				fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, n), q.Args...)
			if err != nil {
				return fmt.Errorf("list surveys: %w", pg.MapError(err))
			}
			return nil
		})
		for i := range out {
			out[i].utc()
		}
		return out, err
	}, func(v Survey) string { return v.ID })
	if items == nil {
		items = []Survey{}
	}
	return Page{Items: items, NextCursor: next}, err
}
