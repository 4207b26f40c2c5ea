package phone

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// call is what the phone channel reads of a contacts activity.
type call struct {
	ID        string              `json:"id"`
	Type      string              `json:"type"`
	Subject   string              `json:"subject"`
	Body      string              `json:"body"`
	ContactID string              `json:"contactId"`
	AccountID string              `json:"accountId"`
	Related   []contactevents.Ref `json:"related"`
	Call      *details            `json:"call"`
}

// details are a call's details as contacts publish them.
type details struct {
	Direction       string    `json:"direction"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	StartedAt       time.Time `json:"startedAt"`
	DurationSeconds int       `json:"durationSeconds"`
	Outcome         string    `json:"outcome"`
	RecordingURL    string    `json:"recordingUrl"`
}

// Handler is the phone channel's consumer of contacts' events.
type Handler struct {
	cases  *cases.Service
	logger *slog.Logger
	now    func() time.Time
}

// NewHandler returns the phone channel, opening and updating cases through
// cs.
func NewHandler(cs *cases.Service, logger *slog.Logger) *Handler {
	return &Handler{cases: cs, logger: logger, now: time.Now}
}

// disposition returns the support disposition of c, "" when it has none.
func (c call) disposition() string {
	for _, r := range c.Related {
		if r.Service == DispositionService && r.Type == DispositionType {
			return strings.TrimSpace(r.ID)
		}
	}
	return ""
}

// Handle opens or updates a case for a call with a support disposition
// (activity.created); it ignores every other event, and logs and skips a
// call whose case the cases refuse (a subject too long). The case is written
// in its own transactions (cases.Open, cases.Append), found again by the
// call's Message-ID when the event is delivered again.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != contactevents.TypeActivityCreated {
		return nil
	}
	var c call
	if err := json.Unmarshal(ev.Data, &c); err != nil {
		h.logger.WarnContext(ctx, "phone: a malformed activity is skipped", "event_id", ev.ID, "error", err.Error())
		return nil
	}
	d := c.disposition()
	if c.Type != "call" || c.Call == nil || d == "" || !ids.Valid(c.ID) {
		return nil
	}
	msgID := "<call-" + c.ID + "@rapport.invalid>"
	if _, seen, err := h.cases.CaseByMessageID(ctx, ev.TenantID, []string{msgID}); err != nil || seen {
		return err
	}
	note := cases.NewEntry{Kind: cases.KindNote, AuthorType: cases.AuthorSystem, BodyText: c.note(d), Channel: Channel, MessageID: msgID}
	open, err := recentCase(ctx, tx, c.ContactID, pg.Timestamp(h.now()).Add(-Window))
	if err != nil {
		return err
	}
	if open != "" {
		_, err = h.cases.Append(ctx, ev.TenantID, open, note, Actor)
		h.logger.InfoContext(ctx, "phone: a call added to its contact's case", "tenant", ev.TenantID, "case", open, "activity", c.ID)
		return err
	}
	subject := strings.TrimSpace(c.Subject)
	if subject == "" {
		subject = "Call from " + c.caller()
	}
	kase, err := h.cases.Open(ctx, ev.TenantID, cases.NewCase{Case: cases.Case{Subject: subject, Description: c.Body, Channel: Channel,
		Type: d, ContactID: validOr(c.ContactID), AccountID: validOr(c.AccountID)}, First: &note}, Actor)
	switch {
	case err == nil:
		h.logger.InfoContext(ctx, "phone: a call opened a case", "tenant", ev.TenantID, "case", kase.ID, "activity", c.ID)
	case errs.KindOf(err) == errs.Invalid:
		h.logger.WarnContext(ctx, "phone: a call that cannot make a case is skipped", "tenant", ev.TenantID, "activity", c.ID,
			"error", err.Error())
		return nil
	}
	return err
}

// caller is who called, or was called: the call's other party.
func (c call) caller() string {
	n := c.Call.From
	if c.Call.Direction == "outbound" {
		n = c.Call.To
	}
	if n == "" {
		return "an unknown number"
	}
	return n
}

// note is the text of the call's note in its case.
func (c call) note(disposition string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s call (%s) with %s at %s, %d s", c.Call.Direction, disposition, c.caller(),
		c.Call.StartedAt.UTC().Format(time.RFC3339), c.Call.DurationSeconds)
	if c.Call.Outcome != "" {
		fmt.Fprintf(&b, ", %s", c.Call.Outcome)
	}
	b.WriteString(".")
	if s := strings.TrimSpace(c.Subject); s != "" {
		b.WriteString("\n" + s)
	}
	if s := strings.TrimSpace(c.Body); s != "" {
		b.WriteString("\n" + s)
	}
	if c.Call.RecordingURL != "" {
		b.WriteString("\nRecording: " + c.Call.RecordingURL)
	}
	return b.String()
}

// validOr is id when it is a UUID, else "".
func validOr(id string) string {
	if ids.Valid(id) {
		return id
	}
	return ""
}

// recentCase returns the contact's latest open phone case created since,
// "" when it has none (or the call has no contact).
func recentCase(ctx context.Context, tx *sqlx.Tx, contactID string, since time.Time) (string, error) {
	if !ids.Valid(contactID) {
		return "", nil
	}
	var id string
	err := tx.GetContext(ctx, &id, `SELECT id FROM cases WHERE contact_id = $1 AND channel = $2 AND status NOT IN ('solved', 'closed')
		AND merged_into IS NULL AND deleted_at IS NULL AND created_at >= $3 ORDER BY created_at DESC, id LIMIT 1`, contactID, Channel, since)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the contact's phone case: %w", pg.MapError(err))
	}
	return id, nil
}
