package campaigns

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Campaign is a marketing campaign: its type, status, place in the
// hierarchy of programmes (ParentID), budget and actual cost, dates
// (StartsOn, EndsOn: "2026-03-01") and owner.
type Campaign struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Status      string    `json:"status"`
	ParentID    *string   `json:"parentId,omitempty"`
	Description string    `json:"description"`
	Budget      *Money    `json:"budget,omitempty"`
	ActualCost  *Money    `json:"actualCost,omitempty"`
	StartsOn    *string   `json:"startsOn,omitempty"`
	EndsOn      *string   `json:"endsOn,omitempty"`
	OwnerID     string    `json:"ownerId"`
	CreatedBy   string    `json:"createdBy"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int64     `json:"version"`
}

// View is a campaign as its GET shows it: with its members per status.
type View struct {
	Campaign
	MemberCounts map[string]int `json:"memberCounts"`
}

// Types are a campaign's types; Statuses its statuses.
var (
	Types    = []string{"email", "sms", "event", "webinar", "ads", "other"}
	Statuses = []string{"planned", "active", "paused", "completed", "canceled"}
)

// The bounds of a campaign.
const (
	maxName        = 200
	maxDescription = 10_000
	dateLayout     = time.DateOnly
)

// The fields of a Campaign the service sets.
var readOnly = []string{"id", "createdBy", "createdAt", "updatedAt", "version", "memberCounts"}

// The errors of campaigns.
var (
	ErrNotFound        = errs.New(errs.NotFound, "marketing-campaign-not-found", "campaign not found")
	ErrHasChildren     = errs.New(errs.Conflict, "marketing-campaign-has-children", "the campaign is the parent of other campaigns; move or delete them first")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// normalize validates c, trimming its name and setting the default status
// (planned): a type and status of the lists, a parent that is a campaign's
// id (the service checks it exists and makes no cycle), money in a
// currency, dates that are days and an end not before the start.
func (c *Campaign) normalize() error {
	v := errs.NewValidator()
	c.Name = strings.TrimSpace(c.Name)
	n := utf8.RuneCountInString(c.Name)
	v.Check(n >= 1 && n <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(slices.Contains(Types, c.Type), "type", "must be one of "+strings.Join(Types, ", "))
	if c.Status == "" {
		c.Status = "planned"
	}
	v.Check(slices.Contains(Statuses, c.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	v.Check(utf8.RuneCountInString(c.Description) <= maxDescription, "description", fmt.Sprintf("at most %d characters", maxDescription))
	v.Check(c.ParentID == nil || ids.Valid(*c.ParentID), "parentId", "must be a campaign's id")
	v.Check(c.ParentID == nil || *c.ParentID != c.ID, "parentId", "a campaign cannot be its own parent")
	if c.Budget != nil {
		c.Budget.check(v, "budget")
	}
	if c.ActualCost != nil {
		c.ActualCost.check(v, "actualCost")
	}
	start, okStart := day(c.StartsOn)
	end, okEnd := day(c.EndsOn)
	v.Check(okStart, "startsOn", "must be a date: 2026-03-01")
	v.Check(okEnd, "endsOn", "must be a date: 2026-03-01")
	v.Check(!okStart || !okEnd || start.IsZero() || end.IsZero() || !end.Before(start), "endsOn", "must not be before startsOn")
	v.Check(len(c.OwnerID) <= 100, "ownerId", "at most 100 characters")
	return v.Err()
}

// day reads a date field: the zero time for none, ok false when it is no
// date.
func day(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, true
	}
	t, err := time.Parse(dateLayout, *s)
	return t, err == nil
}
