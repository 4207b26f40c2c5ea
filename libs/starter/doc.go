// Package starter is the one way a Rapport service starts. A service
// describes itself in a Service — its name, its migrations, and a Build
// function that turns what the starter opened (Env) into its API: a route
// table with permissions, background jobs and event consumers — and its
// cmd/<name>/main.go is a call of Main:
//
//	func main() { starter.Main(contacts.Starter()) }
//
// Main runs the command line (CLI): `<name> version` prints the build's
// version (libs/version), `<name> migrate` applies the schema as
// DATABASE_MIGRATE_URL's role and grants DML to DATABASE_URL's role, and no
// argument serves. Serving, Start (and Run, and Main) does what every
// service needs, in order:
//
//   - reads the configuration from the environment into Config, naming the
//     first missing or malformed variable (ParseConfig);
//   - serves HTTP at once — request ids, problem+json for every error,
//     nosniff and no-store (kitx.Routes), duration metrics per route,
//     /healthz, /readyz, /metrics and /openapi.json — with the service's
//     routes behind the gateway's internal token (auth.Middleware), each
//     route's permission checked before its endpoint and every POST honouring
//     Idempotency-Key (libs/idempotency);
//   - registers in Consul when CONSUL_HTTP_ADDR is set;
//   - in the background, migrates the database as its owner when
//     DATABASE_MIGRATE_URL is set (the shared outbox and inbox, the
//     service's own migrations, then the shared idempotency keys and
//     statistics upkeep: Service.Schema), or else waits until
//     `<name> migrate` has applied them all, /readyz saying so meanwhile;
//     checks the runtime role and the database's text classification, and
//     only then says ready and starts the outbox relay, the consumers and the
//     periodic jobs (the statistics upkeep among them);
//   - on SIGINT or SIGTERM (or when ctx ends) deregisters, stops taking
//     requests and lets those in flight finish, stops the background work,
//     and closes the publisher and the database, in that order.
//
// A service's tests start it through Start too, so they exercise the wiring
// production runs.
package starter
