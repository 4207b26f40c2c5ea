package contracts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/errs"
)

// checkRefs checks that the business calendar calendarID and the SLA
// policy policyID ("" for none) are the caller's tenant's (package sla's),
// naming calendarId or slaPolicyId when one is not.
func (s *Service) checkRefs(ctx context.Context, calendarID, policyID string) error {
	var fields []errs.FieldError
	for _, r := range []struct {
		id, field, reason string
		get               func(context.Context, string) error
	}{
		{calendarID, "calendarId", "must be a business calendar of the tenant", func(ctx context.Context, id string) error {
			_, err := s.sla.GetCalendar(ctx, id)
			return err
		}},
		{policyID, "slaPolicyId", "must be an SLA policy of the tenant", func(ctx context.Context, id string) error {
			_, err := s.sla.GetPolicy(ctx, id)
			return err
		}},
	} {
		if r.id == "" {
			continue
		}
		err := r.get(ctx, r.id)
		if errs.KindOf(err) == errs.NotFound {
			fields = append(fields, errs.FieldError{Field: r.field, Reason: r.reason})
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return errs.Invalidf(fields, "the contract names records the tenant does not have")
	}
	return nil
}

// patchRefs returns the calendar and SLA policy ids a merge patch of a
// contract sets ("" for those it leaves or clears): what checkRefs checks
// before the patch is applied. A patch that is not an object is the
// merge's to refuse.
func patchRefs(patch json.RawMessage) (calendarID, policyID string) {
	var p struct {
		CalendarID  any `json:"calendarId"`
		SLAPolicyID any `json:"slaPolicyId"`
	}
	if json.Unmarshal(patch, &p) != nil {
		return "", ""
	}
	calendarID, _ = p.CalendarID.(string)
	policyID, _ = p.SLAPolicyID.(string)
	return calendarID, policyID
}
