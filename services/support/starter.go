// Package support is the support service of Rapport (issue 18): the
// customer-service domain. Cases from every channel with their threads,
// the SLAs on business-hours calendars that time them, the knowledge base,
// and the email channel. Every read and write runs in a tenant transaction
// under row-level security; every change is published through the outbox
// to rapport.support.v1.
//
// The service is split by bounded context (README.md has the map), each
// package with its service, endpoints, transport and store. This package
// wires them (Starter) and holds the embedded contract.
package support

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/svcclient"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/chat"
	"github.com/rapport-crm/rapport/services/support/contracts"
	"github.com/rapport-crm/rapport/services/support/customers"
	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/internal/salesapi"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/kb"
	"github.com/rapport-crm/rapport/services/support/macros"
	"github.com/rapport-crm/rapport/services/support/migrations"
	"github.com/rapport-crm/rapport/services/support/phone"
	"github.com/rapport-crm/rapport/services/support/portal"
	"github.com/rapport-crm/rapport/services/support/queues"
	"github.com/rapport-crm/rapport/services/support/sla"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// Starter is the support service as libs/starter runs it: cmd/support
// starts it, and so do the tests.
func Starter() starter.Service {
	return starter.Service{Name: registry.Support, Migrations: []pg.Source{numbering.Migrations(), migrations.Source()}, Build: build}
}

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	spec, err := starter.OpenAPIJSON(ctx, openapiYAML)
	if err != nil {
		return starter.API{}, err
	}
	db := outbox.NewDB(env.DB, supportdb.Events, env.Topic)
	mail, err := email.NewChannel(db, email.CasesOf(cases.NewService(db, env.Cursors)), os.Getenv, env.Logger)
	if err != nil {
		return starter.API{}, err
	}
	// portal: its routes (/portal/v1, reached through the gateway's public
	// /portal/… only) join the others'
	site, err := portal.FromEnv(db, env.Cursors, os.Getenv, env.Logger)
	if err != nil {
		return starter.API{}, err
	}
	// chat: the replica's sockets (a server listening for new messages)
	// and the chat desk's routes, the portal's socket among them
	hub := chat.NewHub(env.Config.DatabaseURL, env.Logger)
	desk := chat.Routes(chat.NewService(db, cases.NewService(db, env.Cursors), hub, env.Logger), chat.Origins(os.Getenv))
	// surveys: CSAT after a solved case and NPS on a schedule, mailed
	// through the email channel's relay, answered through the portal
	polls, err := surveys.FromEnv(db, env.Cursors, os.Getenv, env.Logger)
	if err != nil {
		return starter.API{}, err
	}
	// cases: links to opportunities checked in sales
	opps, err := opportunities(env)
	if err != nil {
		return starter.API{}, err
	}
	return starter.API{Routes: slices.Concat(routes(db, env.Cursors, mail, opps), portal.Routes(site), polls.Routes(), desk), OpenAPI: spec, Consumers: append(consumers(db, env.Logger, mail), polls.Consumers()...),
		Jobs: append(jobs(db, env.Logger, mail), polls.Jobs()...), Servers: append(mail.Servers(), starter.Server{Name: "chat", Run: hub.Run})}, nil
}

// salesTimeout bounds one call to the gateway or to sales.
const salesTimeout = 10 * time.Second

// opportunities checks the opportunities cases link to in sales, with
// each request's caller's authority through the gateway's token exchange
// (GATEWAY_URL, SALES_URL); nil, with a warning, when either is missing:
// links are then checked for their shape only.
func opportunities(env starter.Env) (cases.Opportunities, error) {
	base := env.Config.ServiceURLs[registry.Sales]
	if env.Config.GatewayURL == "" || base == "" {
		env.Logger.Warn("no gateway or sales URL (GATEWAY_URL, SALES_URL): cases' links to opportunities are not checked in sales")
		return nil, nil
	}
	gw, err := svcclient.New(env.Config.GatewayURL, &http.Client{Timeout: salesTimeout})
	if err != nil {
		return nil, err
	}
	svc, err := gw.Service(registry.Sales, base)
	if err != nil {
		return nil, err
	}
	return salesapi.New(svc), nil
}

// consumers are the service's consumers of events.
func consumers(db *outbox.DB, logger *slog.Logger, mail *email.Channel) []starter.Consumer {
	return []starter.Consumer{
		// cases consumers
		{Group: cases.ContactsGroup, Contexts: contactevents.Contexts, Handler: contactevents.NewHandler(db, logger, cases.References{}).Handle},
		// customers consumers: contacts' addresses, which the channels' new
		// cases are matched to
		{Group: customers.ConsumerGroup, Contexts: customers.Contexts, Handler: customers.NewHandler(db, logger).Handle},
		// sla consumers
		{Group: sla.ConsumerGroup, Contexts: sla.Contexts, Handler: sla.NewHandler(db, logger).Handle},
		// queues consumers
		{Group: queues.ConsumerGroup, Contexts: queues.Contexts, Handler: queues.NewHandler(db).Handle},
		// kb consumers
		// contracts consumers
		{Group: contracts.ConsumerGroup, Contexts: contracts.Contexts, Handler: contracts.NewHandler(db, logger).Handle},
		// email consumers
		mail.Consumer(),
		// phone consumers (cases' lists unused: no cursors)
		{Group: phone.ConsumerGroup, Contexts: phone.Contexts, Handler: phone.NewHandler(cases.NewService(db, nil), logger).Handle},
	}
}

// jobs are the service's periodic jobs, on every instance.
func jobs(db *outbox.DB, logger *slog.Logger, mail *email.Channel) []starter.Job {
	return []starter.Job{
		// cases jobs
		{Name: "close solved cases", Every: cases.AutoCloseEvery, Run: cases.NewAutoClose(db, logger).Run},
		// sla jobs
		{Name: "SLA warnings and breaches", Every: sla.SweepEvery, Run: sla.NewSweeper(db, logger).Run},
		{Name: "SLA recomputations", Every: sla.RecomputeEvery, Run: sla.NewRecomputer(db, logger).Run},
		// queues jobs
		{Name: "assign waiting cases", Every: queues.RetryEvery, Run: queues.NewRetrier(db, logger).Run},
		// kb jobs
		// contracts jobs
		{Name: "contracts' reminders and expiry", Every: contracts.ExpiryEvery, Run: contracts.NewExpiry(db, logger).Run},
		// email jobs
		mail.ReplayJob(),
	}
}

// routes is the service's route table, every context's, each route with
// its permission; the contexts share db.
func routes(db *outbox.DB, cursors *kitx.Cursors, mail *email.Channel, opps cases.Opportunities) []starter.Route {
	return slices.Concat[[]starter.Route](
		// attachments routes
		attachments.Routes(attachments.NewService(db, attachments.NewDBStore(attachments.DefaultLimit))),
		// cases routes
		cases.NewService(db, cursors).WithOpportunities(opps).Routes(),
		// sla routes
		sla.Routes(sla.NewService(db)),
		// queues routes
		queues.Routes(queues.NewService(db)),
		// kb routes
		kb.Routes(kb.NewService(kb.NewStore(db), cursors)),
		// macros routes
		macros.Routes(macros.NewService(db, cases.NewService(db, cursors))),
		// contracts routes
		contracts.Routes(contracts.NewService(db, cases.NewService(db, cursors), sla.NewService(db), attachments.NewDBStore(attachments.DefaultLimit), cursors)),
		// email routes
		mail.Routes(),
	)
}
