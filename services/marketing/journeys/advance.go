package journeys

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// enrol enrols contact in the active journey j at now, unless it is
// enrolled now or j's re-entry rule keeps it out, and publishes
// journey.enrolled.
func enrol(ctx context.Context, tx *outbox.Tx, j Journey, contact string, now time.Time) error {
	last, err := lastEnrolment(ctx, tx, j.ID, contact)
	if err != nil {
		return err
	}
	if last.Round > 0 {
		switch {
		case last.Status == EnrolmentActive, j.ReEntry.Mode == ReEntryNever:
			return nil
		case j.ReEntry.Mode == ReEntryAfter:
			d, _ := parseDuration(j.ReEntry.After) // checked when the journey was saved
			if now.Before(last.EnteredAt.Add(d)) {
				return nil
			}
		}
	}
	first := j.Steps[0]
	e := Enrolment{ID: ids.New(), JourneyID: j.ID, ContactID: contact, Round: last.Round + 1, Status: EnrolmentActive,
		StepID: first.ID, NextRunAt: arrival(first, now), EnteredAt: now}
	ok, err := insertEnrolment(ctx, tx, e)
	if err != nil || !ok {
		return err
	}
	return tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbEnrolled, j.ID,
		enrolmentEvent{JourneyID: j.ID, ContactID: contact, EnrolmentID: e.ID, StepID: first.ID, StepType: first.Type, At: now}, nil)
}

// arrival is when an enrolment reaching step s at now runs it: a wait's
// end, now for the others.
func arrival(s Step, now time.Time) *time.Time {
	if s.Type == StepWait {
		at := waitEnd(s, now)
		return &at
	}
	return &now
}

// advance runs the step e is due at in tx, with its effects (a message
// queued, contact_updated published) and e's move to the next step: the
// goal reached first converts e; a step gone from j exits it; past the
// last step e is completed.
func advance(ctx context.Context, tx *outbox.Tx, j Journey, e Enrolment, now time.Time) error {
	met, err := goalMet(ctx, tx, j, e.ContactID)
	if err != nil {
		return err
	}
	if met {
		return end(ctx, tx, e, EnrolmentConverted, "goal", now)
	}
	s, ok := j.step(e.StepID)
	if !ok {
		return end(ctx, tx, e, EnrolmentExited, "step removed", now)
	}
	next, outcome := s.Next, ""
	switch s.Type {
	case StepSend:
		outcome, err = sendStep(ctx, tx, j, e, s, now)
	case StepWait:
		outcome = "waited"
	case StepBranch:
		var yes bool
		if yes, err = holds(ctx, tx, j, e, s.Condition); yes {
			next, outcome = s.Yes, "yes"
		} else {
			next, outcome = s.No, "no"
		}
	case StepUpdate:
		outcome = "updated"
		u := s.Update
		err = tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbContactUpdated, e.ContactID,
			contactUpdated{JourneyID: j.ID, ContactID: e.ContactID, EnrolmentID: e.ID, StepID: s.ID,
				AddTags: u.AddTags, RemoveTags: u.RemoveTags, Field: u.Field, Value: u.Value, At: now}, nil)
	case StepExit:
		e.History = append(e.History, HistoryEntry{StepID: s.ID, Type: s.Type, Outcome: "exit", At: now})
		return end(ctx, tx, e, EnrolmentExited, "exit step", now)
	}
	if err != nil {
		return err
	}
	e.History = append(e.History, HistoryEntry{StepID: s.ID, Type: s.Type, Outcome: outcome, At: now})
	err = tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbStepCompleted, j.ID, enrolmentEvent{JourneyID: j.ID,
		ContactID: e.ContactID, EnrolmentID: e.ID, StepID: s.ID, StepType: s.Type, Outcome: outcome, At: now}, nil)
	if err != nil {
		return err
	}
	to, ok := j.step(next)
	if !ok {
		return end(ctx, tx, e, EnrolmentCompleted, "", now)
	}
	e.StepID, e.NextRunAt = to.ID, arrival(to, now)
	return saveEnrolment(ctx, tx, e, now)
}

// sendStep queues the message of send step s for e's contact (once per
// step and round: messaging.StepSend and Enqueue), and says what came of
// it: queued, or excluded:<reason>.
func sendStep(ctx context.Context, tx *outbox.Tx, j Journey, e Enrolment, s Step, now time.Time) (string, error) {
	send, err := messaging.StepSend(ctx, tx, messaging.JourneyStep{JourneyID: j.ID, StepID: s.ID, Round: e.Round,
		TemplateID: s.TemplateID, Channel: s.Channel, CampaignID: j.CampaignID}, now)
	if err != nil {
		return "", err
	}
	q, err := messaging.Enqueue(ctx, tx, send, e.ContactID, now)
	if err != nil || q.Queued {
		return "queued", err
	}
	return "excluded:" + q.Reason, nil
}

// holds evaluates a branch's condition for e's contact.
func holds(ctx context.Context, tx *outbox.Tx, j Journey, e Enrolment, c *Condition) (bool, error) {
	switch {
	case c.Opened != "":
		return engaged(ctx, tx, j.ID, c.Opened, e.Round, e.ContactID, "open")
	case c.Clicked != "":
		return engaged(ctx, tx, j.ID, c.Clicked, e.Round, e.ContactID, "click")
	}
	return audience.Matches(ctx, tx.SQL(), c.Filter, e.ContactID)
}

// goalMet says whether contact reached j's goal (false without one).
func goalMet(ctx context.Context, tx *outbox.Tx, j Journey, contact string) (bool, error) {
	switch g := j.Goal; {
	case g == nil:
		return false, nil
	case g.SegmentID != "":
		return inSegment(ctx, tx, g.SegmentID, contact)
	}
	return audience.Matches(ctx, tx.SQL(), j.Goal.Filter, contact)
}

// end ends e with status (completed, exited, converted), why saying what
// ended it, and publishes the journey event of that name.
func end(ctx context.Context, tx *outbox.Tx, e Enrolment, status, why string, now time.Time) error {
	step := e.StepID
	e.Status, e.NextRunAt, e.EndedAt = status, nil, &now
	if err := saveEnrolment(ctx, tx, e, now); err != nil {
		return err
	}
	verb := map[string]string{EnrolmentCompleted: marketingdb.VerbCompleted, EnrolmentExited: marketingdb.VerbExited,
		EnrolmentConverted: marketingdb.VerbConverted}[status]
	if status == EnrolmentCompleted {
		step = ""
	}
	return tx.Emit(ctx, marketingdb.EntityJourney, verb, e.JourneyID,
		enrolmentEvent{JourneyID: e.JourneyID, ContactID: e.ContactID, EnrolmentID: e.ID, StepID: step, Outcome: why, At: now}, nil)
}
