// Package pgstore is what the stores of the sales service's contexts share
// beyond libs/outbox's tenant transactions: the current tenant in SQL, the
// catalogue of the events the service publishes, the one way a record
// is changed or deleted (Update), the reading of one row by id and of
// nullable text (rows.go), and the building of a WHERE clause (Query).
package pgstore

// CurrentTenant is the SQL value of the transaction's tenant.
const CurrentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"
