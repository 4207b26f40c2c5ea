package leads

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
)

// ScoringRule is a rule of the tenant's lead scoring (issue 15, point 3),
// of one of three kinds. A field rule (KindField) gives Points to a lead
// matching Condition, a libs/filter filter over the lead's fields
// (scoreFields). A behaviour rule (KindBehaviour) gives Points for each
// Event the lead was part of — an activity logged about it (of
// ActivityType, when set), an email of a campaign opened, a form
// submitted — at most MaxPoints in all when set. A threshold
// (KindThreshold) moves a lead whose score reaches MinScore from one of
// FromStatuses to ToStatus, once, as the score crosses it. Points may be
// negative; an inactive rule counts for nothing.
type ScoringRule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Active is true unless the rule is switched off (default true).
	Active       *bool           `json:"active,omitempty"`
	Condition    json.RawMessage `json:"condition,omitempty"`
	Event        string          `json:"event,omitempty"`
	ActivityType string          `json:"activityType,omitempty"`
	Points       int             `json:"points,omitempty"`
	MaxPoints    int             `json:"maxPoints,omitempty"`
	MinScore     int             `json:"minScore,omitempty"`
	FromStatuses []string        `json:"fromStatuses,omitempty"`
	ToStatus     string          `json:"toStatus,omitempty"`
	CreatedAt    time.Time       `json:"createdAt"`
	UpdatedAt    time.Time       `json:"updatedAt"`
	Version      int64           `json:"version"`
}

// The kinds of a scoring rule.
const (
	KindField     = "field"
	KindBehaviour = "behaviour"
	KindThreshold = "threshold"
)

// The events behaviour rules count: an activity of contacts related to
// the lead, an email of marketing's opened, a form of marketing's
// submitted (scoring_events.go reads them).
const (
	EventActivity      = "activity"
	EventEmailOpened   = "emailOpened"
	EventFormSubmitted = "formSubmitted"
)

// behaviourEvents are the events of behaviour rules.
var behaviourEvents = []string{EventActivity, EventEmailOpened, EventFormSubmitted}

// activityTypes are the types of contacts' activities.
var activityTypes = []string{"call", "email", "meeting", "note", "task"}

// thresholdTargets are the statuses a threshold may move a lead to: a
// score qualifies or warms a lead, never converts or disqualifies it.
var thresholdTargets = []string{StatusWorking, StatusNurturing, StatusQualified}

// The bounds of scoring.
const (
	maxScoringRules = 200     // rules of a tenant
	maxPoints       = 1000    // points of a rule, either way
	maxCap          = 1000000 // a behaviour rule's cap and a threshold's score
)

// scoringReadOnly are the fields of a ScoringRule the service sets.
var scoringReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// The errors of scoring rules.
var (
	ErrScoringRuleNotFound = errs.New(errs.NotFound, "scoring-rule-not-found", "scoring rule not found")
	ErrScoringRuleVersion  = errs.New(errs.PreconditionFailed, "version-mismatch", "the scoring rule changed since you read it; read it again and retry")
	ErrTooManyScoringRules = errs.New(errs.Unprocessable, "too-many-scoring-rules", "the tenant has as many scoring rules as it may")
)

// scoreFields are the fields of a lead a field rule's condition may test,
// over the columns of leads (matchFields evaluates it on the lead as it
// is being written): leadFields and the tags, compared in lower case
// (tag_keys); scoreSchema adds the tenant's custom fields. The owner, the
// team and the score itself are not among them: a score says how
// promising a lead is, not whose it is (and assignment rules set them
// after a lead is scored).
var scoreFields = filter.Schema{Fields: slices.Concat(leadFields, []filter.Field{
	{Name: "tags", Column: "tag_keys", Type: filter.StringArray},
})}

// scoreSchema is scoreFields with the custom fields defs (the tenant's
// definitions of leads) as "customFields.<key>", as assignment rules read
// them (ruleSchema).
func scoreSchema(defs Fields) filter.Schema {
	s := scoreFields
	s.CustomField = ruleSchema(defs).CustomField
	return s
}

// normalize validates r for its kind, defaulting Active and dropping the
// fields of other kinds' (400 naming each bad field); a field rule's
// condition is parsed and compiled with the custom fields defs (errors
// name condition/…), its tags put in lower case.
func (r *ScoringRule) normalize(defs Fields) error {
	v := errs.NewValidator()
	text(v, &r.Name, "name", maxRuleNameLen, true)
	if r.Active == nil {
		on := true
		r.Active = &on
	}
	points := func() {
		v.Check(r.Points != 0 && r.Points >= -maxPoints && r.Points <= maxPoints, "points",
			fmt.Sprintf("must be -%d to %d, not 0", maxPoints, maxPoints))
	}
	switch r.Kind {
	case KindField:
		points()
		r.Event, r.ActivityType, r.MaxPoints, r.MinScore, r.FromStatuses, r.ToStatus = "", "", 0, 0, nil, ""
		v.Check(len(r.Condition) > 0 && string(r.Condition) != "null", "condition", "a field rule needs a condition")
	case KindBehaviour:
		points()
		r.Condition, r.MinScore, r.FromStatuses, r.ToStatus = nil, 0, nil, ""
		v.Check(slices.Contains(behaviourEvents, r.Event), "event", "must be activity, emailOpened or formSubmitted")
		v.Check(r.ActivityType == "" || r.Event == EventActivity && slices.Contains(activityTypes, r.ActivityType), "activityType",
			"must be call, email, meeting, note or task, for an activity rule")
		v.Check(r.MaxPoints >= 0 && r.MaxPoints <= maxCap, "maxPoints", fmt.Sprintf("must be 1 to %d, or absent", maxCap))
	case KindThreshold:
		r.Condition, r.Event, r.ActivityType, r.Points, r.MaxPoints = nil, "", "", 0, 0
		v.Check(r.MinScore >= 1 && r.MinScore <= maxCap, "minScore", fmt.Sprintf("must be 1 to %d", maxCap))
		v.Check(slices.Contains(thresholdTargets, r.ToStatus), "toStatus", "must be working, nurturing or qualified")
		v.Check(len(r.FromStatuses) >= 1, "fromStatuses", "must list at least one status")
		for i, s := range r.FromStatuses {
			v.Check(slices.Contains(transitions[s], r.ToStatus) && !slices.Contains(r.FromStatuses[:i], s), fmt.Sprintf("fromStatuses/%d", i),
				"must be a status a lead may leave for toStatus, once")
		}
	default:
		v.Check(false, "kind", "must be field, behaviour or threshold")
	}
	if err := v.Err(); err != nil || r.Kind != KindField {
		return err
	}
	node, err := filter.Parse(r.Condition)
	if err != nil {
		return conditionError(err)
	}
	lowerTags(node)
	if _, _, err := filter.Compile(node, scoreSchema(defs), 1); err != nil {
		return conditionError(err)
	}
	if r.Condition, err = json.Marshal(node); err != nil {
		return fmt.Errorf("write condition: %w", err)
	}
	return nil
}

// maxRuleNameLen is the characters of a scoring rule's name.
const maxRuleNameLen = 200

// lowerTags puts the values of n's conditions on tags in lower case, as
// tag_keys holds them.
func lowerTags(n *filter.Node) {
	if n == nil {
		return
	}
	for _, c := range slices.Concat(n.And, n.Or, []*filter.Node{n.Not}) {
		lowerTags(c)
	}
	if n.Field != "tags" {
		return
	}
	switch v := n.Value.(type) {
	case string:
		n.Value = strings.ToLower(v)
	case []any:
		for i, s := range v {
			if s, ok := s.(string); ok {
				v[i] = strings.ToLower(s)
			}
		}
	}
}
