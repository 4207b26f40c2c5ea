package chat

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// Send stores the message text of a in the tenant's session, appends it
// to the session's case, then announces it to every replica's sockets: a
// message answering one seen on a socket lands after it in the thread. A text
// that is empty or over MaxText characters is ErrTooLong; a side over
// PerMinute messages a minute ErrRateLimited; an ended session ErrEnded.
// A failed append is logged and done again when the session ends.
func (s *Service) Send(ctx context.Context, tenant, sessionID string, a Author, text string) (m Message, err error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxText || !utf8.ValidString(text) {
		return m, ErrTooLong.WithDetail("a message is 1 to %d characters of text", MaxText)
	}
	var sess Session
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if sess, err = getSession(ctx, tx, sessionID, true); err != nil {
			return err
		}
		if sess.Status == StatusEnded {
			return ErrEnded
		}
		now := pg.Timestamp(s.now())
		n, err := sentSince(ctx, tx, sessionID, a.Type, now.Add(-time.Minute))
		if err != nil {
			return err
		}
		if n >= PerMinute {
			return ErrRateLimited.WithDetail("at most %d messages a minute", PerMinute)
		}
		m = Message{ID: ids.New(), SessionID: sessionID, AuthorType: a.Type, AuthorID: a.ID, AuthorName: a.Name, Text: text, CreatedAt: now}
		return insertMessage(ctx, tx, &m)
	})
	if err != nil {
		return m, err
	}
	if err := s.appendMessage(ctx, tenant, sess, &m); err != nil {
		s.logger.WarnContext(ctx, "chat: a message is not in its case's thread yet; appended when the chat ends",
			"tenant", tenant, "chat", sessionID, "message", m.ID, "error", err.Error())
	}
	if err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return notify(ctx, tx, sessionID) }); err != nil {
		s.logger.WarnContext(ctx, "chat: a message is not announced; its sockets read it with the next one", "tenant", tenant,
			"chat", sessionID, "message", m.ID, "error", err.Error())
	}
	return m, nil
}

// messageID is the Message-ID of the thread's entry of the message id: a
// second append of it is the first's entry.
func messageID(id string) string { return "<chat-" + id + "@rapport.invalid>" }

// appendMessage appends m to the case of sess (a visitor's as the
// customer's public reply, an agent's as theirs) and records its entry. A
// concurrent append of m (its Message-ID taken meanwhile) is tried again,
// then finding the entry made.
func (s *Service) appendMessage(ctx context.Context, tenant string, sess Session, m *Message) error {
	e := cases.NewEntry{Kind: cases.KindReply, Public: true, AuthorType: cases.AuthorCustomer, AuthorEmail: sess.VisitorEmail,
		AuthorName: sess.VisitorName, BodyText: m.Text, Channel: Channel, MessageID: messageID(m.ID)}
	actor := Actor
	if m.AuthorType == AuthorAgent {
		e.AuthorType, e.AuthorID, e.AuthorEmail, e.AuthorName, actor = cases.AuthorAgent, m.AuthorID, "", m.AuthorName, m.AuthorID
	}
	entry, err := s.cases.Append(ctx, tenant, sess.CaseID, e, actor)
	if errs.KindOf(err) == errs.Conflict {
		// appended at the same time by another (Send and End's
		// appendMissing): once it committed, the append is its entry
		entry, err = s.cases.Append(ctx, tenant, sess.CaseID, e, actor)
	}
	if err != nil {
		return err
	}
	m.EntryID = &entry.ID
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return setEntry(ctx, tx, m.ID, entry.ID) })
}

// appendMissing appends the messages of sess not yet in its case's
// thread.
func (s *Service) appendMissing(ctx context.Context, tenant string, sess Session) error {
	var list []Message
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
		list, err = unappended(ctx, tx, sess.ID)
		return err
	})
	for i := range list {
		if err != nil {
			break
		}
		err = s.appendMessage(ctx, tenant, sess, &list[i])
	}
	return err
}

// after returns the session (its status) and up to pageSize of its
// messages after seq.
func (s *Service) after(ctx context.Context, tenant, sessionID string, seq int64) (sess Session, list []Message, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if sess, err = getSession(ctx, tx, sessionID, false); err != nil {
			return err
		}
		list, err = messagesAfter(ctx, tx, sessionID, seq, pageSize)
		return err
	})
	return sess, list, err
}
