// Package marketingdb holds what the marketing service's contexts share
// beyond libs/pgrecord: the permissions of the marketing module and the
// catalogue of the events the service publishes, each context's entities
// and verbs in a file of its own.
package marketingdb

import (
	"github.com/rapport-crm/rapport/libs/events"
)

// The verbs every context's events share.
const (
	VerbCreated = "created"
	VerbUpdated = events.VerbUpdated
	VerbDeleted = events.VerbDeleted
)

// The permissions of the marketing module: reading; building segments,
// lists, campaigns, templates, journeys and forms; sending to an audience;
// the tenant's sending settings (DKIM key, suppression list, throttle);
// and the public routes, held only by the principal the gateway mints for
// tracking links, unsubscribes, the preference page and forms.
const (
	PermRead   = "marketing:read"
	PermWrite  = "marketing:write"
	PermSend   = "marketing:send"
	PermAdmin  = "marketing:admin"
	PermPublic = "marketing:public"
)

// Events is the catalogue of the events this service publishes, per entity:
// what api/asyncapi.yaml and the schemas in api/events/ document.
// outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/marketing", Context: "marketing", Verbs: merged(
	audienceEvents, campaignsEvents, templatesEvents, messagingEvents,
	trackingEvents, journeysEvents, formsEvents, attributionEvents,
)}

// merged is the union of the contexts' entities and verbs: an entity
// two contexts publish (message: messaging's sent, tracking's opened) has
// the verbs of both.
func merged(parts ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, p := range parts {
		for entity, verbs := range p {
			out[entity] = append(out[entity], verbs...)
		}
	}
	return out
}
