package leads

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// AssignmentPreview is what the tenant's active assignment rules would make
// of a lead created now: the rule that would assign it (none when RuleID
// is empty), its owner and team then, the reason the lead would carry, and
// the score the scoring rules would give it (a rule's condition may test
// it).
type AssignmentPreview struct {
	RuleID   string `json:"ruleId,omitempty"`
	RuleName string `json:"ruleName,omitempty"`
	// Position is the rule's place in the list, from 0 (with RuleID only).
	Position *int   `json:"position,omitempty"`
	OwnerID  string `json:"ownerId"`
	TeamID   string `json:"teamId,omitempty"`
	Reason   string `json:"reason"`
	Score    int    `json:"score"`
}

// PreviewAssignment implements AssignmentService: the lead is read as a
// create reads it (errors name its fields), owned by the caller unless it
// names an owner, and the rules run over it exactly as over a new lead —
// cap counts, turns and working hours at this moment — in a transaction
// whose writes are undone.
func (s *assignmentService) PreviewAssignment(ctx context.Context, in Lead) (*AssignmentPreview, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	return s.store.PreviewAssignment(ctx, p.TenantID, now, func(region string) (*Lead, error) {
		l := in
		if err := l.normalize(p.UserID, region); err != nil {
			return nil, err
		}
		if err := l.checkStatus(""); err != nil {
			return nil, err
		}
		l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), now, now, 1
		return &l, nil
	})
}

// PreviewAssignment runs the tenant's assignment rules at now over the
// lead prepare makes of the tenant's phone region, as Create would, and
// returns the outcome without keeping anything: the lead is inserted (the
// rules' conditions are SQL over the leads table) and the rotations moved
// under a savepoint that is rolled back before the transaction ends, so no
// event is published, no turn taken and no lead left behind.
func (s *Store) PreviewAssignment(ctx context.Context, tenant string, now time.Time, prepare func(region string) (*Lead, error)) (out *AssignmentPreview, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		region, err := regionIn(ctx, tx)
		if err != nil {
			return err
		}
		l, err := prepare(region)
		if err != nil {
			return err
		}
		defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
		if err != nil {
			return err
		}
		if err := checkFields(l, defs, region); err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, "SAVEPOINT assignment_preview"); err != nil {
			return fmt.Errorf("preview savepoint: %w", pg.MapError(err))
		}
		if out, err = previewIn(ctx, tx, l, now); err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, "ROLLBACK TO SAVEPOINT assignment_preview"); err != nil {
			return fmt.Errorf("undo preview: %w", pg.MapError(err))
		}
		return nil
	})
	return out, err
}

// previewIn scores and inserts l in tx and runs the rules over it.
func previewIn(ctx context.Context, tx *outbox.Tx, l *Lead, now time.Time) (*AssignmentPreview, error) {
	if err := scoreIn(ctx, tx, 0, l); err != nil {
		return nil, err
	}
	if err := save(ctx, tx, l, true); err != nil {
		return nil, err
	}
	res, err := assignIn(ctx, tx, []*Lead{l}, now, false)
	if err != nil {
		return nil, err
	}
	o := res[0]
	out := &AssignmentPreview{OwnerID: o.lead.OwnerID, TeamID: o.lead.TeamID, Reason: o.lead.AssignmentReason, Score: o.lead.Score}
	if o.rule != nil {
		pos := o.rule.Position
		out.RuleID, out.RuleName, out.Position = o.rule.ID, o.rule.Name, &pos
	}
	if out.Reason == "" {
		out.Reason = "no active assignment rule; " + kept(o.lead.OwnerID)
	}
	return out, nil
}
