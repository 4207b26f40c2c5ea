package tracking

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// Service is the API of tracking: the public links' opens, clicks,
// unsubscribes and preferences, the mail feedback, and the suppression
// list. Every write runs in a transaction of the caller's tenant (or, for
// the SMTP listener, of the tenant of the message a report names) and
// publishes its events through the outbox in it.
type Service struct {
	db      *outbox.DB
	links   Links
	cursors *kitx.Cursors
	logger  *slog.Logger
	now     func() time.Time
}

// NewService returns the Service on db, reading links signed as links
// makes them and paging lists with cursors.
func NewService(db *outbox.DB, links Links, cursors *kitx.Cursors, logger *slog.Logger) *Service {
	return &Service{db: db, links: links, cursors: cursors, logger: logger, now: time.Now}
}

// token reads the caller's token of kind: the caller's tenant (the
// gateway's /m/<tenant>/) must be the token's, or the link is not found.
func (s *Service) token(ctx context.Context, kind Kind, raw string) (Token, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Token{}, err
	}
	t, err := s.links.Parse(kind, p.TenantID, raw)
	if err != nil {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// Open records an open of the message of token (the pixel was fetched):
// every open is kept, a machine's flagged (botReason); the first person's
// publishes message.opened. A valid token whose message is gone records
// nothing and is no error: the pixel is served all the same.
func (s *Service) Open(ctx context.Context, token string, h Hit) error {
	t, err := s.token(ctx, KindOpen, token)
	if err != nil {
		return err
	}
	return s.hit(ctx, t, KindOpen, h)
}

// Click records a click of the link of token and returns its target (UTM
// already in it): the redirect's Location, which only a link signed with
// it can name. The first click of a person on a target publishes
// message.clicked with its url; a replayed link still redirects.
func (s *Service) Click(ctx context.Context, token string, h Hit) (string, error) {
	t, err := s.token(ctx, KindClick, token)
	if err != nil {
		return "", err
	}
	if !trackable(t.Target) {
		return "", ErrNotFound
	}
	return t.Target, s.hit(ctx, t, KindClick, h)
}

// hit records h on t's message as kind, publishing the event of the
// first a person makes. One taken for a machine's is logged.
func (s *Service) hit(ctx context.Context, t Token, kind Kind, h Hit) error {
	h.At = pg.Timestamp(s.now())
	return s.db.InTx(ctx, t.Ref.TenantID, func(tx *outbox.Tx) error {
		m, ok, err := getMessage(ctx, tx, t.Ref.MessageID)
		if err != nil || !ok {
			return err
		}
		var sent time.Time
		if m.SentAt != nil {
			sent = *m.SentAt
		}
		reason := botReason(h, kind, m.Channel, sent, m.Opened)
		row := eventRow{MessageID: m.ID, Kind: "open", Bot: reason != "", BotReason: reason, UserAgent: clip(h.UserAgent, 512),
			IP: clip(h.IP, 64), At: h.At}
		verb := marketingdb.VerbOpened
		if kind == KindClick {
			row.Kind, row.Target, verb = "click", t.Target, marketingdb.VerbClicked
		}
		first, err := recordEvent(ctx, tx, row)
		if err != nil || !first {
			if row.Bot {
				s.logger.InfoContext(ctx, "tracking hit taken for a machine's: counted, not published", "kind", row.Kind,
					"message", m.ID, "reason", reason)
			}
			return err
		}
		ev := eventOf(m, h.At)
		if kind == KindClick {
			ev.URL = t.Target
		}
		return tx.Emit(ctx, marketingdb.EntityMessage, verb, m.ID, ev, nil)
	})
}

// clip returns s cut to at most n bytes of valid UTF-8.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
