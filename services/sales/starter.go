// Package sales is the sales service of Rapport (issue 15): the pipelines
// of each tenant with their ordered stages and its opportunities, its
// catalogue of products and price books, its quotes, its forecasts and its
// leads. Every read and write runs
// in a tenant transaction under row-level security; every change is
// published through the outbox to rapport.sales.v1.
//
// The service is split by bounded context (README.md has the map), each
// package with its service, endpoints, transport and store. This package
// wires them (Starter) and holds the embedded contract.
package sales

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/svcclient"

	"github.com/rapport-crm/rapport/services/sales/catalog"
	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/forecasts"
	"github.com/rapport-crm/rapport/services/sales/internal/contactsapi"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/leads"
	"github.com/rapport-crm/rapport/services/sales/marketingevents"
	"github.com/rapport-crm/rapport/services/sales/migrations"
	"github.com/rapport-crm/rapport/services/sales/quotes"
)

// Starter is the sales service as libs/starter runs it: cmd/sales starts
// it, and so do the tests. libs/numbering's table comes first: the sales
// migration 0020 moves the quote numbers into it.
func Starter() starter.Service {
	return starter.Service{Name: registry.Sales, Migrations: []pg.Source{numbering.Migrations(), migrations.Source(), importjob.Migrations()}, Build: build}
}

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	spec, err := starter.OpenAPIJSON(ctx, openapiYAML)
	if err != nil {
		return starter.API{}, err
	}
	db := outbox.NewDB(env.DB, pgstore.Events, env.Topic)
	gw, err := gateway(env)
	if err != nil {
		return starter.API{}, err
	}
	contacts, err := contactsClient(env, gw)
	if err != nil {
		return starter.API{}, err
	}
	var dir quotes.Directory // a nil *svcclient.Client would be a non-nil Directory
	if gw != nil {
		dir = gw
	}
	return starter.API{Routes: routes(db, env.Cursors, contacts, dir), OpenAPI: spec, Consumers: consumers(db, env.Logger),
		Jobs: jobs(db, env.Logger)}, nil
}

// gateway is the client of the gateway's internal routes (GATEWAY_URL):
// the token exchange that calls to contacts go through with each request's
// own token, and the team directory that quote approvals ask. Nil, with a
// warning, without it: a quote needing an approval cannot be submitted
// (503), leads are not converted.
func gateway(env starter.Env) (*svcclient.Client, error) {
	if env.Config.GatewayURL == "" {
		env.Logger.Warn("no gateway URL (GATEWAY_URL): quotes needing an approval cannot be submitted, leads are not converted")
		return nil, nil
	}
	return svcclient.New(env.Config.GatewayURL, &http.Client{Timeout: gatewayTimeout})
}

// gatewayTimeout bounds one call to the gateway or to contacts.
const gatewayTimeout = 10 * time.Second

// contactsClient is the client of the contacts service through gw
// (CONTACTS_URL); nil, with a warning, when either is missing: lead
// conversion then answers 503, and opportunities' references are checked
// for shape only.
func contactsClient(env starter.Env, gw *svcclient.Client) (*contactsapi.Client, error) {
	base := env.Config.ServiceURLs[registry.Contacts]
	if gw == nil || base == "" {
		env.Logger.Warn("no gateway or contacts URL (GATEWAY_URL, CONTACTS_URL): leads are not converted, opportunities' accounts and contacts not checked")
		return nil, nil
	}
	svc, err := gw.Service(registry.Contacts, base)
	if err != nil {
		return nil, err
	}
	return contactsapi.New(svc), nil
}

// consumers are the service's consumers of other contexts' events: the
// contacts' merges and erasures, applied to each context naming contacts'
// records (a contactevents.Referrer), and their activities, which touch
// leads' first-touch deadlines (leads.FirstTouch) and count for leads'
// scores (leads.Behaviours); marketing's form submissions and campaign
// responses, which make leads (marketingevents), and with its email opens
// count for leads' scores too, observed after them in one consumer.
func consumers(db *outbox.DB, logger *slog.Logger) []starter.Consumer {
	const contactsGroup = "sales-contacts"
	behaviours := leads.NewBehaviours(leads.NewStore(db), logger)
	return []starter.Consumer{{Group: contactsGroup, Contexts: contactevents.Contexts,
		Handler: contactevents.NewHandler(db, logger, deals.NewReferences(), leads.NewReferences()).WithActivities(leads.NewFirstTouch(db, logger), behaviours).Handle},
		{Group: leads.MarketingGroup, Contexts: leads.MarketingContexts,
			Handler: marketingevents.NewHandler(db, logger, behaviours.HandleMarketing).Handle}}
}

// jobs are the service's periodic jobs: the sweep of leads' first-touch
// deadlines passed (lead.sla_missed), the rescans of lead scores after
// their rules changed, on every instance.
func jobs(db *outbox.DB, logger *slog.Logger) []starter.Job {
	return []starter.Job{{Name: "lead first-touch deadlines", Every: leads.SweepFirstTouchEvery, Run: leads.NewFirstTouch(db, logger).Run},
		{Name: "lead score rescans", Every: leads.RescanEvery, Run: leads.NewRescans(db, logger).Run},
		{Name: "run lead imports", Every: importjob.RunEvery, Run: importjob.NewRunner(leadImports(db), leads.ImportDomain{}, logger).Run}}
}

// leadImports is the store of the CSV imports of leads on db
// (libs/importjob), each ended by import.completed; the runner of jobs
// runs them on every instance.
func leadImports(db *outbox.DB) *importjob.Store { return importjob.NewStore(db, pgstore.EntityImport) }

// routes is the service's route table, every context's, each route with
// its permission; the contexts share db, and call the contacts service
// with contacts (nil: none configured).
func routes(db *outbox.DB, cursors *kitx.Cursors, contacts *contactsapi.Client, dir quotes.Directory) []starter.Route {
	var records deals.Records // a nil *Client would be a non-nil Records
	var names quotes.Names    // and Names
	if contacts != nil {
		records, names = contacts, contacts
	}
	store, leadStore := deals.NewStore(db), leads.NewStore(db)
	opportunities := deals.NewOpportunityService(store, cursors, records)
	return slices.Concat(
		deals.Routes(deals.NewService(store)),
		deals.OpportunityRoutes(opportunities),
		deals.LineItemRoutes(opportunities),
		deals.FieldRoutes(deals.NewFieldService(store)),
		catalog.Routes(catalog.NewService(catalog.NewStore(db), cursors)),
		forecasts.Routes(forecasts.NewService(forecasts.NewStore(db))),
		quotes.Routes(quotes.NewService(quotes.NewStore(db), dir, names, cursors)),
		leads.Routes(leads.NewService(leadStore, cursors)),
		leads.ConvertRoutes(leads.NewConverter(leadStore, contacts, opportunities)),
		leads.AssignmentRoutes(leads.NewAssignmentService(leadStore)),
		leads.FieldRoutes(leads.NewFieldService(leadStore)),
		leads.ScoringRoutes(leads.NewScoringService(leadStore)),
		leads.SettingsRoutes(leads.NewSettingsService(leadStore)),
		importjob.Routes(importjob.NewService(leadImports(db), leads.ImportDomain{}, cursors, deals.PermAdmin),
			importjob.RouteConfig{Path: "/v1/lead-imports", Permission: deals.PermWrite, Operation: "LeadImport"}),
	)
}
