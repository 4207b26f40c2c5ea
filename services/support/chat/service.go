package chat

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Service is the chat channel: sessions, their messages and their cases.
// Its sockets (Hub) are the replica's.
type Service struct {
	db     *outbox.DB
	cases  *cases.Service
	hub    *Hub
	logger *slog.Logger
	now    func() time.Time
}

// NewService returns the chat channel on db, opening and writing cases
// through cs, its sockets woken by hub.
func NewService(db *outbox.DB, cs *cases.Service, hub *Hub, logger *slog.Logger) *Service {
	return &Service{db: db, cases: cs, hub: hub, logger: logger, now: time.Now}
}

// checkVisitor validates a visitor's start, naming each bad field.
func checkVisitor(v *Visitor) error {
	val := errs.NewValidator()
	v.Name, v.Email = strings.TrimSpace(v.Name), strings.TrimSpace(v.Email)
	val.Check(v.Name != "" && utf8.RuneCountInString(v.Name) <= maxName && !strings.ContainsAny(v.Name, "\r\n"), "name",
		fmt.Sprintf("must be 1 to %d characters on one line", maxName))
	a, err := mail.ParseAddress(v.Email)
	val.Check(err == nil && a.Address == v.Email && len(v.Email) <= 254, "email", "must be an email address")
	return val.Err()
}

// Start opens the tenant's session for the visitor v and its case (channel
// chat, waiting for an agent): chat_session.created.
func (s *Service) Start(ctx context.Context, tenant string, v Visitor) (Session, error) {
	if err := checkVisitor(&v); err != nil {
		return Session{}, err
	}
	kase, err := s.cases.Open(ctx, tenant, cases.NewCase{Case: cases.Case{Subject: "Chat with " + v.Name,
		Description: "A chat from the portal with " + v.Name + " <" + v.Email + ">.", Channel: Channel}, CustomerEmail: v.Email}, Actor)
	if err != nil {
		return Session{}, err
	}
	now := pg.Timestamp(s.now())
	out := Session{ID: ids.New(), CaseID: kase.ID, Status: StatusWaiting, VisitorName: v.Name, VisitorEmail: v.Email,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := insertSession(ctx, tx, out); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityChatSession, supportdb.VerbCreated, out.ID, out, nil)
	})
	return out, err
}

// List returns the caller's tenant's waiting and active sessions, oldest
// first.
func (s *Service) List(ctx context.Context) (out []Session, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = openSessions(ctx, tx)
		return err
	})
	return out, err
}

// Accept gives the session id to the calling agent, and its case
// (assignee, status open): chat_session.updated. Accepting one's own
// active session again changes nothing.
func (s *Service) Accept(ctx context.Context, id string) (out Session, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if out, err = getSession(ctx, tx, id, true); err != nil {
			return err
		}
		switch {
		case out.Status == StatusEnded:
			return ErrEnded
		case out.AgentID != nil && *out.AgentID == p.UserID:
			return nil
		case out.AgentID != nil:
			return ErrTaken
		}
		now := pg.Timestamp(s.now())
		out.Status, out.AgentID, out.AcceptedAt, out.UpdatedAt = StatusActive, &p.UserID, &now, now
		if err := saveSession(ctx, tx, &out); err != nil {
			return err
		}
		if _, err := cases.ChangeIn(ctx, tx, out.CaseID, func(c *cases.Case) error {
			c.AssigneeID = p.UserID
			if c.Status == "new" {
				c.Status = "open"
			}
			return nil
		}); err != nil {
			return err
		}
		if err := notify(ctx, tx, out.ID); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityChatSession, supportdb.VerbUpdated, out.ID, out, []string{"status", "agentId", "acceptedAt"})
	})
	return out, err
}

// AgentSession returns the session id for the calling agent's socket:
// theirs (ErrNotYours) and not ended (ErrEnded).
func (s *Service) AgentSession(ctx context.Context, id string) (out Session, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = getSession(ctx, tx, id, false)
		switch {
		case err != nil:
			return err
		case out.Status == StatusEnded:
			return ErrEnded
		case out.AgentID == nil || *out.AgentID != p.UserID:
			return ErrNotYours
		}
		return nil
	})
	return out, err
}

// End ends the tenant's session id, by who (a user id or Actor), with a
// system message; the messages whose append failed are appended again.
// Ending an ended session changes nothing.
func (s *Service) End(ctx context.Context, tenant, id, who string) (out Session, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if out, err = getSession(ctx, tx, id, true); err != nil || out.Status == StatusEnded {
			return err
		}
		now := pg.Timestamp(s.now())
		out.Status, out.EndedAt, out.UpdatedAt = StatusEnded, &now, now
		if err := saveSession(ctx, tx, &out); err != nil {
			return err
		}
		m := Message{ID: ids.New(), SessionID: id, AuthorType: AuthorSystem, AuthorID: who, Text: "The chat has ended.", CreatedAt: now}
		if err := insertMessage(ctx, tx, &m); err != nil {
			return err
		}
		if err := notify(ctx, tx, id); err != nil {
			return err
		}
		out.LastSeq = m.Seq
		return tx.Emit(ctx, supportdb.EntityChatSession, supportdb.VerbUpdated, out.ID, out, []string{"status", "endedAt"})
	})
	if err != nil {
		return out, err
	}
	return out, s.appendMissing(ctx, tenant, out)
}

// EndByAgent ends the session id for the calling agent (End).
func (s *Service) EndByAgent(ctx context.Context, id string) (Session, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Session{}, err
	}
	return s.End(ctx, p.TenantID, id, p.UserID)
}
