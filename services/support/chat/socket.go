package chat

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The types of frames: a client sends start (a visitor's first), message
// and end; the server sends session (the visitor's started session),
// message (each message of the session, the socket's own too, in order),
// error (a frame refused; the socket stays open) and ended (then it
// closes the socket).
const (
	FrameStart   = "start"
	FrameMessage = "message"
	FrameEnd     = "end"
	FrameSession = "session"
	FrameError   = "error"
	FrameEnded   = "ended"
)

// Frame is a text frame of the chat's protocol, JSON, either way.
type Frame struct {
	Type    string      `json:"type"`
	Name    string      `json:"name,omitempty"`
	Email   string      `json:"email,omitempty"`
	Text    string      `json:"text,omitempty"`
	Session *Session    `json:"session,omitempty"`
	Message *Message    `json:"message,omitempty"`
	Error   *FrameIssue `json:"error,omitempty"`
}

// FrameIssue is why a frame was refused: the error's slug, its message
// and the fields it names.
type FrameIssue struct {
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Fields []errs.FieldError `json:"fields,omitempty"`
}

// socket is an open WebSocket of a session, a visitor's or an agent's:
// it has sent the messages up to seq.
type socket struct {
	conn      *websocket.Conn
	tenant    string
	sessionID string
	author    Author
	seq       int64
	wake      chan struct{}
}

// newSocket returns the socket of author on conn, for the tenant's
// session.
func newSocket(conn *websocket.Conn, tenant, sessionID string, author Author) *socket {
	return &socket{conn: conn, tenant: tenant, sessionID: sessionID, author: author, wake: make(chan struct{}, 1)}
}

// poke makes the socket read its session's new messages.
func (s *socket) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// write sends f.
func write(ctx context.Context, conn *websocket.Conn, f Frame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return conn.Write(ctx, websocket.MessageText, b)
}

// readFrame reads the next frame; ok is false for a frame that is no JSON
// text frame (err nil: the socket may go on).
func readFrame(ctx context.Context, conn *websocket.Conn) (f Frame, ok bool, err error) {
	typ, b, err := conn.Read(ctx)
	if err != nil {
		return f, false, err
	}
	if typ != websocket.MessageText || json.Unmarshal(b, &f) != nil {
		return f, false, nil
	}
	return f, true, nil
}

// refuse sends the error frame of err; an error of ours is logged and
// sent as such.
func (svc *Service) refuse(ctx context.Context, s *socket, err error) error {
	e, ok := errs.As(err)
	if !ok || e.Kind == errs.Internal {
		svc.logger.ErrorContext(ctx, "chat: a frame failed", "tenant", s.tenant, "chat", s.sessionID, "error", err.Error())
		e = errs.New(errs.Internal, "internal", "something went wrong on our side; try again")
	}
	return write(ctx, s.conn, Frame{Type: FrameError, Error: &FrameIssue{Code: e.Slug, Detail: e.Message, Fields: e.Fields}})
}

// serve runs the socket s until it closes or its session ends: it sends
// the session's messages as they come (and those before, the first time)
// and takes its peer's frames; a peer that stops answering pings is
// closed. The socket is in the hub meanwhile.
func (svc *Service) serve(ctx context.Context, s *socket) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !svc.hub.add(s) {
		_ = s.conn.Close(websocket.StatusGoingAway, "the server is stopping")
		return
	}
	defer svc.hub.remove(s)
	go svc.read(ctx, cancel, s)
	s.poke()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = s.conn.CloseNow()
			return
		case <-ping.C:
			pctx, stop := context.WithTimeout(ctx, pingTimeout)
			err := s.conn.Ping(pctx)
			stop()
			if err != nil {
				_ = s.conn.CloseNow()
				return
			}
		case <-s.wake:
			ended, err := svc.flush(ctx, s)
			if err != nil {
				if ctx.Err() == nil {
					svc.logger.ErrorContext(ctx, "chat: a socket failed", "tenant", s.tenant, "chat", s.sessionID, "error", err.Error())
				}
				_ = s.conn.Close(websocket.StatusInternalError, "something went wrong on our side")
				return
			}
			if ended {
				_ = write(ctx, s.conn, Frame{Type: FrameEnded})
				_ = s.conn.Close(websocket.StatusNormalClosure, "the chat has ended")
				return
			}
		}
	}
}

// flush sends the session's messages after the socket's last; ended is
// whether the session has ended (its last message sent).
func (svc *Service) flush(ctx context.Context, s *socket) (ended bool, err error) {
	for {
		sess, list, err := svc.after(ctx, s.tenant, s.sessionID, s.seq)
		if err != nil {
			return false, err
		}
		for i := range list {
			if err := write(ctx, s.conn, Frame{Type: FrameMessage, Message: &list[i]}); err != nil {
				return false, err
			}
			s.seq = list[i].Seq
		}
		if len(list) < pageSize {
			return sess.Status == StatusEnded && s.seq >= sess.LastSeq, nil
		}
	}
}

// read takes the peer's frames until the socket fails or closes, then
// cancels the socket's context.
func (svc *Service) read(ctx context.Context, cancel context.CancelFunc, s *socket) {
	defer cancel()
	for {
		f, ok, err := readFrame(ctx, s.conn)
		if err != nil {
			return
		}
		switch {
		case !ok:
			err = ErrBadFrame.WithDetail("send JSON text frames of type %s or %s", FrameMessage, FrameEnd)
		case f.Type == FrameMessage:
			_, err = svc.Send(ctx, s.tenant, s.sessionID, s.author, f.Text)
		case f.Type == FrameEnd:
			who := s.author.ID
			if s.author.Type == AuthorVisitor {
				who = Actor
			}
			_, err = svc.End(ctx, s.tenant, s.sessionID, who)
		default:
			err = ErrBadFrame.WithDetail("send JSON text frames of type %s or %s", FrameMessage, FrameEnd)
		}
		if err != nil && svc.refuse(ctx, s, err) != nil {
			return
		}
	}
}

// startVisitor reads the visitor's start frames until one starts a
// session (each refused one answered with an error frame), within
// startTimeout; it sends the session frame.
func (svc *Service) startVisitor(ctx context.Context, conn *websocket.Conn, tenant string) (Session, error) {
	sctx, stop := context.WithTimeout(ctx, startTimeout)
	defer stop()
	for {
		f, ok, err := readFrame(sctx, conn)
		if err != nil {
			return Session{}, err
		}
		var sess Session
		if !ok || f.Type != FrameStart {
			err = ErrBadFrame.WithDetail("start with a frame of type %s: name and email", FrameStart)
		} else if sess, err = svc.Start(ctx, tenant, Visitor{Name: f.Name, Email: f.Email}); err == nil {
			return sess, write(ctx, conn, Frame{Type: FrameSession, Session: &sess})
		}
		if err := svc.refuse(ctx, &socket{conn: conn, tenant: tenant}, err); err != nil {
			return Session{}, err
		}
	}
}

// errClosed reports whether err is a socket's close by its peer.
func errClosed(err error) bool {
	return websocket.CloseStatus(err) != -1 || errors.Is(err, context.Canceled)
}
