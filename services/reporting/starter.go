// Package reporting is the reporting service of Rapport (issue 20): it
// owns no source data, only read models built from the topics of
// contacts, sales, marketing and support into its own database, so every
// figure can be rebuilt from the events. On them it answers reports
// (funnel, pipeline, lead sources and campaign ROI, lifecycle, customer
// value, service, activity, forecast vs actual) as JSON, CSV or XLSX,
// predictions (win probability, churn risk, case demand) trained per
// tenant, and dashboards that can be delivered by email.
//
// The service is split by bounded context (README.md has the map), each
// package with its service, endpoints, transport and store. This package
// wires them (Starter) and holds the embedded contract.
package reporting

import (
	"context"
	"log/slog"
	"os"
	"slices"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/dashboards"
	"github.com/rapport-crm/rapport/services/reporting/ingest"
	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
	"github.com/rapport-crm/rapport/services/reporting/migrations"
	"github.com/rapport-crm/rapport/services/reporting/predictions"
	"github.com/rapport-crm/rapport/services/reporting/reports"
)

// Starter is the reporting service as libs/starter runs it: cmd/reporting
// starts it, and so do the tests.
func Starter() starter.Service {
	return starter.Service{Name: registry.Reporting, Migrations: []pg.Source{migrations.Source()}, Build: build}
}

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	spec, err := starter.OpenAPIJSON(ctx, openapiYAML)
	if err != nil {
		return starter.API{}, err
	}
	p, err := newParts(outbox.NewDB(env.DB, rm.Events, env.Topic), env, os.Getenv)
	if err != nil {
		return starter.API{}, err
	}
	return starter.API{Routes: routes(p), OpenAPI: spec, Consumers: consumers(p), Jobs: jobs(p)}, nil
}

// parts is what the contexts are wired on: the database, the cursors,
// the logger, the environment, the brokers and what of it build reads
// once (a bad value stops the start there, naming its variable).
type parts struct {
	db          *outbox.DB
	cursors     *kitx.Cursors
	logger      *slog.Logger
	getenv      func(string) string
	brokers     []string
	topicPrefix string
	applier     *ingest.Applier
	rebuilder   *ingest.Rebuilder    // the rebuilds' job and routes share it
	trainer     *predictions.Trainer // the hourly job and the retrain route share it
	delivery    dashboards.Config    // REPORTING_SMTP_URL, REPORTING_MAIL_FROM
}

// newParts reads the environment's configuration of the contexts.
func newParts(db *outbox.DB, env starter.Env, getenv func(string) string) (parts, error) {
	p := parts{db: db, cursors: env.Cursors, logger: env.Logger, getenv: getenv, brokers: env.Config.Brokers,
		topicPrefix: env.Config.TopicPrefix, applier: ingest.NewApplier(env.Logger)}
	p.rebuilder = ingest.NewRebuilder(db, p.applier, p.brokers, p.topicPrefix, env.Logger)
	if _, err := predictions.TrainEvery(getenv); err != nil {
		return parts{}, err
	}
	p.trainer = predictions.NewTrainer(db, getenv, env.Logger)
	delivery, err := dashboards.FromEnv(getenv)
	if err != nil {
		return parts{}, err
	}
	p.delivery = delivery
	return p, nil
}

// consumers are the service's consumers of events: the live consumers of
// every source topic.
func consumers(p parts) []starter.Consumer {
	return slices.Concat(
		// ingest consumers
		p.applier.Consumers(),
	)
}

// jobs are the service's periodic jobs, on every instance.
func jobs(p parts) []starter.Job {
	return slices.Concat[[]starter.Job](
		// ingest jobs
		p.rebuilder.Jobs(),
		// predictions jobs
		[]starter.Job{p.trainer.Job()},
		// dashboards jobs
		[]starter.Job{dashboards.NewDeliverer(p.db, p.delivery, p.logger).Job()},
	)
}

// routes is the service's route table, every context's, each route with
// its permission; the contexts share db.
func routes(p parts) []starter.Route {
	return slices.Concat[[]starter.Route](
		// ingest routes
		ingest.Routes(p.rebuilder, ingest.NewFreshnessService(p.db.Pool(), p.brokers, p.topicPrefix, p.logger)),
		// reports routes
		reports.Routes(reports.NewService(p.db)),
		// predictions routes
		predictions.Routes(predictions.NewService(p.db, p.cursors, p.trainer)),
		// dashboards routes
		dashboards.Routes(dashboards.MakeEndpoints(dashboards.NewService(p.db, p.cursors))),
		dashboards.ScheduleRoutes(dashboards.MakeScheduleEndpoints(dashboards.NewSchedules(p.db, p.cursors))),
	)
}
