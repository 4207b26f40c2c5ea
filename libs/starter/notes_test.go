package starter_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
)

// notes is the smallest service built the way CONTRIBUTING.md says: a
// migration with a tenant table behind row-level security, a route table
// with permissions, an event through the outbox, a consumer of another
// context's events and a periodic job.
func notes(jobRuns chan<- struct{}) starter.Service {
	migration := `-- +goose Up
CREATE TABLE notes (
    tenant_id uuid NOT NULL,
    id        uuid NOT NULL,
    text      text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- +goose Down
DROP TABLE notes;
`
	reg := append(registry.Default(), registry.Service{Name: "notes", Context: "notes", Built: true,
		Routes: []registry.Route{{Prefix: "/v1/notes"}}})
	return starter.Service{
		Name:       "notes",
		Registry:   reg,
		Migrations: []pg.Source{{Name: "notes", FS: fstest.MapFS{"0001_notes.sql": {Data: []byte(migration)}}}},
		Build: func(_ context.Context, env starter.Env) (starter.API, error) {
			return starter.API{
				OpenAPI: []byte(`{"openapi":"3.0.3","info":{"title":"notes","version":"1"},"paths":{}}`),
				Routes: []starter.Route{
					{Name: "createNote", Method: "POST", Path: "/v1/notes", Permission: "notes:write",
						Decode: decodeNote, Endpoint: createNote(env)},
					{Name: "getNote", Method: "GET", Path: "/v1/notes/{id}", Permission: "notes:read",
						Decode:   func(_ context.Context, r *http.Request) (any, error) { return r.PathValue("id"), nil },
						Endpoint: getNote(env)},
				},
				Jobs: []starter.Job{{Name: "tick", Every: 50 * time.Millisecond, Run: func(context.Context) error {
					select {
					case jobRuns <- struct{}{}:
					default:
					}
					return nil
				}}},
				Consumers: []starter.Consumer{{Group: "notes-from-contacts", Contexts: []string{"contacts"},
					Handler: func(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
						if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, ev.TenantID); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, `INSERT INTO notes (tenant_id, id, text) VALUES ($1, $2, $3)`,
							ev.TenantID, ev.Subject, "about "+ev.Type)
						return err
					}}},
			}, nil
		},
	}
}

// note is the notes service's one resource.
type note struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// created is a 201 answer.
type created struct{ note }

// StatusCode implements kitx.StatusCoder.
func (created) StatusCode() int { return http.StatusCreated }

var errNoNote = errs.New(errs.NotFound, "note-not-found", "note not found")

func decodeNote(_ context.Context, r *http.Request) (any, error) {
	var n note
	return n, kitx.Decode(r, &n, 0)
}

// createNote stores a note and its event in one transaction.
func createNote(env starter.Env) func(context.Context, any) (any, error) {
	return func(ctx context.Context, req any) (any, error) {
		n := req.(note)
		n.ID = uuid.NewString()
		p, _ := auth.PrincipalFrom(ctx)
		err := pg.WithTenantTx(ctx, env.DB, p.TenantID, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notes (tenant_id, id, text) VALUES ($1, $2, $3)`, p.TenantID, n.ID, n.Text); err != nil {
				return err
			}
			ev, err := events.New("/rapport/notes", "dev.rapport.notes.note.created.v1", n.ID, p.TenantID, n)
			if err != nil {
				return err
			}
			return outbox.Add(ctx, tx, env.Topic, ev)
		})
		return created{n}, err
	}
}

// getNote reads a note of the caller's tenant.
func getNote(env starter.Env) func(context.Context, any) (any, error) {
	return func(ctx context.Context, req any) (any, error) {
		p, _ := auth.PrincipalFrom(ctx)
		var n note
		err := pg.WithTenantTx(ctx, env.DB, p.TenantID, func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &n, `SELECT id, text FROM notes WHERE id = $1`, req)
		})
		if err != nil {
			return nil, errNoNote
		}
		return n, nil
	}
}

// unmarshal decodes a response body.
func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
