// Package outbox makes publishing an event part of the business transaction:
// Add writes the event into the outbox table inside the caller's transaction,
// and the Relay publishes committed rows to Kafka and deletes them (DESIGN §5).
// A service's stores write through a DB: tenant transactions (DB.InTx) whose
// Tx.Emit adds the event of a change, made by the service's events.Catalogue.
//
// The relay drains rows in id order under a transaction-scoped advisory lock,
// so several replicas never interleave one key's events. It is woken when a
// writer commits: directly when the writer runs in the same process (the
// usual case: every replica runs a relay), else by LISTEN/NOTIFY, with a slow
// poll as a fallback. Delivery
// is at least once: a relay stopped after publishing and before its
// transaction commits publishes the batch again.
//
// Add stores beside each event the traceparent of the span it runs in (the
// traceparent column, NULL when tracing is off), which the relay publishes
// as the event's ce_traceparent.
package outbox
