// Package marketing is the marketing service of Rapport (issue 19): the
// audience (a read model of contacts built from their events), segments
// and lists over it, campaigns, templates, consent-aware email and SMS
// sends with their tracking, bounces and unsubscribes, journeys, web forms
// that make leads, A/B tests and attribution. Every read and write runs in
// a tenant transaction under row-level security; every change is
// published through the outbox to rapport.marketing.v1.
//
// The service is split by bounded context (README.md has the map), each
// package with its service, endpoints, transport and store. This package
// wires them (Starter) and holds the embedded contract.
package marketing

import (
	"context"
	"log/slog"
	"os"
	"slices"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/attribution"
	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/campaigns"
	"github.com/rapport-crm/rapport/services/marketing/forms"
	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
	"github.com/rapport-crm/rapport/services/marketing/journeys"
	"github.com/rapport-crm/rapport/services/marketing/messaging"
	"github.com/rapport-crm/rapport/services/marketing/migrations"
	"github.com/rapport-crm/rapport/services/marketing/templates"
	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// Starter is the marketing service as libs/starter runs it: cmd/marketing
// starts it, and so do the tests.
func Starter() starter.Service {
	return starter.Service{Name: registry.Marketing, Migrations: []pg.Source{migrations.Source()}, Build: build}
}

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	spec, err := starter.OpenAPIJSON(ctx, openapiYAML)
	if err != nil {
		return starter.API{}, err
	}
	p, err := newParts(outbox.NewDB(env.DB, marketingdb.Events, env.Topic), env, os.Getenv)
	if err != nil {
		return starter.API{}, err
	}
	return starter.API{Routes: routes(p), OpenAPI: spec, Consumers: consumers(p), Jobs: jobs(p), Servers: servers(p)}, nil
}

// parts is what the contexts are wired on: the database, the cursors,
// the logger, the environment, and what of it build reads once (a bad
// value stops the start there, naming its variable).
type parts struct {
	db          *outbox.DB
	cursors     *kitx.Cursors
	logger      *slog.Logger
	getenv      func(string) string
	brokers     []string
	topicPrefix string
	// tracking: the service of the links (MARKETING_PUBLIC_URL,
	// MARKETING_LINK_KEY) and of the feedback that comes back
	tracking *tracking.Service
	// messaging: the sender's relay, SMS provider and From
	sending messaging.Config
	// forms: the confirmation mails' relay and links
	forms forms.Config
}

// newParts reads the environment's configuration of the contexts.
func newParts(db *outbox.DB, env starter.Env, getenv func(string) string) (parts, error) {
	p := parts{db: db, cursors: env.Cursors, logger: env.Logger, getenv: getenv, brokers: env.Config.Brokers, topicPrefix: env.Config.TopicPrefix}
	links, err := tracking.LinksFromEnv(getenv, env.Logger)
	if err != nil {
		return p, err
	}
	p.tracking = tracking.NewService(db, links, env.Cursors, env.Logger)
	if p.sending, err = messaging.ConfigFromEnv(links, getenv, env.Logger); err != nil {
		return p, err
	}
	p.forms = forms.NewConfig(links, p.sending)
	return p, nil
}

// servers are the service's listeners beside its HTTP server.
func servers(p parts) []starter.Server {
	return slices.Concat[[]starter.Server](
		// tracking servers
		p.tracking.Servers(p.getenv),
	)
}

// consumers are the service's consumers of events.
func consumers(p parts) []starter.Consumer {
	db, logger := p.db, p.logger
	return []starter.Consumer{
		// audience consumers
		{Group: audience.ProjectionGroup, Contexts: audience.ProjectionContexts, Handler: audience.NewProjection(db, logger).Handle},
		{Group: audience.FactsGroup, Contexts: audience.FactsContexts, Handler: audience.NewFacts(db, logger).Handle},
		// campaigns consumers
		campaigns.NewHandler(db, logger).Consumer(),
		// templates consumers
		// messaging consumers
		// tracking consumers
		// journeys consumers
		journeys.NewHandler(db, logger).Consumer(),
		// forms consumers
		// attribution consumers
		{Group: attribution.TouchesGroup, Contexts: attribution.TouchesContexts, Handler: attribution.NewHandler(db, logger).HandleTouch},
		{Group: attribution.SalesGroup, Contexts: attribution.SalesContexts, Handler: attribution.NewHandler(db, logger).HandleSales},
		{Group: attribution.ContactsGroup, Contexts: contactevents.Contexts,
			Handler: contactevents.NewHandler(db, logger, attribution.References{}).Handle},
	}
}

// jobs are the service's periodic jobs, on every instance.
func jobs(p parts) []starter.Job {
	db, logger, getenv := p.db, p.logger, p.getenv
	return []starter.Job{
		// audience jobs
		{Name: "audience: time-relative segments", Every: audience.RelativeEvery, Run: audience.NewRelative(db, logger).Run},
		// campaigns jobs
		// templates jobs
		// messaging jobs
		messaging.NewSender(db, p.sending, logger).Job(),
		messaging.NewABJudge(db, logger).Job(),
		// tracking jobs
		// journeys jobs
		journeys.NewRunner(db, getenv, logger).Job(),
		// forms jobs
		// attribution jobs
	}
}

// routes is the service's route table, every context's, each route with
// its permission; the contexts share db.
func routes(p parts) []starter.Route {
	db, cursors, logger := p.db, p.cursors, p.logger
	return slices.Concat[[]starter.Route](
		// audience routes
		audience.Routes(audience.NewService(db, cursors),
			audience.NewRebuilder(db, audience.NewProjection(db, logger), p.brokers, p.topicPrefix, logger)),
		// campaigns routes
		campaigns.Routes(campaigns.NewService(db, cursors)),
		// templates routes
		templates.Routes(templates.NewService(db, cursors)),
		// messaging routes
		messaging.Routes(messaging.NewService(db, cursors)),
		messaging.ABRoutes(messaging.NewService(db, cursors)),
		// tracking routes
		tracking.Routes(p.tracking),
		// journeys routes
		journeys.Routes(journeys.NewService(db, cursors)),
		// forms routes
		forms.Routes(forms.NewService(db, cursors, p.forms, logger)),
		// attribution routes
		attribution.Routes(attribution.NewService(db, cursors)),
	)
}
