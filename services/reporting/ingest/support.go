package ingest

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// supportHandlers apply the events of rapport.support.v1, by type: cases'
// states and merges, their first responses and SLA breaches, and answered
// surveys.
var supportHandlers = map[string]apply{
	typeCaseCreated:       applyCase,
	typeCaseUpdated:       applyCase,
	typeCaseStatusChanged: applyCase,
	typeCaseMerged:        applyCase,
	typeCaseDeleted:       applyCase,
	typeCaseEntryCreated:  applyCaseEntry,
	typeCaseSLABreached:   applyBreach,
	typeSurveyAnswered:    applySurvey,
}

// applyCase upserts the case a case.* event carries, unless a newer
// version is stored (case.deleted marks it deleted); case.merged also
// records the merge into mergedInto.
func applyCase(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p casePayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	ids := []string{"id", p.ID}
	if ev.Type == typeCaseMerged || p.MergedInto != "" {
		ids = append(ids, "mergedInto", p.MergedInto)
	}
	if err := requireIDs(ev, ids...); err != nil {
		return err
	}
	if err := saveCase(ctx, tx, gen, p, ev.Type == typeCaseDeleted); err != nil {
		return err
	}
	if ev.Type != typeCaseMerged {
		return nil
	}
	return saveMerge(ctx, tx, gen, "case", p.ID, p.MergedInto, p.UpdatedAt)
}

// applyCaseEntry records an agent's public entry of a case's thread as
// the case's first response when it is the earliest seen; other entries
// change nothing.
func applyCaseEntry(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p caseEntryPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if p.AuthorType != "agent" || !p.Public {
		return nil
	}
	if err := requireIDs(ev, "caseId", p.CaseID); err != nil {
		return err
	}
	return saveFirstResponse(ctx, tx, gen, p.CaseID, p.CreatedAt)
}

// applyBreach records a case's SLA breach of its target.
func applyBreach(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p breachPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := requireIDs(ev, "caseId", p.CaseID); err != nil {
		return err
	}
	if p.Target == "" {
		return ErrBadPayload.WithDetail("%s %s: no target", ev.Type, ev.ID)
	}
	return saveBreach(ctx, tx, gen, p)
}

// applySurvey records an answered survey.
func applySurvey(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p surveyPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := requireIDs(ev, "id", p.ID); err != nil {
		return err
	}
	return saveSurvey(ctx, tx, gen, p)
}
