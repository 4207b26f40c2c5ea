package proxy

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// Upstream is what a service's response told the gateway alone. Handler
// takes it off the response, so the client never sees it, and reports it to
// whoever asked with WithUpstream (the audit log).
type Upstream struct {
	// ChangedFields names the fields an update changed
	// (kitx.ChangedFieldsHeader): names, never values.
	ChangedFields []string
}

type upstreamKey struct{}

// WithUpstream returns a copy of ctx under which Handler fills in u from the
// response of the service it calls. u is written before Handler returns.
func WithUpstream(ctx context.Context, u *Upstream) context.Context {
	return context.WithValue(ctx, upstreamKey{}, u)
}

// takeUpstream moves what res says for the gateway alone into the Upstream
// of its request's context, if any, and off res.
func takeUpstream(res *http.Response) {
	if u, ok := res.Request.Context().Value(upstreamKey{}).(*Upstream); ok {
		u.ChangedFields = kitx.ChangedFields(res.Header)
	}
	res.Header.Del(kitx.ChangedFieldsHeader)
}
