package cases

import (
	"context"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

// Opportunities tells which of the sales service's opportunities the
// caller of the request may see (package salesapi, with the caller's
// authority): a case's links to opportunities are checked when an agent's
// create or patch gives the case new ones.
type Opportunities interface {
	// VisibleOpportunities returns which of ids are live opportunities
	// the caller may see.
	VisibleOpportunities(ctx context.Context, ids []string) (map[string]bool, error)
}

// ErrUnknownLink is a link of a case to an opportunity that sales does not
// have or the caller may not see.
var ErrUnknownLink = errs.New(errs.Invalid, "unknown-link", "the case links a record that does not exist or that you may not see")

// WithOpportunities has s check the opportunities that the API's creates
// and patches link cases to, and returns s. Without, links are checked
// for their shape only.
func (s *Service) WithOpportunities(o Opportunities) *Service {
	s.opportunities = o
	return s
}

// checkLinks checks the links to opportunities that c has and old (nil
// for a create) had not: each that sales does not have, or the caller may
// not see there, is a 400 naming links/<i>/id; sales down is
// svcclient.ErrUnavailable (503), as sales answers when contacts is down.
func (s *Service) checkLinks(ctx context.Context, old, c *Case) error {
	if s.opportunities == nil {
		return nil
	}
	var fresh []int
	var wanted []string
	for i, l := range c.Links {
		if l.Type == "opportunity" && ids.Valid(l.ID) && (old == nil || !slices.Contains(old.Links, l)) {
			fresh, wanted = append(fresh, i), append(wanted, l.ID)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	found, err := s.opportunities.VisibleOpportunities(ctx, wanted)
	if err != nil {
		return err
	}
	var fields []errs.FieldError
	for _, i := range fresh {
		if !found[c.Links[i].ID] {
			fields = append(fields, errs.FieldError{Field: fmt.Sprintf("links/%d/id", i), Reason: "must be an opportunity of sales that you may see"})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	e := ErrUnknownLink.WithDetail("%d of the opportunities the case links are not in sales, or not for you to see", len(fields))
	e.Fields = fields
	return e
}

// checkCreate checks the opportunities a create links (checkLinks) once
// the case is otherwise well formed; a malformed one is left to the
// create to refuse.
func (s *Service) checkCreate(ctx context.Context, in Case) error {
	if s.opportunities == nil {
		return nil
	}
	c := clone(in)
	if c.normalize() != nil {
		return nil
	}
	return s.checkLinks(ctx, nil, &c)
}

// checkPatch checks the opportunities that patch, applied to the case id
// at version ifMatch, links anew (checkLinks), before the update's
// transaction: sales is not asked while the case's row is locked. A case
// not found, at another version, or a patch that does not apply, is left
// to the update to refuse.
func (s *Service) checkPatch(ctx context.Context, id string, ifMatch int64, patch []byte) error {
	if s.opportunities == nil {
		return nil
	}
	old, err := s.Get(ctx, id)
	if err != nil || old.Version != ifMatch {
		return nil
	}
	next := Case{}
	if mergepatch.Apply(clone(old), patch, readOnly, &next) != nil || next.normalize() != nil {
		return nil
	}
	return s.checkLinks(ctx, &old, &next)
}
