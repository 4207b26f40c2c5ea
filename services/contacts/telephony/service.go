package telephony

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/phone"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service is the API of telephony.
type Service interface {
	// LookupPhone finds the contacts the caller may see having number,
	// read with the tenant's default region, and their accounts.
	LookupPhone(ctx context.Context, number string) (*Match, error)
	// LogCall logs a call as an activity linked to the contact having the
	// caller's number (the number calling in, or the one called out) and
	// its account. A call whose externalId is already logged is not logged
	// again: LogCall returns that call and false.
	LogCall(ctx context.Context, c Call) (*activities.Activity, bool, error)
}

type service struct {
	db         *pgstore.DB
	activities activities.Service
}

// NewService returns the Service on db, logging calls through acts.
func NewService(db *pgstore.DB, acts activities.Service) Service {
	return &service{db: db, activities: acts}
}

// LookupPhone implements Service.
func (s *service) LookupPhone(ctx context.Context, number string) (m *Match, err error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		region, err := defaultRegion(ctx, tx)
		if err != nil {
			return err
		}
		e164, err := phone.Normalize(number, region)
		if err != nil {
			v := errs.NewValidator()
			v.Check(false, "number", err.Error())
			return v.Err()
		}
		m = &Match{Number: e164}
		m.Contacts, m.Accounts, err = findByPhone(ctx, tx, p, e164, maxMatches)
		return err
	})
	return m, err
}

// LogCall implements Service.
func (s *service) LogCall(ctx context.Context, c Call) (*activities.Activity, bool, error) {
	v := errs.NewValidator()
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	v.Check(c.ExternalID != "", "externalId", "is required: the telephony system's id of the call")
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	a := activities.Activity{Type: activities.TypeCall, Subject: c.Subject, Body: c.Body, AssigneeID: c.AssigneeID,
		TeamID: c.TeamID, Related: c.Related, Call: &activities.Call{Direction: c.Direction, From: c.From, To: c.To,
			StartedAt: c.StartedAt, DurationSeconds: c.DurationSeconds, Outcome: c.Outcome, RecordingURL: c.RecordingURL,
			ExternalID: c.ExternalID}}
	number := c.From
	if c.Direction == "outbound" {
		number = c.To
	}
	if strings.TrimSpace(number) != "" {
		m, err := s.LookupPhone(ctx, number)
		if err != nil && errs.KindOf(err) != errs.Invalid {
			return nil, false, err
		}
		if m != nil && len(m.Contacts) > 0 {
			a.ContactID = &m.Contacts[0].ID
		}
	}
	logged, created, err := s.activities.Create(ctx, a)
	return logged, created, callFields(err)
}

// callFields names the invalid fields of a call as the body of a logged
// call does: the activity's call/direction is direction.
func callFields(err error) error {
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid || len(e.Fields) == 0 {
		return err
	}
	v := errs.NewValidator()
	for _, f := range e.Fields {
		v.Check(false, strings.TrimPrefix(f.Field, "call/"), f.Reason)
	}
	return v.Err()
}
