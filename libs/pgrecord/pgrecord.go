// Package pgrecord is what the services' stores share beyond libs/outbox's
// tenant transactions: the current tenant in SQL, the one way a record is
// changed or deleted with its event (Update), the reading of one row by id
// and of nullable text (rows.go), and the building of a WHERE clause
// (Query). Sales was its first user; support the second.
package pgrecord

// CurrentTenant is the SQL value of the transaction's tenant.
const CurrentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"
