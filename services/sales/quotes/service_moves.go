package quotes

import (
	"context"
	"errors"
	"slices"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/svcclient"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// verbs are the event verbs of the actions.
var verbs = map[string]string{
	ActionSubmit: pgstore.VerbSubmitted, ActionApprove: pgstore.VerbApproved, ActionReject: pgstore.VerbRejected,
	ActionSend: pgstore.VerbSent, ActionAccept: pgstore.VerbAccepted, ActionDecline: pgstore.VerbDeclined,
}

// Act implements Service. Submitting asks the tenant's thresholds how
// many levels of approval the revision needs and the directory who gives
// them, before the quote's transaction (a call to the gateway is no work
// to hold a lock over); the quote must still be the draft it read.
// Approving and rejecting is for the pending level's approvers alone
// (403 for anyone else who may see the quote); the other moves are for
// anyone who may change it.
func (s *service) Act(ctx context.Context, id, action string, ifMatch int64, comment string) (*Quote, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkComment(comment); err != nil {
		return nil, err
	}
	read, err := s.read(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var levels [][]string
	if action == ActionSubmit {
		if levels, err = s.approvalFor(ctx, p, read); err != nil {
			return nil, err
		}
	}
	now := pg.Timestamp(s.now())
	return s.store.Update(ctx, p.TenantID, id, func(old *Quote, _ Opportunity) (*Quote, Change, error) {
		next := *old
		step := Step{Revision: old.Revision, Action: action, From: old.State, By: p.UserID, At: now, Comment: comment}
		var err error
		switch action {
		case ActionSubmit:
			err = submit(p, read, &next, levels, ifMatch)
		case ActionApprove, ActionReject:
			step.Level, err = decide(p, &next, action, ifMatch)
		default:
			err = move(p, &next, action, ifMatch)
		}
		if err != nil {
			return nil, Change{}, err
		}
		next.UpdatedAt, next.Version = now, old.Version+1
		next.settleApprovers()
		step.To = next.State
		return &next, Change{Verb: verbs[action], Step: step}, nil
	})
}

// approvalFor returns the approvers of each level q's revision needs
// under the tenant's settings: the managers of the owner's team, then of
// its parent team, the owner left out. None needed is none; no directory
// is ErrNoDirectory; a level no one can give is ErrNoApprover.
func (s *service) approvalFor(ctx context.Context, p auth.Principal, q *Quote) ([][]string, error) {
	if q.State != StateDraft {
		return nil, ErrState.WithDetail("only a draft is submitted; this quote is %s", q.State)
	}
	settings, err := s.store.Settings(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	n := settings.levels(q)
	if n == 0 {
		return [][]string{}, nil
	}
	if s.dir == nil {
		return nil, ErrNoDirectory
	}
	var levels [][]string
	team := q.TeamID
	for len(levels) < n {
		if team == "" {
			return nil, noApprover(len(levels)+1, "the quote's owner has no team")
		}
		t, err := s.dir.Team(ctx, team)
		if errors.Is(err, svcclient.ErrTeamNotFound) {
			return nil, noApprover(len(levels)+1, "the directory does not know the team "+team)
		}
		if err != nil {
			return nil, err
		}
		managers := slices.DeleteFunc(slices.Clone(t.Managers), func(u string) bool { return u == q.OwnerID })
		if len(managers) == 0 {
			return nil, noApprover(len(levels)+1, "the team "+team+" has no manager but the quote's owner")
		}
		levels = append(levels, managers)
		team = ""
		if t.ParentID != nil {
			team = *t.ParentID
		}
	}
	return levels, nil
}

// noApprover is ErrNoApprover for level, saying why.
func noApprover(level int, why string) error {
	e := ErrNoApprover.WithDetail("approval level %d: %s", level, why)
	e.Fields = []errs.FieldError{{Field: "teamId", Reason: why}}
	return e
}

// submit moves the draft q to pending approval with levels (approved when
// none is needed), unless it changed since it was read.
func submit(p auth.Principal, read, q *Quote, levels [][]string, ifMatch int64) error {
	if err := checkVersion(p, q, ifMatch); err != nil {
		return err
	}
	if q.Version != read.Version {
		return ErrVersion.WithDetail("the quote changed while its approvers were found; submit it again")
	}
	q.levels, q.ApprovalLevels, q.ApprovedLevels, q.State = levels, len(levels), 0, StatePending
	if len(levels) == 0 {
		q.State = StateApproved
	}
	return nil
}

// decide records p's approval or rejection of q's pending level, returning
// the level: p must be one of its approvers.
func decide(p auth.Principal, q *Quote, action string, ifMatch int64) (int, error) {
	if q.State != StatePending {
		return 0, ErrState.WithDetail("the quote is %s, not pending approval", q.State)
	}
	if !slices.Contains(q.levels[q.ApprovedLevels], p.UserID) {
		return 0, ErrNotApprover
	}
	if ifMatch != 0 && q.Version != ifMatch {
		return 0, ErrVersion
	}
	level := q.ApprovedLevels + 1
	if action == ActionReject {
		q.State = StateRejected
		return level, nil
	}
	q.ApprovedLevels = level
	if level == q.ApprovalLevels {
		q.State = StateApproved
	}
	return level, nil
}

// move makes the transition action of q.
func move(p auth.Principal, q *Quote, action string, ifMatch int64) error {
	if err := checkVersion(p, q, ifMatch); err != nil {
		return err
	}
	t := transitions[action]
	if !slices.Contains(t.from, q.State) {
		return ErrState.WithDetail("a quote %s cannot be %s", q.State, verbs[action])
	}
	q.State = t.to
	return nil
}

// Settings implements Service.
func (s *service) Settings(ctx context.Context) (*Settings, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Settings(ctx, p.TenantID)
}

// SetSettings implements Service.
func (s *service) SetSettings(ctx context.Context, in Settings) (*Settings, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.UpdatedAt, in.UpdatedBy = &now, p.UserID
	return &in, s.store.SetSettings(ctx, p.TenantID, &in)
}
