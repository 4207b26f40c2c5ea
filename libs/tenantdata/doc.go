// Package tenantdata moves one tenant's rows of a service database in and
// out, for the platform's tenant export and import (POST
// /admin/v1/tenants/{id}/export and /import) and for moving a tenant from the
// shared tier to a dedicated one.
//
// A database's tenant-owned tables are found in its catalogue: every table of
// the public schema with a tenant_id column (DESIGN §4), but for those that
// hold no data of the tenant's own (the outbox, whose rows are events on
// their way to Kafka, and the idempotency keys, answers to requests already
// made). Export reads them in one REPEATABLE READ READ ONLY transaction, so a
// service's part is consistent, and writes a part: a tar stream whose first
// entry is part.json (the schema versions of every goose source, and per
// table its columns, row count and SHA-256) followed by one entry per table,
// a JSON array of column values (their PostgreSQL text form, or null) per
// line. Import loads a part in one transaction, in foreign-key order, with
// COPY, the tenant id rewritten when the target tenant is another; it
// refuses a tenant that already holds rows, a part of a schema version the
// database does not have, and an entry whose checksum or row count does not
// match. Identity and serial sequences are moved past the loaded values;
// the number counters (libs/numbering) and the inbox (libs/events) are rows
// like any other, so consumers do not apply again the events the tenant's
// data already reflects.
//
// An archive (WriteArchive, ReadArchive) gathers the parts of every service
// in a gzip-compressed tar: manifest.json first (Format, the tenant, the
// time, each service's part.json), then <service>/<table>.jsonl entries.
package tenantdata
