package deals

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/sales/money"
)

// Opportunity is a deal being worked through the stages of a pipeline.
// Account and contact ids are the contacts service's records, checked for
// shape only. Status and ClosedAt follow the stage's kind.
type Opportunity struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	AccountID        string        `json:"accountId,omitempty"`
	PrimaryContactID string        `json:"primaryContactId,omitempty"`
	ContactRoles     []ContactRole `json:"contactRoles"`
	Amount           *Money        `json:"amount,omitempty"`
	// CloseDate is the expected (or actual) close date, YYYY-MM-DD.
	CloseDate  string `json:"closeDate,omitempty"`
	PipelineID string `json:"pipelineId"`
	StageID    string `json:"stageId"`
	// Status is the kind of the stage: open, won or lost.
	Status string `json:"status"`
	// Probability is in whole percent; the stage's default unless set.
	Probability *int `json:"probability"`
	// ForecastCategory follows the stage (ForecastCategories); on an open
	// stage it may be set to bestCase or commit.
	ForecastCategory string   `json:"forecastCategory"`
	OwnerID          string   `json:"ownerId"`
	TeamID           string   `json:"teamId,omitempty"`
	NextStep         string   `json:"nextStep,omitempty"`
	LostReason       string   `json:"lostReason,omitempty"`
	Competitors      []string `json:"competitors"`
	// PriceBookID is the price book the line items were priced from.
	PriceBookID string `json:"priceBookId,omitempty"`
	// LineItems are the products it would sell; while it has any, Amount
	// is their total. They are set as a whole (PUT .../line-items).
	LineItems []LineItem `json:"lineItems"`
	// Tags are names, normalised as contacts' and leads' (libs/tags).
	Tags []string `json:"tags"`
	// CustomFields are the values of the tenant's custom fields of
	// opportunities by key (libs/customfields), checked against their
	// definitions (checkFields).
	CustomFields customfields.Values `json:"customFields"`
	ClosedAt     *time.Time          `json:"closedAt,omitempty"`
	CreatedAt    time.Time           `json:"createdAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	Version      int64               `json:"version"`
	DeletedAt    *time.Time          `json:"deletedAt,omitempty"`
}

// ContactRole is a contact's part in an opportunity.
type ContactRole struct {
	ContactID string `json:"contactId"`
	Role      string `json:"role"`
}

// Money is an amount in the minor units of an ISO 4217 currency
// (package money, shared with the catalogue).
type Money = money.Money

// The statuses of an opportunity: the kinds of its stage.
const (
	StatusOpen = KindOpen
	StatusWon  = KindWon
	StatusLost = KindLost
)

// The forecast categories of an opportunity: an open one's is pipeline
// unless set to bestCase or commit; a won one's closed, a lost one's
// omitted.
const (
	CategoryPipeline = "pipeline"
	CategoryBestCase = "bestCase"
	CategoryCommit   = "commit"
	CategoryClosed   = "closed"
	CategoryOmitted  = "omitted"
)

// ForecastCategories are the forecast categories, widest first.
var ForecastCategories = []string{CategoryPipeline, CategoryBestCase, CategoryCommit, CategoryClosed, CategoryOmitted}

// The bounds of an opportunity.
const (
	maxOpportunityName = 200
	maxText            = 1000 // characters of nextStep and lostReason
	maxShort           = 100  // characters of an owner, a team, a role, a competitor
	maxContactRoles    = 50
	maxCompetitors     = 20
	maxTags            = 50 // tags of an opportunity
)

// opportunityReadOnly are the fields of an Opportunity the service sets.
// Line items and their price book are set through their own route.
var opportunityReadOnly = []string{"id", "status", "closedAt", "createdAt", "updatedAt", "version", "deletedAt", "priceBookId", "lineItems"}

// The errors of opportunities.
var (
	ErrOpportunityNotFound = errs.New(errs.NotFound, "opportunity-not-found", "opportunity not found")
	ErrStageRequirements   = errs.New(errs.Unprocessable, "stage-requirements", "the stage needs fields the opportunity does not have")
	ErrStageInUse          = errs.New(errs.Conflict, "stage-in-use", "opportunities are in the stages; move or delete them first")
	ErrNotDeleted          = errs.New(errs.Conflict, "not-deleted", "the opportunity is not deleted")
	ErrOpportunityVersion  = errs.New(errs.PreconditionFailed, "version-mismatch", "the opportunity changed since you read it; read it again and retry")
)

// normalize validates o's own fields (not its stage, which needs the
// pipeline, nor its custom field values, which need their definitions:
// checkFields), trimming texts, normalising the tags and setting the
// amount's exponent; owner is the default owner.
func (o *Opportunity) normalize(owner string) error {
	v := errs.NewValidator()
	o.Name = strings.TrimSpace(o.Name)
	v.Check(o.Name != "" && utf8.RuneCountInString(o.Name) <= maxOpportunityName, "name", fmt.Sprintf("must be 1 to %d characters", maxOpportunityName))
	v.Check(o.AccountID == "" || ids.Valid(o.AccountID), "accountId", "must be a UUID")
	v.Check(o.PrimaryContactID == "" || ids.Valid(o.PrimaryContactID), "primaryContactId", "must be a UUID")
	v.Check(o.PipelineID == "" || ids.Valid(o.PipelineID), "pipelineId", "must be the id of one of the tenant's pipelines")
	v.Check(o.StageID == "" || ids.Valid(o.StageID), "stageId", "must be the id of a stage of the pipeline")
	if o.ContactRoles == nil {
		o.ContactRoles = []ContactRole{}
	}
	v.Check(len(o.ContactRoles) <= maxContactRoles, "contactRoles", fmt.Sprintf("at most %d", maxContactRoles))
	for i := range o.ContactRoles {
		r := &o.ContactRoles[i]
		r.Role = strings.TrimSpace(r.Role)
		v.Check(ids.Valid(r.ContactID) && !slices.ContainsFunc(o.ContactRoles[:i], func(p ContactRole) bool { return p.ContactID == r.ContactID }),
			fmt.Sprintf("contactRoles/%d/contactId", i), "must be a contact's UUID, once")
		v.Check(r.Role != "" && utf8.RuneCountInString(r.Role) <= maxShort, fmt.Sprintf("contactRoles/%d/role", i), fmt.Sprintf("must be 1 to %d characters", maxShort))
	}
	if o.Amount != nil {
		o.Amount.Check(v, "amount")
	}
	if o.CloseDate != "" {
		_, err := time.Parse(time.DateOnly, o.CloseDate)
		v.Check(err == nil, "closeDate", "must be a date, YYYY-MM-DD")
	}
	v.Check(o.Probability == nil || *o.Probability >= 0 && *o.Probability <= 100, "probability", "must be 0 to 100 (percent)")
	v.Check(o.ForecastCategory == "" || slices.Contains(ForecastCategories, o.ForecastCategory), "forecastCategory",
		"must be pipeline, bestCase, commit, closed or omitted")
	o.OwnerID, o.TeamID = strings.TrimSpace(o.OwnerID), strings.TrimSpace(o.TeamID)
	if o.OwnerID == "" {
		o.OwnerID = owner
	}
	v.Check(utf8.RuneCountInString(o.OwnerID) <= maxShort, "ownerId", fmt.Sprintf("at most %d characters", maxShort))
	v.Check(utf8.RuneCountInString(o.TeamID) <= maxShort, "teamId", fmt.Sprintf("at most %d characters", maxShort))
	o.NextStep, o.LostReason = strings.TrimSpace(o.NextStep), strings.TrimSpace(o.LostReason)
	v.Check(utf8.RuneCountInString(o.NextStep) <= maxText, "nextStep", fmt.Sprintf("at most %d characters", maxText))
	v.Check(utf8.RuneCountInString(o.LostReason) <= maxText, "lostReason", fmt.Sprintf("at most %d characters", maxText))
	if o.Competitors == nil {
		o.Competitors = []string{}
	}
	if o.LineItems == nil {
		o.LineItems = []LineItem{}
	}
	o.Tags = tags.Names(v, "tags", o.Tags)
	v.Check(len(o.Tags) <= maxTags, "tags", fmt.Sprintf("at most %d", maxTags))
	if o.CustomFields == nil {
		o.CustomFields = customfields.Values{}
	}
	v.Check(len(o.Competitors) <= maxCompetitors, "competitors", fmt.Sprintf("at most %d", maxCompetitors))
	for i := range o.Competitors {
		o.Competitors[i] = strings.TrimSpace(o.Competitors[i])
		c := o.Competitors[i]
		v.Check(c != "" && utf8.RuneCountInString(c) <= maxShort && !slices.ContainsFunc(o.Competitors[:i], func(p string) bool { return strings.EqualFold(p, c) }),
			fmt.Sprintf("competitors/%d", i), fmt.Sprintf("must be 1 to %d characters, once", maxShort))
	}
	return v.Err()
}

// missing returns the fields stage requires that o lacks, in the order of
// OpportunityFields; a lost stage requires lostReason whether or not it
// says so, and lineItems is at least one line.
func (o *Opportunity) missing(stage Stage) []string {
	have := map[string]bool{
		"amount": o.Amount != nil, "closeDate": o.CloseDate != "", "accountId": o.AccountID != "",
		"primaryContactId": o.PrimaryContactID != "", "nextStep": o.NextStep != "", "lostReason": o.LostReason != "",
		"competitors": len(o.Competitors) > 0, "lineItems": len(o.LineItems) > 0,
	}
	var out []string
	for _, f := range OpportunityFields {
		required := slices.Contains(stage.RequiredFields, f) || f == "lostReason" && stage.Kind == KindLost
		if required && !have[f] {
			out = append(out, f)
		}
	}
	return out
}

// settleCategory makes o's forecast category fit its status: a won one's
// is closed and a lost one's omitted; an open one keeps pipeline, bestCase
// or commit and otherwise (none, or closed or omitted on reopening) is
// pipeline. set says the caller chose it: a choice that does not fit is a
// 400 naming forecastCategory.
func (o *Opportunity) settleCategory(set bool) error {
	want := map[string]string{StatusWon: CategoryClosed, StatusLost: CategoryOmitted}[o.Status]
	open := []string{CategoryPipeline, CategoryBestCase, CategoryCommit}
	switch {
	case want == "" && slices.Contains(open, o.ForecastCategory):
		return nil
	case want == "":
		want = CategoryPipeline
	}
	if set && o.ForecastCategory != "" && o.ForecastCategory != want {
		return errs.Invalidf([]errs.FieldError{{Field: "forecastCategory",
			Reason: "an open opportunity's is pipeline, bestCase or commit; a won one's closed, a lost one's omitted"}}, "the forecast category does not fit the stage")
	}
	o.ForecastCategory = want
	return nil
}

// enter puts o in stage at now: its status follows the stage's kind, its
// closedAt is set on closing and cleared on reopening, its probability
// becomes the stage's unless keepProbability, and its forecast category
// settles (settleCategory; setCategory: the caller chose it). A stage
// missing fields is ErrStageRequirements naming each.
func (o *Opportunity) enter(stage Stage, now time.Time, keepProbability, setCategory bool) error {
	if missing := o.missing(stage); len(missing) > 0 {
		e := ErrStageRequirements.WithDetail("the stage %q needs %s", stage.Name, strings.Join(missing, ", "))
		for _, f := range missing {
			e.Fields = append(e.Fields, errs.FieldError{Field: f, Reason: "required to enter the stage " + stage.Name})
		}
		return e
	}
	switch {
	case stage.Kind == KindOpen:
		o.ClosedAt = nil
	case o.Status != stage.Kind || o.ClosedAt == nil:
		o.ClosedAt = &now
	}
	o.StageID, o.Status = stage.ID, stage.Kind
	if !keepProbability || o.Probability == nil {
		p := *stage.Probability
		o.Probability = &p
	}
	return o.settleCategory(setCategory)
}

// stageOf returns the stage id of p.
func (p *Pipeline) stageOf(id string) (Stage, bool) {
	i := slices.IndexFunc(p.Stages, func(s Stage) bool { return s.ID == id })
	if i < 0 {
		return Stage{}, false
	}
	return p.Stages[i], true
}
