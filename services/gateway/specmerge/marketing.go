package specmerge

import "github.com/rapport-crm/rapport/services/gateway/proxy"

// MarketingPublicPrefix is where the merged document lists the marketing
// service's public pages (tracking links, unsubscribes, preferences, web
// forms): the public address the gateway serves (proxy.Marketing) for the
// tenant whose slug or id is the path parameter "tenant".
const MarketingPublicPrefix = proxy.MarketingPath + "{tenant}"

// tenantRefParameter is the path parameter of MarketingPublicPrefix.
var tenantRefParameter = map[string]any{
	"name": "tenant", "in": "path", "required": true,
	"description": "The tenant's slug or id (the links the marketing service mails carry the id).",
	"schema":      map[string]any{"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]*$"},
}

// publicMarketing moves doc's paths under proxy.MarketingUpstreamPrefix
// to MarketingPublicPrefix, with the tenant parameter and no security: the
// recipients of mails and the visitors of forms have no credentials, and
// the gateway mints their principal.
func publicMarketing(doc map[string]any) {
	movePublic(doc, proxy.MarketingUpstreamPrefix, MarketingPublicPrefix, tenantRefParameter)
}
