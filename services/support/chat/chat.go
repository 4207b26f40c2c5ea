// Package chat is the chat channel of support (issue 18, point 3): a
// portal visitor chats with an agent over WebSocket (github.com/coder/websocket).
//
// The visitor opens GET /portal/v1/chat (the gateway's portal principal,
// support:portal) and sends {"type":"start","name","email"} first: a
// session (waiting) and its case (channel chat, cases.Open) are made.
// Agents list the waiting and active sessions (GET /v1/chats), accept one
// (POST /v1/chats/{id}/accept: the session and its case are assigned to
// them), talk over GET /v1/chats/{id}/ws and end it (POST
// /v1/chats/{id}/end, or the visitor's {"type":"end"}; a visitor's socket
// that closes ends its chat too, as a visitor cannot come back to it).
//
// Every message is stored in chat_messages, numbered in its session, and
// appended at once to the case's thread (cases.Append: a visitor's as the
// customer's public reply, an agent's as the agent's public reply); a
// message whose append failed is appended again when the session ends
// (its Message-ID makes the append idempotent). Sockets are per replica
// and learn of new messages through PostgreSQL's LISTEN/NOTIFY (lib/pq's
// Listener on NotifyChannel, payload the session id, sent once the
// message is in the thread, and with the end): each socket then reads the
// messages after the last it sent, so a socket on any replica sees every
// message once and in order, and after the listener reconnects every
// socket reads again. There is no poll besides.
package chat

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Channel is the channel of the cases and entries chats make; Actor is who
// a chat acts as in cases for its visitor.
const (
	Channel = "chat"
	Actor   = "system:chat"
)

// The statuses of a session.
const (
	StatusWaiting = "waiting"
	StatusActive  = "active"
	StatusEnded   = "ended"
)

// The authors of a message.
const (
	AuthorVisitor = "visitor"
	AuthorAgent   = "agent"
	AuthorSystem  = "system"
)

// The limits of a chat.
const (
	// MaxText is the most characters of a message's text; a longer one is
	// refused with an error frame (ErrTooLong) and the socket stays open.
	MaxText = 4000
	// MaxFrame is the most bytes of a frame a socket reads; a larger one
	// closes the socket with 1009 (message too big).
	MaxFrame = 32 << 10
	// PerMinute is how many messages one side (visitor or agent) of a
	// session may send in a minute, counted in the database, so across
	// replicas and sockets (ErrRateLimited).
	PerMinute = 30
	// maxName is the most characters of a visitor's name.
	maxName = 200
	// startTimeout is how long a visitor's socket waits for its start.
	startTimeout = time.Minute
	// pingEvery is how often a socket pings its peer; a peer that does not
	// answer within pingTimeout is closed and its socket removed.
	pingEvery   = 30 * time.Second
	pingTimeout = 10 * time.Second
	// leftTimeout bounds ending the chat of a visitor who left.
	leftTimeout = 30 * time.Second
	// pageSize is the most messages a socket reads at once.
	pageSize = 200
)

// Subprotocol is the WebSocket subprotocol of the chat's frames (Frame):
// both sockets accept it, so a client that offers it (a browser always
// does, beside its "rapport.bearer.<token>" on the agents' socket, which
// the gateway takes and removes) gets it echoed; a client offering none
// is served the same.
const Subprotocol = "rapport.chat.v1"

// NotifyChannel is the PostgreSQL channel every message and end of a
// session is announced on (payload: the session's id).
const NotifyChannel = "support_chat"

// The errors of chats, declared once.
var (
	// ErrNotFound answers a session that does not exist in the tenant.
	ErrNotFound = errs.New(errs.NotFound, "chat-not-found", "no such chat")
	// ErrEnded answers a message to, or an accept of, an ended session.
	ErrEnded = errs.New(errs.Conflict, "chat-ended", "the chat has ended")
	// ErrTaken answers an accept of a session another agent accepted.
	ErrTaken = errs.New(errs.Conflict, "chat-taken", "another agent accepted the chat")
	// ErrNotYours answers an agent's socket on a session they did not
	// accept.
	ErrNotYours = errs.New(errs.Forbidden, "chat-not-yours", "accept the chat first")
	// ErrTooLong answers a message over MaxText characters.
	ErrTooLong = errs.New(errs.Invalid, "chat-message-too-long", "the message is too long")
	// ErrRateLimited answers a side of a session over PerMinute messages.
	ErrRateLimited = errs.New(errs.RateLimited, "chat-rate-limited", "too many messages; wait a moment")
	// ErrBadFrame answers a frame that is not one of the protocol's.
	ErrBadFrame = errs.New(errs.Invalid, "chat-bad-frame", "the frame could not be read")
)
