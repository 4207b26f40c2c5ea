package surveys

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Service is the surveys' API: the tenant's settings and results for its
// users, the questions and answers for the portal's principal. Every
// method runs for the tenant of the caller's principal.
type Service struct {
	db      *outbox.DB
	links   Links
	cursors *kitx.Cursors
	logger  *slog.Logger
	now     func() time.Time
}

// NewService returns the surveys on db, checking links with cfg's key.
func NewService(db *outbox.DB, cfg Config, cursors *kitx.Cursors, logger *slog.Logger) *Service {
	return &Service{db: db, links: NewLinks(cfg.Key), cursors: cursors, logger: logger, now: time.Now}
}

// Settings returns the caller's tenant's settings.
func (s *Service) Settings(ctx context.Context) (out Settings, err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = settingsIn(ctx, tx)
		return err
	})
	return out, err
}

// SetSettings replaces the caller's tenant's settings with in; the
// surveys not sent yet of a kind turned off go.
func (s *Service) SetSettings(ctx context.Context, in Settings) (Settings, error) {
	if err := in.check(); err != nil {
		return in, err
	}
	err := s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		now := pg.Timestamp(s.now()).UTC()
		in.UpdatedAt, in.UpdatedBy = &now, p.UserID
		if err := saveSettings(ctx, tx, in); err != nil {
			return err
		}
		for kind, on := range map[string]bool{KindCSAT: in.CSATEnabled, KindNPS: in.NPSEnabled} {
			if !on {
				if err := dropPending(ctx, tx, kind); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return in, err
}
