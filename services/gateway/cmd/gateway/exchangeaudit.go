package main

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/identity"
)

// auditExchanges records every token exchange an authenticated service
// asks, granted or refused, in the audit log of the caller's tenant: the
// call the service makes with the new token does not pass the gateway.
func auditExchanges(rec audit.Recorder) func(context.Context, identity.ExchangeEvent) {
	return func(ctx context.Context, ev identity.ExchangeEvent) {
		e := audit.Entry{
			Time: ev.At, TenantID: ev.TenantID, Kind: audit.KindTokenExchange, UserID: ev.UserID,
			Subject: ev.Service + "→" + ev.Audience, Method: http.MethodPost, Path: identity.TokenExchangePath,
			Status: ev.Status, RequestID: kitx.RequestIDFrom(ctx),
		}
		rec.Record(ctx, e)
	}
}
