// Package leads is the sales service's leads (issue 15, point 1): people
// and companies who may become customers, worked through their statuses
// until converted into the contacts service's records or disqualified,
// within the caller's record scope in the sales module, with their
// duplicates found by email and phone.
package leads

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/phone"
	"github.com/rapport-crm/rapport/libs/tags"
)

// Lead is a person or company who may become a customer. Score and
// ScoreReasons are scoring's, AssignedByRuleID and AssignmentReason
// assignment rules', the Converted* fields conversion's: read-only to the
// API.
type Lead struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Company   string `json:"company,omitempty"`
	Title     string `json:"title,omitempty"`
	Email     string `json:"email,omitempty"`
	// Phone is the number as given; PhoneE164 is it normalised.
	Phone      string `json:"phone,omitempty"`
	PhoneE164  string `json:"phoneE164,omitempty"`
	Source     string `json:"source,omitempty"`
	CampaignID string `json:"campaignId,omitempty"`
	// Status is one of Statuses; DisqualifiedReason is set exactly when
	// it is disqualified.
	Status             string        `json:"status"`
	DisqualifiedReason string        `json:"disqualifiedReason,omitempty"`
	Rating             string        `json:"rating,omitempty"`
	Score              int           `json:"score"`
	ScoreReasons       []ScoreReason `json:"scoreReasons"`
	OwnerID            string        `json:"ownerId"`
	TeamID             string        `json:"teamId,omitempty"`
	AssignedByRuleID   string        `json:"assignedByRuleId,omitempty"`
	AssignmentReason   string        `json:"assignmentReason,omitempty"`
	// Tags are names, normalised as contacts' (libs/tags).
	Tags []string `json:"tags"`
	// CustomFields are the values of the tenant's custom fields of leads
	// by key (libs/customfields), checked against their definitions.
	CustomFields customfields.Values `json:"customFields"`
	// The records the lead became, and when (status converted).
	ConvertedContactID     string     `json:"convertedContactId,omitempty"`
	ConvertedAccountID     string     `json:"convertedAccountId,omitempty"`
	ConvertedOpportunityID string     `json:"convertedOpportunityId,omitempty"`
	ConvertedAt            *time.Time `json:"convertedAt,omitempty"`
	CreatedAt              time.Time  `json:"createdAt"`
	UpdatedAt              time.Time  `json:"updatedAt"`
	Version                int64      `json:"version"`
	DeletedAt              *time.Time `json:"deletedAt,omitempty"`
}

// ScoreReason is why a lead's score has some of its points: the scoring
// rule and what it saw.
type ScoreReason struct {
	RuleID string `json:"ruleId,omitempty"`
	Points int    `json:"points"`
	Reason string `json:"reason"`
}

// The statuses of a lead. Converted is set only by conversion.
const (
	StatusNew          = "new"
	StatusWorking      = "working"
	StatusNurturing    = "nurturing"
	StatusQualified    = "qualified"
	StatusDisqualified = "disqualified"
	StatusConverted    = "converted"
)

// Statuses are the statuses of a lead, in the order of its life.
var Statuses = []string{StatusNew, StatusWorking, StatusNurturing, StatusQualified, StatusDisqualified, StatusConverted}

// transitions are the statuses a lead may move to from each, by the API:
// a lead is worked, nurtured, qualified or disqualified; a disqualified
// one may be taken up again; none goes back to new, and only conversion
// converts.
var transitions = map[string][]string{
	StatusNew:          {StatusWorking, StatusNurturing, StatusQualified, StatusDisqualified},
	StatusWorking:      {StatusNurturing, StatusQualified, StatusDisqualified},
	StatusNurturing:    {StatusWorking, StatusQualified, StatusDisqualified},
	StatusQualified:    {StatusWorking, StatusNurturing, StatusDisqualified},
	StatusDisqualified: {StatusWorking, StatusNurturing},
}

// Ratings are a lead's ratings, warmest first.
var Ratings = []string{"hot", "warm", "cold"}

// The bounds of a lead.
const (
	maxName   = 200  // characters of a name, a company or a title
	maxEmail  = 254  // characters of an email address
	maxPhone  = 40   // characters of a phone number as given
	maxShort  = 100  // characters of a source, an owner or a team
	maxReason = 1000 // characters of a disqualified reason
	maxTags   = 50   // tags of a lead
)

// readOnly are the fields of a Lead the service or other parts of it set.
var readOnly = []string{"id", "phoneE164", "score", "scoreReasons", "assignedByRuleId", "assignmentReason", "convertedContactId",
	"convertedAccountId", "convertedOpportunityId", "convertedAt", "createdAt", "updatedAt", "version", "deletedAt"}

// The errors of leads.
var (
	ErrNotFound        = errs.New(errs.NotFound, "lead-not-found", "lead not found")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the lead changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrNotDeleted      = errs.New(errs.Conflict, "not-deleted", "the lead is not deleted")
	ErrConverted       = errs.New(errs.Unprocessable, "lead-converted", "the lead is converted; it is kept as it was")
	ErrTransition      = errs.New(errs.Unprocessable, "lead-status-transition", "the lead cannot move to that status")
)

// text trims s and checks it has at most max characters (required: at
// least one).
func text(v *errs.Validator, s *string, field string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	if required {
		v.Check(n >= 1 && n <= max, field, fmt.Sprintf("must be 1 to %d characters", max))
		return
	}
	v.Check(n <= max, field, fmt.Sprintf("at most %d characters", max))
}

// normalize validates l's own fields, trimming texts, normalising the
// phone and the tags (the custom field values need their definitions:
// checkFields); owner is the default owner, region the tenant's default
// phone region (Settings; "" reads only international numbers). The
// status is checked by the caller (checkStatus) once it is one of
// Statuses; the read-only fields are the service's.
func (l *Lead) normalize(owner, region string) error {
	v := errs.NewValidator()
	for _, f := range []struct {
		s     *string
		field string
		max   int
	}{{&l.FirstName, "firstName", maxName}, {&l.LastName, "lastName", maxName}, {&l.Company, "company", maxName}, {&l.Title, "title", maxName},
		{&l.Source, "source", maxShort}, {&l.OwnerID, "ownerId", maxShort}, {&l.TeamID, "teamId", maxShort},
		{&l.DisqualifiedReason, "disqualifiedReason", maxReason}} {
		text(v, f.s, f.field, f.max, false)
	}
	l.Email = strings.TrimSpace(l.Email)
	if l.Email != "" {
		a, err := mail.ParseAddress(l.Email)
		v.Check(err == nil && a.Address == l.Email && utf8.RuneCountInString(l.Email) <= maxEmail, "email", "must be an email address, like ada@example.com")
	}
	l.Phone, l.PhoneE164 = strings.TrimSpace(l.Phone), ""
	if l.Phone != "" {
		e164, err := phone.Normalize(l.Phone, region)
		switch {
		case err != nil:
			v.Check(false, "phone", err.Error())
		case utf8.RuneCountInString(l.Phone) > maxPhone:
			v.Check(false, "phone", fmt.Sprintf("at most %d characters", maxPhone))
		}
		l.PhoneE164 = e164
	}
	l.Tags = tags.Names(v, "tags", l.Tags)
	v.Check(len(l.Tags) <= maxTags, "tags", fmt.Sprintf("at most %d", maxTags))
	if l.CustomFields == nil {
		l.CustomFields = customfields.Values{}
	}
	v.Check(l.FirstName != "" || l.LastName != "" || l.Company != "" || l.Email != "" || l.Phone != "", "lastName",
		"a lead needs a name, a company, an email or a phone")
	v.Check(l.CampaignID == "" || ids.Valid(l.CampaignID), "campaignId", "must be a UUID")
	v.Check(l.Rating == "" || slices.Contains(Ratings, l.Rating), "rating", "must be hot, warm or cold")
	v.Check(l.Status == "" || slices.Contains(Statuses, l.Status), "status", "must be new, working, nurturing, qualified or disqualified")
	if l.OwnerID == "" {
		l.OwnerID = owner
	}
	if l.ScoreReasons == nil {
		l.ScoreReasons = []ScoreReason{}
	}
	return v.Err()
}

// storedRegion is the region stored custom field values are read in
// (customfields.Visible): none, for a stored phone is in E.164 already.
const storedRegion = ""

// checkStatus checks a lead's status as the API sets it (one of Statuses,
// normalize checked), from (the current status; "" for a create) to
// l.Status: converted is conversion's
// alone (422 naming status), a move must be one of transitions (422), a
// disqualified lead needs its reason (400 naming disqualifiedReason) and
// any other has none: leaving disqualified drops it.
func (l *Lead) checkStatus(from string) error {
	if l.Status == "" {
		l.Status = StatusNew
	}
	switch {
	case l.Status == StatusConverted:
		e := ErrTransition.WithDetail("a lead is converted only by POST /v1/leads/{id}/convert")
		e.Fields = []errs.FieldError{{Field: "status", Reason: "converted is set by conversion"}}
		return e
	case from != "" && from != l.Status && !slices.Contains(transitions[from], l.Status):
		e := ErrTransition.WithDetail("a %s lead cannot become %s; it may become %s", from, l.Status, strings.Join(transitions[from], ", "))
		e.Fields = []errs.FieldError{{Field: "status", Reason: "cannot move from " + from}}
		return e
	}
	if l.Status != StatusDisqualified {
		l.DisqualifiedReason = ""
		return nil
	}
	if l.DisqualifiedReason == "" {
		return errs.Invalidf([]errs.FieldError{{Field: "disqualifiedReason", Reason: "is required to disqualify a lead"}}, "a disqualified lead needs its reason")
	}
	return nil
}
