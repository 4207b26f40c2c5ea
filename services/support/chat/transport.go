package chat

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/coder/websocket"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/portal"
)

// upgrade is a socket's request once its route allowed it: the request to
// upgrade, and the agent's session (nil for a visitor's socket).
type upgrade struct {
	r       *http.Request
	session *Session
}

// Origins reads SUPPORT_CHAT_ORIGINS through getenv: the host patterns
// (path.Match, comma-separated, such as "crm.example.com,*.example.com")
// whose pages may open a socket besides the request's own host. A request
// without an Origin header (no browser) is taken.
func Origins(getenv func(string) string) []string {
	var out []string
	for _, p := range strings.Split(getenv("SUPPORT_CHAT_ORIGINS"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Routes returns the chat's routes on s, sockets accepted for origins
// (Origins) with the subprotocol Subprotocol: the visitor's socket (support:portal, through the gateway's
// portal), and the agents' list (support:read), accept, socket and end
// (support:write). api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s *Service, origins []string) []starter.Route {
	opts := &websocket.AcceptOptions{OriginPatterns: origins, Subprotocols: []string{Subprotocol}}
	return resource.Routes(
		starter.Route{Name: "startPortalChat", Method: "GET", Path: "/portal/v1/chat", Permission: portal.PermPortal,
			Decode:   func(_ context.Context, r *http.Request) (any, error) { return upgrade{r: r}, nil },
			Endpoint: func(_ context.Context, r any) (any, error) { return r, nil },
			Encode: func(ctx context.Context, w http.ResponseWriter, r any) error {
				return s.visitorSocket(ctx, w, r.(upgrade).r, opts)
			}},
		starter.Route{Name: "listChats", Method: "GET", Path: "/v1/chats", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.List(ctx)
				return resource.OK(resource.List[Session]{Items: list}, 0, err)
			}},
		starter.Route{Name: "acceptChat", Method: "POST", Path: "/v1/chats/{id}/accept", Permission: supportdb.PermWrite,
			Decode: decodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				sess, err := s.Accept(ctx, r.(resource.IDRequest).ID)
				return resource.OK(sess, sess.Version, err)
			}},
		starter.Route{Name: "chatSocket", Method: "GET", Path: "/v1/chats/{id}/ws", Permission: supportdb.PermWrite,
			Decode: func(ctx context.Context, r *http.Request) (any, error) {
				req, err := decodeID(ctx, r)
				if err != nil {
					return nil, err
				}
				return upgrade{r: r, session: &Session{ID: req.(resource.IDRequest).ID}}, nil
			},
			Endpoint: func(ctx context.Context, r any) (any, error) {
				up := r.(upgrade)
				sess, err := s.AgentSession(ctx, up.session.ID)
				up.session = &sess
				return up, err
			},
			Encode: func(ctx context.Context, w http.ResponseWriter, r any) error {
				up := r.(upgrade)
				return s.agentSocket(ctx, w, up.r, *up.session, opts)
			}},
		starter.Route{Name: "endChat", Method: "POST", Path: "/v1/chats/{id}/end", Permission: supportdb.PermWrite,
			Decode: decodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				sess, err := s.EndByAgent(ctx, r.(resource.IDRequest).ID)
				return resource.OK(sess, sess.Version, err)
			}},
	)
}

// decodeID reads a chat's {id} (resource.DecodeID), naming it when it is
// no UUID.
func decodeID(ctx context.Context, r *http.Request) (any, error) {
	req, err := resource.DecodeID(ctx, r)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(ids.Valid(req.(resource.IDRequest).ID), "id", "must be a chat's id (a UUID)")
	return req, v.Err()
}

// visitorSocket upgrades r to the visitor's socket, starts their session
// (startVisitor) and serves it.
func (s *Service) visitorSocket(ctx context.Context, w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if !upgradeRequested(r) {
		return ErrNotWebSocket
	}
	conn, err := websocket.Accept(w, r, forwardedOrigin(opts, r))
	if err != nil {
		return nil // Accept answered the request
	}
	conn.SetReadLimit(MaxFrame)
	sess, err := s.startVisitor(ctx, conn, p.TenantID)
	if err != nil {
		if !errClosed(err) {
			_ = conn.Close(websocket.StatusPolicyViolation, "start the chat with your name and email")
		}
		_ = conn.CloseNow()
		return nil
	}
	s.serve(ctx, newSocket(conn, p.TenantID, sess.ID, Author{Type: AuthorVisitor, Name: sess.VisitorName, Email: sess.VisitorEmail}))
	if !s.hub.stopping() {
		s.left(context.WithoutCancel(ctx), p.TenantID, sess.ID)
	}
	return nil
}

// left ends the tenant's session id whose visitor's socket closed: a
// visitor cannot come back to a chat (a new socket starts another), so
// it would wait for nobody. A replica that stops leaves its chats to the
// agents.
func (s *Service) left(ctx context.Context, tenant, id string) {
	ctx, stop := context.WithTimeout(ctx, leftTimeout)
	defer stop()
	if _, err := s.End(ctx, tenant, id, Actor); err != nil {
		s.logger.WarnContext(ctx, "chat: the chat its visitor left is not ended", "tenant", tenant, "chat", id, "error", err.Error())
	}
}

// agentSocket upgrades r to the calling agent's socket on sess and serves
// it.
func (s *Service) agentSocket(ctx context.Context, w http.ResponseWriter, r *http.Request, sess Session,
	opts *websocket.AcceptOptions) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	if !upgradeRequested(r) {
		return ErrNotWebSocket
	}
	conn, err := websocket.Accept(w, r, forwardedOrigin(opts, r))
	if err != nil {
		return nil // Accept answered the request
	}
	conn.SetReadLimit(MaxFrame)
	s.serve(ctx, newSocket(conn, p.TenantID, sess.ID, Author{Type: AuthorAgent, ID: p.UserID}))
	return nil
}

// forwardedOrigin returns opts taking, besides their origins, pages of the
// host the gateway took r on (X-Forwarded-Host, which the gateway's proxy
// sets, overwriting a client's): behind the gateway r's Host is the
// service's own address, so a page of the console or the portal would not
// be of the request's own host. A host holding a pattern's special
// characters is not taken.
func forwardedOrigin(opts *websocket.AcceptOptions, r *http.Request) *websocket.AcceptOptions {
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" || strings.ContainsAny(host, "*?[\\/") {
		return opts
	}
	out := *opts
	out.OriginPatterns = append(slices.Clip(opts.OriginPatterns), host)
	return &out
}

// ErrNotWebSocket is a request to a socket's route that asks for no
// WebSocket upgrade: a problem (426), where the library would answer in
// plain text.
var ErrNotWebSocket = errs.New(errs.UpgradeRequired, "websocket-upgrade-required", "this route is a WebSocket: open it with an upgrade request")

// upgradeRequested reports whether r asks to switch to the WebSocket
// protocol (Connection: upgrade, Upgrade: websocket).
func upgradeRequested(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

// headerHas reports whether the comma-separated values of header name hold
// token, in any case.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
