// Package postgres provisions a dedicated tenant's databases on a PostgreSQL
// server reached through an admin DSN: per service a database owned by a
// login role that runs the service's migrations, and a second login role the
// service runs as (DESIGN §4: it neither owns the tables nor bypasses
// row-level security). Both roles may connect to their own database only.
package postgres
