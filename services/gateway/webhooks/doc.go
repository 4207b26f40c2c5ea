// Package webhooks is the gateway's outbound edge to a tenant's own
// endpoints: the subscriptions API (/v1/webhooks), the fan-out consumer that
// turns every event of the stream into pending deliveries of the matching
// subscriptions, and the gateway's own events about subscriptions
// (topic rapport.webhooks.v1, through the outbox). Sub-package delivery
// sends the deliveries.
//
// A subscription names event type patterns ("*", "dev.rapport.sales.*", an
// exact type; events.TypeMatches) and optionally a libs/filter filter over
// the fields type, subject, source, time and data.<prop>, the top-level
// properties of the subscribed types' payload schemas (the catalogue). Its
// signing secret is sealed at rest with a key derived from the gateway's
// data key and shown once, at creation and rotation.
package webhooks
