// Package contacts is the customer-data service of Rapport: accounts
// (companies), contacts (people), the per-tenant tag catalogue, custom field
// definitions, saved views and tenant settings. Every read and write runs in
// a tenant transaction under row-level security and respects the caller's
// record scope for the "contacts" module; every change is published through
// the outbox.
//
// The service is split by bounded context (README.md has the map): records,
// duplicates, search and catalog, each with its service, endpoints,
// transport and store, on the domain package customer. This package wires
// them (Starter) and holds what spans them: the embedded contract and
// migrations, and the error encoder of the domain's redirects and conflicts.
package contacts

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/duplicates"
	"github.com/rapport-crm/rapport/services/contacts/imports"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/migrations"
	"github.com/rapport-crm/rapport/services/contacts/privacy"
	"github.com/rapport-crm/rapport/services/contacts/records"
	"github.com/rapport-crm/rapport/services/contacts/search"
	"github.com/rapport-crm/rapport/services/contacts/telephony"
	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// Starter is the contacts service as libs/starter runs it: cmd/contacts
// starts it, and so do the tests.
func Starter() starter.Service {
	return starter.Service{Name: registry.Contacts, Migrations: []pg.Source{migrations.Source(), importjob.Migrations()}, Build: build}
}

// stripDeletedTagsEvery is how often the service strips deleted tags' ids
// from the records (Store.StripDeletedTags).
const stripDeletedTagsEvery = 2 * time.Second

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	spec, err := starter.OpenAPIJSON(ctx, openapiYAML)
	if err != nil {
		return starter.API{}, err
	}
	db := pgstore.New(env.DB, env.Topic)
	return starter.API{
		Routes:       routes(db, env.Cursors),
		ErrorEncoder: encodeError(env.Logger),
		OpenAPI:      spec,
		Jobs: []starter.Job{
			{Name: "strip deleted tags", Every: stripDeletedTagsEvery, Run: stripDeletedTags(catalog.NewStore(db), env.Logger)},
			{Name: "fire reminders", Every: activities.FireRemindersEvery, Run: activities.NewReminders(db, env.Logger).Run},
			{Name: "run imports", Every: importjob.RunEvery, Run: importjob.NewRunner(importStore(db), imports.NewDomain(db), env.Logger).Run},
		},
		Consumers: []starter.Consumer{
			{Group: timeline.ConsumerGroup, Contexts: timeline.Contexts,
				Handler: timeline.NewRecorder(db, env.Logger, env.Metrics.Registry()).Handle},
			// marketing's unsubscribes: the contact's consent on the channel denied
			{Group: records.UnsubscribesGroup, Contexts: records.UnsubscribesContexts, Handler: records.NewUnsubscribes(db, env.Logger).Handle},
			// marketing's journeys' update steps: the contact's tags or a field changed
			{Group: records.JourneyUpdatesGroup, Contexts: records.JourneyUpdatesContexts, Handler: records.NewJourneyUpdates(db, env.Logger).Handle},
		},
	}, nil
}

// stripDeletedTags runs store.StripDeletedTags, which removes deleted tags'
// ids from the records; a failure is retried at the next turn.
func stripDeletedTags(store *catalog.Store, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := store.StripDeletedTags(ctx)
		if n > 0 {
			logger.InfoContext(ctx, "stripped deleted tags", "records", n)
		}
		return err
	}
}

// importStore is the store of the contacts' imports on db, ending each
// with import.completed.
func importStore(db *pgstore.DB) *importjob.Store {
	return importjob.NewStore(db.DB, customer.EventImport)
}

// routes is the service's route table, every context's, each route with
// its permission; the contexts share db.
func routes(db *pgstore.DB, cursors *kitx.Cursors) []starter.Route {
	return slices.Concat(
		records.Routes(records.NewService(db, cursors, duplicates.Checker{})),
		duplicates.Routes(duplicates.NewService(db, cursors)),
		search.Routes(search.NewService(db, cursors)),
		catalog.Routes(catalog.NewService(catalog.NewStore(db))),
		activities.Routes(activities.NewService(db, cursors)),
		telephony.Routes(telephony.NewService(db, activities.NewService(db, cursors))),
		importjob.Routes(importjob.NewService(importStore(db), imports.NewDomain(db), cursors, customer.PermAdmin),
			importjob.RouteConfig{Path: "/v1/imports", Permission: customer.PermWrite, Operation: "Import"}),
		timeline.Routes(timeline.NewService(db, cursors)),
		privacy.Routes(privacy.NewService(db)),
	)
}
