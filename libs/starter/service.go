package starter

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Service is what a service tells the starter about itself.
type Service struct {
	// Name is the service's name in the registry: its directory under
	// services/, its database, its discovery name and its tokens' audience
	// (SERVICE_NAME overrides it).
	Name string
	// Registry lists the services; nil is registry.Default(). The service's
	// entry there gives its topic.
	Registry registry.Registry
	// Migrations are the service's own; the starter adds the shared ones.
	Migrations []pg.Source
	// Build wires the service on what the starter opened. It runs before
	// the database is migrated, so it must not query it.
	Build func(ctx context.Context, env Env) (API, error)
}

// Schema is the service's database schema, in the order it applies: the
// shared outbox and inbox, the service's own migrations, then the shared
// idempotency keys and statistics upkeep (contacts made both itself before
// they were shared, and their migrations find what it made).
func (s Service) Schema() *Schema {
	sources := append([]pg.Source{outbox.Migrations(), events.InboxMigrations()}, s.Migrations...)
	return NewSchema(s.Name, append(sources, idempotency.Migrations(), pg.UpkeepMigrations())...)
}

// Env is what the starter opened for a service's Build.
type Env struct {
	Config  Config
	Logger  *slog.Logger
	DB      *sqlx.DB      // the runtime role's pool
	Cursors *kitx.Cursors // signs list cursors (CURSOR_KEY)
	Metrics *obs.Metrics
	Topic   string // the service's own topic, with the tier's prefix; "" when it publishes none
}

// API is what a service serves and runs.
type API struct {
	// Routes are the service's HTTP routes, each behind the gateway's
	// internal token and its permission.
	Routes []Route
	// ErrorEncoder writes the routes' errors; nil is kitx's problem+json.
	ErrorEncoder kithttp.ErrorEncoder
	// OpenAPI is the service's contract as JSON, served at /openapi.json.
	OpenAPI []byte
	// Jobs run periodically once the database is ready.
	Jobs []Job
	// Consumers consume other contexts' events once the database is ready.
	Consumers []Consumer
	// Servers are listeners besides HTTP (an SMTP server, …), started with
	// the HTTP server.
	Servers []Server
}

// Server is a listener a service runs beside its HTTP server. Run serves
// until ctx ends, then finishes what is in flight and returns; its error
// before then stops the instance. On shutdown the servers stop after the
// HTTP server and before the background work (relay, consumers, jobs), so
// what they wrote last is still relayed, and before the database closes.
type Server struct {
	Name string
	Run  func(ctx context.Context) error
}

// Route is one route of a service's API, declared once: the router, the
// permission check and the contract test all read it.
type Route struct {
	// Name is the operation's operationId in the service's api/openapi.yaml.
	Name         string
	Method, Path string // "GET", "/v1/contacts/{id}"
	// Permission is what the caller's principal must hold ("contacts:read").
	Permission string
	Endpoint   endpoint.Endpoint
	// Decode reads the request; nil means the route takes no input.
	Decode kithttp.DecodeRequestFunc
	// Encode writes the response; nil is kitx.EncodeJSON.
	Encode kithttp.EncodeResponseFunc
}

// Job is work a service repeats in the background.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work once. An error is logged and the job runs again at
	// its next turn.
	Run func(ctx context.Context) error
}

// Consumer consumes the events of other bounded contexts: each event's
// handler runs in a transaction with the inbox insert that de-duplicates
// it (libs/events).
type Consumer struct {
	Group    string   // the consumer group, unique per service and purpose
	Contexts []string // whose topics it reads (with the tier's prefix)
	Handler  events.Handler
	// Batch is how many events at most one transaction applies (0: one;
	// events.ConsumerConfig.Batch), for handlers of many cheap events.
	Batch int
	// BatchHandler, with Batch, applies each tenant's group of a batch in
	// one call (events.ConsumerConfig.BatchHandler); Handler still
	// applies the events of a group that failed, one by one.
	BatchHandler events.BatchHandler
}
