package surveys

import (
	"log/slog"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/email"
)

// Parts are the surveys as the service runs them: the API, the consumer
// adding CSAT surveys, and the jobs sending surveys and scheduling NPS,
// sharing one key of links.
type Parts struct {
	Service *Service
	Handler *Handler
	Sender  *Sender
	NPS     *NPS
	db      *outbox.DB
	logger  *slog.Logger
}

// FromEnv returns the Parts on db as the service runs them: the surveys'
// configuration (ParseConfig) and the email channel's (email.ParseConfig:
// the relay and sender of the mails) read through getenv.
func FromEnv(db *outbox.DB, cursors *kitx.Cursors, getenv func(string) string, logger *slog.Logger) (Parts, error) {
	cfg, err := ParseConfig(getenv)
	if err != nil {
		return Parts{}, err
	}
	mailCfg, err := email.ParseConfig(getenv)
	if err != nil {
		return Parts{}, err
	}
	return Parts{Service: NewService(db, cfg, cursors, logger), Handler: NewHandler(db, logger), Sender: NewSender(db, cfg, mailCfg, logger),
		NPS: NewNPS(db, logger), db: db, logger: logger}, nil
}

// Routes are the surveys' routes (Routes).
func (p Parts) Routes() []starter.Route { return Routes(p.Service) }

// Consumers are the surveys' consumers: of the service's own topic,
// adding CSAT surveys; of contacts', following merges and erasures
// (References).
func (p Parts) Consumers() []starter.Consumer {
	return []starter.Consumer{{Group: ConsumerGroup, Contexts: Contexts, Handler: p.Handler.Handle},
		{Group: ContactsGroup, Contexts: contactevents.Contexts, Handler: contactevents.NewHandler(p.db, p.logger, References{}).Handle}}
}

// Jobs are the surveys' jobs: sending the surveys due, scheduling NPS.
func (p Parts) Jobs() []starter.Job {
	return []starter.Job{{Name: "send surveys", Every: SendEvery, Run: p.Sender.Run}, {Name: "schedule NPS surveys", Every: NPSEvery, Run: p.NPS.Run}}
}
