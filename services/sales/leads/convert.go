package leads

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// ConvertRequest says what a lead becomes (POST /v1/leads/{id}/convert).
// Account and Contact left out are found or created: the contact whose
// primary email is the lead's, else a new one from the lead; the account
// named as the lead's company, else a new one (none for a lead without a
// company). Opportunity left out (or create false) makes none; its fields
// without create true are a 400 naming opportunity/create, never a
// conversion that silently makes no opportunity.
type ConvertRequest struct {
	Account     *RecordChoice      `json:"account,omitempty"`
	Contact     *RecordChoice      `json:"contact,omitempty"`
	Opportunity *OpportunityChoice `json:"opportunity,omitempty"`
}

// RecordChoice is an account or contact of a conversion: an existing one
// the caller may see in contacts (ExistingID), or a new one made from the
// lead (Create), even when one matches. AllowDuplicate creates a contact
// that contacts finds like others (its 409 otherwise).
type RecordChoice struct {
	ExistingID     string `json:"existingId,omitempty"`
	Create         bool   `json:"create,omitempty"`
	AllowDuplicate bool   `json:"allowDuplicate,omitempty"`
}

// OpportunityChoice is the opportunity a conversion creates when Create
// (another field without it is refused: ConvertRequest):
// named Name (default: the lead's company, else its name), in the pipeline
// and stage given (default: the tenant's default pipeline, its first
// stage), with the account and contact the lead became.
type OpportunityChoice struct {
	Create     bool         `json:"create"`
	Name       string       `json:"name,omitempty"`
	PipelineID string       `json:"pipelineId,omitempty"`
	StageID    string       `json:"stageId,omitempty"`
	Amount     *deals.Money `json:"amount,omitempty"`
	CloseDate  string       `json:"closeDate,omitempty"`
}

// Conversion is a converted lead and what it became: the ids of the
// contact, account and opportunity, and whether the contact and the
// account were created or linked (an existing one: chosen, or matched by
// email or name, a retry's match of what its first attempt created
// included).
type Conversion struct {
	Lead          Lead   `json:"lead"`
	ContactID     string `json:"contactId"`
	ContactAction string `json:"contactAction"`
	AccountID     string `json:"accountId,omitempty"`
	AccountAction string `json:"accountAction,omitempty"`
	OpportunityID string `json:"opportunityId,omitempty"`
}

// The actions of a conversion on a contact or an account.
const (
	ActionCreated = "created"
	ActionLinked  = "linked"
)

// The errors of a conversion.
var (
	// ErrAlreadyConverted is a conversion of a converted lead.
	ErrAlreadyConverted = errs.New(errs.Conflict, "lead-already-converted", "the lead is converted already")
	// ErrContactsNotConfigured: the service was started without the
	// contacts service's or the gateway's URL (CONTACTS_URL, GATEWAY_URL).
	ErrContactsNotConfigured = errs.New(errs.Unavailable, "contacts-not-configured", "lead conversion needs the contacts service, which this instance is not configured to call")
	// ErrUnknownRecord is an existingId contacts does not have or the
	// caller may not see there.
	ErrUnknownRecord = errs.New(errs.Unprocessable, "unknown-record", "the conversion names an account or contact that does not exist or that you may not see")
)

// alreadyConverted is ErrAlreadyConverted saying what l became.
func alreadyConverted(l *Lead) error {
	at := ""
	if l.ConvertedAt != nil {
		at = l.ConvertedAt.Format(time.RFC3339)
	}
	return ErrAlreadyConverted.WithDetail("the lead was converted at %s into contact %s, account %s, opportunity %s",
		at, orNone(l.ConvertedContactID), orNone(l.ConvertedAccountID), orNone(l.ConvertedOpportunityID))
}

// orNone is s, or "none".
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// check validates the request's own fields, naming each bad one.
func (r *ConvertRequest) check() error {
	v := errs.NewValidator()
	for _, c := range []struct {
		field  string
		choice *RecordChoice
	}{{"account", r.Account}, {"contact", r.Contact}} {
		if c.choice == nil {
			continue
		}
		v.Check(c.choice.ExistingID == "" || ids.Valid(c.choice.ExistingID), c.field+"/existingId", "must be a UUID")
		v.Check(c.choice.ExistingID == "" || !c.choice.Create, c.field+"/create", "cannot be true with existingId")
		v.Check(!c.choice.AllowDuplicate || c.field == "contact", c.field+"/allowDuplicate", "is for contacts only")
	}
	if o := r.Opportunity; o != nil && !o.Create {
		v.Check(*o == OpportunityChoice{}, "opportunity/create",
			"must be true to create the opportunity these fields describe (left out or false, the conversion makes none)")
	}
	return v.Err()
}

// opportunity is the opportunity r creates for l, unless none.
func (r *ConvertRequest) opportunity(l *Lead) *deals.Opportunity {
	o := r.Opportunity
	if o == nil || !o.Create {
		return nil
	}
	name := o.Name
	if name == "" {
		name = l.Company
	}
	if name == "" {
		name = l.displayName()
	}
	return &deals.Opportunity{Name: name, PipelineID: o.PipelineID, StageID: o.StageID, Amount: o.Amount, CloseDate: o.CloseDate}
}

// displayName is the lead's name as a person's: first and last name, else
// its email or phone.
func (l *Lead) displayName() string {
	switch {
	case l.FirstName != "" && l.LastName != "":
		return l.FirstName + " " + l.LastName
	case l.FirstName+l.LastName != "":
		return l.FirstName + l.LastName
	case l.Email != "":
		return l.Email
	case l.Phone != "":
		return l.Phone
	}
	return l.Company
}
