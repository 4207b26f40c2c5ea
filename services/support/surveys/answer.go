package surveys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Question is what a survey's link shows: its kind and scale, and for
// CSAT the case's number and subject only.
type Question struct {
	Kind       string `json:"kind"`
	CaseNumber *int64 `json:"caseNumber,omitempty"`
	Subject    string `json:"subject,omitempty"`
	MinScore   int    `json:"minScore"`
	MaxScore   int    `json:"maxScore"`
	Answered   bool   `json:"answered"`
}

// Answer is a customer's answer: a score (1-5 CSAT, 0-10 NPS) and an
// optional comment.
type Answer struct {
	Score   *int   `json:"score"`
	Comment string `json:"comment"`
}

// Answered is the payload of survey.answered: the survey with its answer,
// whether its low score reopened the case, and whether the tenant asks
// for its manager to be alerted (a low score and the action alert or
// both).
type Answered struct {
	*Survey
	Reopened bool `json:"reopened"`
	Alert    bool `json:"alert"`
}

// maxComment is the longest comment, in characters.
const maxComment = 5000

// scale is the lowest and highest score of kind.
func scale(kind string) (int, int) {
	if kind == KindNPS {
		return 0, 10
	}
	return 1, 5
}

// npsDetractor is the highest NPS score of a detractor: a low one.
const npsDetractor = 6

// Question returns the question of the survey of token.
func (s *Service) Question(ctx context.Context, token string) (out Question, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		v, err := s.survey(ctx, tx, p.TenantID, token, false)
		if err != nil {
			return err
		}
		lo, hi := scale(v.Kind)
		out = Question{Kind: v.Kind, CaseNumber: v.CaseNumber, Subject: v.Subject, MinScore: lo, MaxScore: hi, Answered: v.Status == StatusAnswered}
		return nil
	})
	return out, err
}

// Answer records the answer to the survey of token, once (a second is
// ErrAnswered); a low score reopens the survey's case and/or asks for an
// alert (Settings.LowAction), and survey.answered is published.
func (s *Service) Answer(ctx context.Context, token string, a Answer) (out Survey, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		v, err := s.survey(ctx, tx, p.TenantID, token, true)
		if err != nil {
			return err
		}
		if v.Status == StatusAnswered {
			return ErrAnswered
		}
		if err := a.check(v.Kind); err != nil {
			return err
		}
		set, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		v.Status, v.Score, v.Comment, v.AnsweredAt = StatusAnswered, a.Score, strings.TrimSpace(a.Comment), &now
		v.Low = *a.Score <= set.LowThreshold
		if v.Kind == KindNPS {
			v.Low = *a.Score <= npsDetractor
		}
		if err := saveAnswer(ctx, tx, &v); err != nil {
			return err
		}
		ev := Answered{Survey: &v, Alert: v.Low && set.LowAction != ActionReopen}
		if v.Low && v.CaseID != nil && set.LowAction != ActionAlert {
			if ev.Reopened, err = reopen(ctx, tx, *v.CaseID); err != nil {
				return err
			}
		}
		out = v
		return tx.Emit(ctx, supportdb.EntitySurvey, supportdb.VerbAnswered, v.ID, ev, nil)
	})
	return out, err
}

// survey reads the survey of token for tenant, locked when lock: a
// forged, malformed or expired token, or an unknown survey, is
// ErrNotFound, logged.
func (s *Service) survey(ctx context.Context, tx *outbox.Tx, tenant, token string, lock bool) (Survey, error) {
	now := s.now()
	id, err := s.links.Verify(token, tenant, now)
	if err == nil {
		var v Survey
		v, err = getSurvey(ctx, tx, id, lock)
		if err == nil && (v.ExpiresAt == nil || !now.Before(*v.ExpiresAt)) {
			err = ErrNotFound
		}
		if err == nil {
			return v, nil
		}
	}
	if errors.Is(err, ErrNotFound) {
		s.logger.WarnContext(ctx, "surveys: a survey link was refused: forged, expired or unknown", "tenant", tenant, "token", clip(token))
	}
	return Survey{}, err
}

// clip is the start of token, enough to recognise it in the log.
func clip(token string) string {
	if len(token) > 16 {
		return token[:16] + "…"
	}
	return token
}

// reopen opens the case id again when it is solved; reopened says
// whether it did (a closed or deleted case stays as it is).
func reopen(ctx context.Context, tx *outbox.Tx, id string) (reopened bool, err error) {
	_, err = cases.ChangeIn(ctx, tx, id, func(c *cases.Case) error {
		if c.Status == cases.StatusSolved {
			c.Status, reopened = cases.StatusOpen, true
		}
		return nil
	})
	if errors.Is(err, cases.ErrNotFound) {
		return false, nil
	}
	return reopened, err
}

// check validates a against the scale of kind, naming each bad field.
func (a *Answer) check(kind string) error {
	lo, hi := scale(kind)
	v := errs.NewValidator()
	v.Check(a.Score != nil, "score", "is required")
	v.Check(a.Score == nil || (*a.Score >= lo && *a.Score <= hi), "score", fmt.Sprintf("must be %d to %d", lo, hi))
	v.Check(utf8.RuneCountInString(a.Comment) <= maxComment, "comment", fmt.Sprintf("at most %d characters", maxComment))
	return v.Err()
}
