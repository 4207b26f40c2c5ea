package messaging

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// The A/B test in a send's flow: Create records it (createABTest), the
// sender's start holds the messages it makes and splits off the test
// share once all are made (abMaterialized), prepare renders a message
// with its variant's template (templateFor), and ABJudge decides and
// releases the rest.

// createABTest records a, the A/B test (nil: none) of the new send s,
// each variant's template being one of the tenant's for s's channel.
func createABTest(ctx context.Context, tx *outbox.Tx, s Send, a *ABTest, now time.Time) error {
	if a == nil {
		return nil
	}
	for i, v := range a.Variants {
		if v.TemplateID == "" {
			continue
		}
		field := fmt.Sprintf("abTest/variants/%d/templateId", i)
		t, err := templates.Load(ctx, tx.SQL(), v.TemplateID)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			return refError(ErrUnknownRef, field, "no such template")
		case err != nil:
			return err
		case t.Channel != s.Channel:
			return refError(ErrWrongChannel, field, "the template is for "+t.Channel)
		}
	}
	return insertABTest(ctx, tx, s.ID, *a, now)
}

// abMaterialized follows the making of send id's messages when it has an
// A/B test not yet split: the messages made so far are held, and once
// all are (done) the test share is split off and queued.
func abMaterialized(ctx context.Context, tx *outbox.Tx, id string, done bool, now time.Time) error {
	r, ok, err := abTestOf(ctx, tx, id)
	if err != nil || !ok || r.SplitAt.Valid {
		return err
	}
	if err := holdAll(ctx, tx, id); err != nil || !done {
		return err
	}
	a := r.test()
	return split(ctx, tx, id, a.TestShare, a.names(), now)
}

// templateFor is the template a message of send r of variant goes out
// with: in an A/B test, the variant's template with its subject, and for
// the rest (variant "") the winner's once chosen; else the send's.
func templateFor(ctx context.Context, tx *outbox.Tx, r sendRow, variant string) (templates.Template, error) {
	ab, ok, err := abTestOf(ctx, tx, r.ID)
	if err != nil {
		return templates.Template{}, err
	}
	if variant == "" && ok {
		variant = ab.Winner
	}
	v, isVariant := ab.test().variant(variant)
	if !ok || !isVariant {
		return templates.Load(ctx, tx.SQL(), r.TemplateID)
	}
	id := r.TemplateID
	if v.TemplateID != "" {
		id = v.TemplateID
	}
	t, err := templates.Load(ctx, tx.SQL(), id)
	if err == nil && v.Subject != "" {
		t.Subject = v.Subject
	}
	return t, err
}
