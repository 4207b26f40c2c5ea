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
	db := outbox.NewDB(env.DB, marketingdb.Events, env.Topic)
	getenv := os.Getenv
	// tracking: the links' key (MARKETING_LINK_KEY) is checked once here
	if _, err := tracking.LinksFromEnv(getenv, env.Logger); err != nil {
		return starter.API{}, err
	}
	return starter.API{Routes: routes(db, env.Cursors, getenv), OpenAPI: spec,
		Consumers: consumers(db, env.Logger, getenv), Jobs: jobs(db, env.Logger, getenv),
		Servers: servers(db, env.Logger, getenv)}, nil
}

// servers are the service's listeners beside its HTTP server.
func servers(db *outbox.DB, logger *slog.Logger, getenv func(string) string) []starter.Server {
	return slices.Concat[[]starter.Server](
		// tracking servers
		tracking.MustFromEnv(db, nil, getenv, logger).Servers(getenv),
	)
}

// consumers are the service's consumers of events.
func consumers(db *outbox.DB, logger *slog.Logger, getenv func(string) string) []starter.Consumer {
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
func jobs(db *outbox.DB, logger *slog.Logger, getenv func(string) string) []starter.Job {
	return []starter.Job{
		// audience jobs
		{Name: "audience: time-relative segments", Every: audience.RelativeEvery, Run: audience.NewRelative(db, logger).Run},
		// campaigns jobs
		// templates jobs
		// messaging jobs
		messaging.NewSender(db, getenv, logger).Job(),
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
func routes(db *outbox.DB, cursors *kitx.Cursors, getenv func(string) string) []starter.Route {
	return slices.Concat[[]starter.Route](
		// audience routes
		audience.Routes(audience.NewService(db, cursors),
			audience.NewRebuilder(db, audience.NewProjection(db, slog.Default()), getenv, slog.Default())),
		// campaigns routes
		campaigns.Routes(campaigns.NewService(db, cursors)),
		// templates routes
		templates.Routes(templates.NewService(db, cursors)),
		// messaging routes
		messaging.Routes(messaging.NewService(db, cursors)),
		messaging.ABRoutes(messaging.NewService(db, cursors)),
		// tracking routes
		tracking.Routes(tracking.MustFromEnv(db, cursors, getenv, slog.Default())),
		// journeys routes
		journeys.Routes(journeys.NewService(db, cursors)),
		// forms routes
		forms.Routes(forms.NewService(db, cursors, forms.MustConfig(getenv), slog.Default())),
		// attribution routes
		attribution.Routes(attribution.NewService(db, cursors)),
	)
}
