package contacts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/migrations"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Starter is the contacts service as libs/starter runs it: cmd/contacts
// starts it, and so do the tests.
func Starter() starter.Service {
	return starter.Service{Name: registry.Contacts, Migrations: []pg.Source{migrations.Source()}, Build: build}
}

// stripDeletedTagsEvery is how often the service strips deleted tags' ids
// from the records (Store.StripDeletedTags).
const stripDeletedTagsEvery = 2 * time.Second

// build wires the service on what the starter opened.
func build(ctx context.Context, env starter.Env) (starter.API, error) {
	doc, err := OpenAPI(ctx)
	if err != nil {
		return starter.API{}, err
	}
	spec, err := doc.MarshalJSON()
	if err != nil {
		return starter.API{}, fmt.Errorf("encode openapi.json: %w", err)
	}
	store := NewStore(env.DB)
	return starter.API{
		Routes:       Routes(NewService(store, env.Cursors, env.Topic)),
		ErrorEncoder: encodeError(env.Logger),
		OpenAPI:      spec,
		Jobs:         []starter.Job{{Name: "strip deleted tags", Every: stripDeletedTagsEvery, Run: stripDeletedTags(store, env.Logger)}},
	}, nil
}

// stripDeletedTags runs store.StripDeletedTags, which removes deleted tags'
// ids from the records; a failure is retried at the next turn.
func stripDeletedTags(store *Store, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := store.StripDeletedTags(ctx)
		if n > 0 {
			logger.InfoContext(ctx, "stripped deleted tags", "records", n)
		}
		return err
	}
}
