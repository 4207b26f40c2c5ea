package surveys

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "support-surveys"

// Contexts are the contexts whose topics the Handler reads: the service's
// own, where package cases publishes.
var Contexts = []string{registry.Support}

// typeStatusChanged is the event the Handler follows; it skips others.
const typeStatusChanged = "dev.rapport.support.case.status_changed.v1"

// Handler adds a CSAT survey of each case solved while the tenant's CSAT
// is on, to the case's requester, due after the tenant's delay; a case
// without a requester's address gets none, and a case gets one survey
// however often it is solved.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// solvedCase is what the Handler reads of case.status_changed.
type solvedCase struct {
	ID         string     `json:"id"`
	Number     int64      `json:"number"`
	Subject    string     `json:"subject"`
	Status     string     `json:"status"`
	AssigneeID string     `json:"assigneeId"`
	QueueID    string     `json:"queueId"`
	SolvedAt   *time.Time `json:"solvedAt"`
}

// Handle is the events.Handler of ConsumerGroup.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != typeStatusChanged {
		return nil
	}
	var c solvedCase
	if err := json.Unmarshal(ev.Data, &c); err != nil || !ids.Valid(c.ID) {
		return fmt.Errorf("%s %s: malformed payload: %v", ev.Type, ev.ID, err)
	}
	if c.Status != cases.StatusSolved {
		return nil
	}
	ptx := h.db.With(tx, ev.TenantID)
	set, err := settingsIn(ctx, ptx)
	if err != nil || !set.CSATEnabled {
		return err
	}
	r, ok, err := requesterOf(ctx, ptx, c.ID)
	if err != nil {
		return err
	}
	if !ok {
		h.logger.InfoContext(ctx, "surveys: a solved case has no requester's address; no CSAT survey", "tenant", ev.TenantID, "case", c.ID)
		return nil
	}
	solved := pg.Timestamp(time.Now()).UTC()
	if c.SolvedAt != nil {
		solved = pg.Timestamp(*c.SolvedAt).UTC()
	}
	caseID, number := c.ID, c.Number
	_, err = insertSurvey(ctx, ptx, &Survey{ID: ids.New(), Kind: KindCSAT, CaseID: &caseID, CaseNumber: &number, ContactID: r.ContactID,
		Subject: c.Subject,
		AgentID: c.AssigneeID, QueueID: c.QueueID, Address: r.Address, Name: r.Name, Status: StatusPending,
		SendAfter: solved.Add(time.Duration(set.CSATDelayMinutes) * time.Minute), CreatedAt: pg.Timestamp(time.Now()).UTC()})
	return err
}
