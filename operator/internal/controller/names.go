package controller

import (
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// Finalizer holds a Tenant until the operator removed what it had.
const Finalizer = "crm.rapport.dev/tenant"

// Labels and annotations the operator sets.
const (
	// LabelTenant names the tenant an object was made for.
	LabelTenant = "crm.rapport.dev/tenant"
	// LabelManagedBy marks every object the operator makes; the manager's
	// cache holds only those (see CacheOptions).
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "rapport-operator"

	labelName     = "app.kubernetes.io/name"
	labelInstance = "app.kubernetes.io/instance"
	labelPartOf   = "app.kubernetes.io/part-of"

	// annotationSpecHash records the hash of what the operator last set on
	// an object, so a field it stopped setting is noticed.
	annotationSpecHash = "crm.rapport.dev/spec-hash"
	// annotationConsulTags is consul-k8s's service-tags annotation.
	annotationConsulTags = "consul.hashicorp.com/service-tags"
)

// Keys of a service's database Secret, named as the service's environment.
const (
	keyDatabaseURL = "DATABASE_URL"
	keyMigrateURL  = "DATABASE_MIGRATE_URL"
	keyCursorKey   = "CURSOR_KEY"
	// keyLinkKey is the marketing service's only: the HMAC key of the
	// tracking, unsubscribe and form links it mails (base64).
	keyLinkKey = "MARKETING_LINK_KEY"
)

// httpPort is the port every Rapport service listens on in its pod.
const httpPort = 8080

// JWKSPath is where the gateway serves its key set, below its base URL.
const JWKSPath = "/.well-known/jwks.json"

// Namespace names a dedicated tenant's namespace.
func Namespace(tenant string) string { return "tenant-" + tenant }

// DatabaseSecret names the Secret, in the tenant's namespace, with a
// service's database URLs and cursor key.
func DatabaseSecret(service string) string { return service + "-database" }

// InvitationSecret names the Secret, in the operator's namespace, with the
// first administrator's invitation.
func InvitationSecret(tenant string) string { return "tenant-" + tenant + "-invitation" }

// Topics lists a dedicated tenant's topics for services: each service that
// owns an event context in libs/registry gets its topic and dead-letter
// topic.
func Topics(tenant string, services []string) []string {
	return registry.Default().Topics(events.TenantPrefix(tenant), services)
}

// tenantLabels marks the objects made for t.
func tenantLabels(t *v1alpha1.Tenant) map[string]string {
	return map[string]string{LabelTenant: t.Name, LabelManagedBy: ManagedBy, labelPartOf: "rapport"}
}

// serviceLabels marks the objects of one service of t.
func serviceLabels(t *v1alpha1.Tenant, service string) map[string]string {
	l := tenantLabels(t)
	for k, v := range selectorLabels(t, service) {
		l[k] = v
	}
	return l
}

// selectorLabels select the pods of one service of t.
func selectorLabels(t *v1alpha1.Tenant, service string) map[string]string {
	return map[string]string{labelName: service, labelInstance: t.Name}
}

// consulTag is the tag the gateway resolves t's instances by.
func consulTag(t *v1alpha1.Tenant) string { return discovery.TenantTag(t.Name) }

// merged returns dst with every entry of src set on it.
func merged(dst, src map[string]string) map[string]string {
	if dst == nil {
		dst = make(map[string]string, len(src))
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
