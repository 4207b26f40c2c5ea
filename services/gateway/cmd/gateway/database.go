package main

import (
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
	"github.com/rapport-crm/rapport/services/gateway/notify"
	"github.com/rapport-crm/rapport/services/gateway/webhooks"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// schema is the gateway's database schema, in the order it applies: its own
// tables (identity), the audit log, the inbox of the events notifications
// and webhook deliveries are made of, the notifications, the outbox of its
// own events, and the webhooks (subscriptions and deliveries, then what the
// dispatcher adds). `gateway migrate` applies it; serving, the gateway
// applies it too with DATABASE_MIGRATE_URL, or else waits for it.
func schema() *starter.Schema {
	return starter.NewSchema("gateway", pg.EmbeddedSource("gateway", migrations.FS, "."),
		audit.Migrations(), events.InboxMigrations(), notify.Migrations(), outbox.Migrations(),
		webhooks.Migrations(), delivery.Migrations())
}
