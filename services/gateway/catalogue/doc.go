// Package catalogue is Rapport's event catalogue: one AsyncAPI 3.0 document
// of every event type the services publish, merged from each service's
// api/asyncapi.yaml (and the gateway's own) by cmd/asyncapi-merge, committed
// as asyncapi.json and embedded.
//
// Merge keeps the operations that send, so a consumer's document (the
// reporting service lists what it reads) never repeats a producer's
// messages, and inlines every payload's JSON Schema. Default parses the
// embedded document; its Types, Has and DataFields answer the webhooks'
// questions (which types exist, which data fields a filter may name).
// Handler serves the document at GET /asyncapi.json and Page a page for
// people at GET /events.
package catalogue
