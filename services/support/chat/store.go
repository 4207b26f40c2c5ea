package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// The columns of a session and of a message.
const (
	sessionColumns = `id, case_id, status, visitor_name, visitor_email, agent_id, last_seq, created_at, accepted_at, ended_at,
		updated_at, version`
	messageColumns = `id, session_id, seq, author_type, author_id, author_name, body, entry_id, created_at`
	// maxListed is the most open sessions a list answers, oldest first.
	maxListed = 500
)

// insertSession stores the new session s.
func insertSession(ctx context.Context, tx *outbox.Tx, s Session) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO chat_sessions (tenant_id, id, case_id, status, visitor_name, visitor_email,
		created_at, updated_at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $6)`,
		s.ID, s.CaseID, s.Status, s.VisitorName, s.VisitorEmail, s.CreatedAt); err != nil {
		return fmt.Errorf("save chat: %w", pg.MapError(err))
	}
	return nil
}

// getSession reads the session id, locking it when lock is set
// (ErrNotFound).
func getSession(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Session, error) {
	var s Session
	q := "SELECT " + sessionColumns + " FROM chat_sessions WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	err := tx.SQL().GetContext(ctx, &s, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("read chat: %w", pg.MapError(err))
	}
	return s, nil
}

// saveSession writes the status, agent and times of s, a new version.
func saveSession(ctx context.Context, tx *outbox.Tx, s *Session) error {
	s.Version++
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE chat_sessions SET status = $2, agent_id = $3, accepted_at = $4, ended_at = $5,
		updated_at = $6, version = $7 WHERE id = $1`, s.ID, s.Status, s.AgentID, s.AcceptedAt, s.EndedAt, s.UpdatedAt, s.Version); err != nil {
		return fmt.Errorf("save chat: %w", pg.MapError(err))
	}
	return nil
}

// openSessions reads the waiting and active sessions, oldest first.
func openSessions(ctx context.Context, tx *outbox.Tx) ([]Session, error) {
	out := []Session{}
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+sessionColumns+` FROM chat_sessions WHERE status <> 'ended'
		ORDER BY created_at, id LIMIT $1`, maxListed); err != nil {
		return nil, fmt.Errorf("list chats: %w", pg.MapError(err))
	}
	return out, nil
}

// insertMessage numbers m in its session (locked by the caller) and
// stores it.
func insertMessage(ctx context.Context, tx *outbox.Tx, m *Message) error {
	if err := tx.SQL().GetContext(ctx, &m.Seq, `UPDATE chat_sessions SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq`,
		m.SessionID); err != nil {
		return fmt.Errorf("number chat message: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO chat_messages (tenant_id, session_id, seq, id, author_type, author_id,
		author_name, body, created_at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8)`,
		m.SessionID, m.Seq, m.ID, m.AuthorType, m.AuthorID, m.AuthorName, m.Text, m.CreatedAt); err != nil {
		return fmt.Errorf("save chat message: %w", pg.MapError(err))
	}
	return nil
}

// notify announces a change of the session id on NotifyChannel at commit.
func notify(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "SELECT pg_notify($1, $2)", NotifyChannel, id); err != nil {
		return fmt.Errorf("announce chat message: %w", pg.MapError(err))
	}
	return nil
}

// sentSince counts the messages of authorType in the session since.
func sentSince(ctx context.Context, tx *outbox.Tx, sessionID, authorType string, since time.Time) (int, error) {
	var n int
	if err := tx.SQL().GetContext(ctx, &n, `SELECT count(*) FROM chat_messages WHERE session_id = $1 AND author_type = $2
		AND created_at > $3`, sessionID, authorType, since); err != nil {
		return 0, fmt.Errorf("count chat messages: %w", pg.MapError(err))
	}
	return n, nil
}

// messagesAfter reads up to limit messages of the session after seq, in
// order.
func messagesAfter(ctx context.Context, tx *outbox.Tx, sessionID string, seq int64, limit int) ([]Message, error) {
	out := []Message{}
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+messageColumns+` FROM chat_messages WHERE session_id = $1 AND seq > $2
		ORDER BY seq LIMIT $3`, sessionID, seq, limit); err != nil {
		return nil, fmt.Errorf("read chat messages: %w", pg.MapError(err))
	}
	return out, nil
}

// unappended reads the messages of the session (not the system's) not yet
// in its case's thread, in order.
func unappended(ctx context.Context, tx *outbox.Tx, sessionID string) ([]Message, error) {
	out := []Message{}
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+messageColumns+` FROM chat_messages WHERE session_id = $1
		AND entry_id IS NULL AND author_type <> 'system' ORDER BY seq`, sessionID); err != nil {
		return nil, fmt.Errorf("read chat messages: %w", pg.MapError(err))
	}
	return out, nil
}

// setEntry records that the message id became the thread's entry entryID.
func setEntry(ctx context.Context, tx *outbox.Tx, id, entryID string) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE chat_messages SET entry_id = $2 WHERE id = $1", id, entryID); err != nil {
		return fmt.Errorf("save chat message's entry: %w", pg.MapError(err))
	}
	return nil
}
