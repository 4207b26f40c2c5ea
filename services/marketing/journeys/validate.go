package journeys

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/marketing/audience"
)

// The bounds of a journey.
const (
	maxName   = 200
	maxSteps  = 100
	maxStepID = 64
	maxTags   = 50
	maxValue  = 1_000
)

// triggerEvents are the events of the service's topic an event trigger
// may name: those naming a contact (contactId), never journeys' own.
var triggerEvents = []string{"message.sent", "message.delivered", "message.opened", "message.clicked", "message.bounced",
	"message.complained", "contact.unsubscribed", "form.submitted", "segment.entered", "segment.left",
	"campaign.responded", "campaign_member.added", "campaign_member.status_changed"}

// contactFields are the contact fields an update step may set, beside
// "customFields.<key>".
var contactFields = []string{"firstName", "lastName", "jobTitle", "city", "country", "lifecycleStage"}

// statuses are a journey's statuses.
var statuses = []string{StatusDraft, StatusActive, StatusPaused, StatusArchived}

// normalize validates j, trimming its name, naming every bad field by its
// path ("steps/2/next"): the trigger, the steps' graph (unique ids, every
// next, yes and no naming a step, every step reachable from the first, no
// cycle), each step's own fields, the re-entry rule and the goal. The
// tenant's templates, segments, forms and campaigns are checked by refs.
func (j *Journey) normalize() error {
	v := errs.NewValidator()
	j.Name = strings.TrimSpace(j.Name)
	n := utf8.RuneCountInString(j.Name)
	v.Check(n >= 1 && n <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	if j.Status == "" {
		j.Status = StatusDraft
	}
	v.Check(slices.Contains(statuses, j.Status), "status", "must be draft, active, paused or archived")
	v.Check(j.CampaignID == "" || ids.Valid(j.CampaignID), "campaignId", "must be a campaign's id")
	j.Trigger.check(v)
	checkSteps(v, j.Steps)
	switch j.ReEntry.Mode {
	case "":
		j.ReEntry.Mode = ReEntryNever
		v.Check(j.ReEntry.After == "", "reEntry/after", "is only for mode after")
	case ReEntryNever, ReEntryAlways:
		v.Check(j.ReEntry.After == "", "reEntry/after", "is only for mode after")
	case ReEntryAfter:
		_, err := parseDuration(j.ReEntry.After)
		v.Check(err == nil, "reEntry/after", reason(err))
	default:
		v.Check(false, "reEntry/mode", "must be never, always or after")
	}
	if g := j.Goal; g != nil {
		v.Check((len(g.Filter) > 0) != (g.SegmentID != ""), "goal", "must have a filter or a segmentId, not both")
		v.Check(g.SegmentID == "" || ids.Valid(g.SegmentID), "goal/segmentId", "must be a segment's id")
		if len(g.Filter) > 0 {
			checkFilter(v, "goal/", g.Filter)
		}
	}
	return v.Err()
}

// check validates a trigger.
func (t Trigger) check(v *errs.Validator) {
	switch t.Type {
	case TriggerSegmentEntered:
		v.Check(ids.Valid(t.SegmentID), "trigger/segmentId", "must be a segment's or a list's id")
	case TriggerFormSubmitted:
		v.Check(ids.Valid(t.FormID), "trigger/formId", "must be a form's id")
	case TriggerEvent:
		v.Check(slices.Contains(triggerEvents, t.Event), "trigger/event",
			"must be one of "+strings.Join(triggerEvents, ", "))
		v.Check(t.CampaignID == "" || ids.Valid(t.CampaignID), "trigger/campaignId", "must be a campaign's id")
	default:
		v.Check(false, "trigger/type", "must be segment_entered, form_submitted or event")
	}
	v.Check(t.Type == TriggerSegmentEntered || t.SegmentID == "", "trigger/segmentId", "is only for segment_entered")
	v.Check(t.Type == TriggerFormSubmitted || t.FormID == "", "trigger/formId", "is only for form_submitted")
	v.Check(t.Type == TriggerEvent || (t.Event == "" && t.CampaignID == ""), "trigger/event", "is only for event")
}

// checkSteps validates the steps' graph and each step.
func checkSteps(v *errs.Validator, steps []Step) {
	if len(steps) == 0 || len(steps) > maxSteps {
		v.Check(false, "steps", fmt.Sprintf("must have 1 to %d steps", maxSteps))
		return
	}
	at := map[string]int{}
	for i, s := range steps {
		path := fmt.Sprintf("steps/%d/", i)
		_, dup := at[s.ID]
		v.Check(s.ID != "" && len(s.ID) <= maxStepID, path+"id", fmt.Sprintf("must be 1 to %d characters", maxStepID))
		v.Check(!dup, path+"id", "is another step's id")
		if !dup {
			at[s.ID] = i
		}
	}
	for i, s := range steps {
		path := fmt.Sprintf("steps/%d/", i)
		s.check(v, path, steps, at)
		for _, e := range s.edges() {
			_, ok := at[e.to]
			v.Check(e.to == "" || ok, path+e.field, "must be the id of a step of this journey")
		}
	}
	if v.Err() != nil {
		return
	}
	checkGraph(v, steps, at)
}

// edge is a step's link to another: its field (next, yes, no) and target.
type edge struct{ field, to string }

// edges are s's links ("" targets end the enrolment).
func (s Step) edges() []edge {
	if s.Type == StepBranch {
		return []edge{{"yes", s.Yes}, {"no", s.No}}
	}
	return []edge{{"next", s.Next}}
}

// check validates s, the step at path among steps (by id in at).
func (s Step) check(v *errs.Validator, path string, steps []Step, at map[string]int) {
	v.Check(s.Type == StepSend || s.TemplateID == "" && s.Channel == "", path+"templateId", "is only for a send step")
	v.Check(s.Type == StepWait || s.Duration == "" && s.Until == "", path+"duration", "is only for a wait step")
	v.Check(s.Type == StepBranch || s.Condition == nil && s.Yes == "" && s.No == "", path+"condition", "is only for a branch step")
	v.Check(s.Type == StepUpdate || s.Update == nil, path+"update", "is only for an update step")
	v.Check(s.Type != StepBranch && s.Type != StepExit || s.Next == "", path+"next", "a branch goes to yes or no; an exit ends")
	switch s.Type {
	case StepSend:
		v.Check(ids.Valid(s.TemplateID), path+"templateId", "must be a template's id")
		v.Check(s.Channel == "email" || s.Channel == "sms", path+"channel", "must be email or sms")
	case StepWait:
		v.Check((s.Duration != "") != (s.Until != ""), path+"duration", "a wait has a duration or an until, not both")
		if s.Duration != "" {
			_, err := parseDuration(s.Duration)
			v.Check(err == nil, path+"duration", reason(err))
		}
		if s.Until != "" {
			err := parseUntil(s.Until)
			v.Check(err == nil, path+"until", reason(err))
		}
	case StepBranch:
		s.Condition.check(v, path+"condition", steps, at)
	case StepUpdate:
		s.Update.check(v, path+"update")
	case StepExit:
	default:
		v.Check(false, path+"type", "must be send, wait, branch, update or exit")
	}
}

// check validates a branch's condition at path.
func (c *Condition) check(v *errs.Validator, path string, steps []Step, at map[string]int) {
	if c == nil {
		v.Check(false, path, "is required for a branch step")
		return
	}
	n := 0
	for _, set := range []bool{len(c.Filter) > 0, c.Opened != "", c.Clicked != ""} {
		if set {
			n++
		}
	}
	v.Check(n == 1, path, "must have one of filter, opened or clicked")
	if len(c.Filter) > 0 {
		checkFilter(v, path+"/", c.Filter)
	}
	for _, f := range []struct{ name, step string }{{"opened", c.Opened}, {"clicked", c.Clicked}} {
		if f.step == "" {
			continue
		}
		i, ok := at[f.step]
		v.Check(ok && steps[i].Type == StepSend, path+"/"+f.name, "must be the id of a send step of this journey")
		v.Check(!ok || f.name != "opened" || steps[i].Channel != "sms", path+"/"+f.name, "an SMS has no opens")
	}
}

// check validates an update step's change at path.
func (u *Update) check(v *errs.Validator, path string) {
	if u == nil {
		v.Check(false, path, "is required for an update step")
		return
	}
	tags := len(u.AddTags) + len(u.RemoveTags)
	v.Check((tags > 0) != (u.Field != ""), path, "must add or remove tags, or set a field, not both")
	v.Check(tags <= maxTags, path, fmt.Sprintf("at most %d tags", maxTags))
	for i, t := range append(append([]string{}, u.AddTags...), u.RemoveTags...) {
		v.Check(strings.TrimSpace(t) != "" && len(t) <= maxName, fmt.Sprintf("%s/tags/%d", path, i), "must be a tag")
	}
	if u.Field != "" {
		custom, ok := strings.CutPrefix(u.Field, "customFields.")
		v.Check(slices.Contains(contactFields, u.Field) || ok && custom != "", path+"/field",
			"must be one of "+strings.Join(contactFields, ", ")+" or customFields.<key>")
	}
	v.Check(utf8.RuneCountInString(u.Value) <= maxValue, path+"/value", fmt.Sprintf("at most %d characters", maxValue))
}

// checkGraph checks that every step is reachable from the first and that
// no path comes back to a step it left.
func checkGraph(v *errs.Validator, steps []Step, at map[string]int) {
	const (
		unseen = iota
		open
		done
	)
	state := make([]int, len(steps))
	var visit func(i int)
	visit = func(i int) {
		state[i] = open
		for _, e := range steps[i].edges() {
			if e.to == "" {
				continue
			}
			j := at[e.to]
			switch state[j] {
			case open:
				v.Check(false, fmt.Sprintf("steps/%d/%s", i, e.field), "makes a cycle: a journey's steps go forward")
			case unseen:
				visit(j)
			}
		}
		state[i] = done
	}
	visit(0)
	for i := range steps {
		v.Check(state[i] != unseen, fmt.Sprintf("steps/%d", i), "is not reachable from the first step")
	}
}

// checkFilter checks a filter over the audience contact, its errors'
// paths under prefix ("steps/2/condition/filter/and/0/field").
func checkFilter(v *errs.Validator, prefix string, raw []byte) {
	err := audience.CheckFilter(raw)
	if err == nil {
		return
	}
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		v.Check(false, prefix+"filter", err.Error())
		return
	}
	for _, f := range e.Fields {
		v.Check(false, prefix+f.Field, f.Reason)
	}
}

// reason is err's text, "" for nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
