package main

import (
	"context"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/identity"
)

// auditLogins records every sign-in attempt in the audit log.
func auditLogins(rec audit.Recorder) func(context.Context, identity.LoginEvent) {
	return func(ctx context.Context, ev identity.LoginEvent) {
		e := audit.Entry{
			Time: ev.At, TenantID: ev.TenantID, Kind: audit.KindLoginFailure, UserID: ev.UserID,
			Subject: ev.Email, ClientAddr: ev.ClientAddr, Method: "POST", Path: "/v1/auth/login",
			Status: 401, RequestID: kitx.RequestIDFrom(ctx),
		}
		if ev.Method == identity.LoginSSO {
			e.Method, e.Path = "GET", identity.SSOCallbackPath
		}
		if ev.Success {
			e.Kind, e.Status = audit.KindLoginSuccess, 200
		}
		if e.TenantID == "" {
			e.TenantID = audit.NoTenant
		}
		rec.Record(ctx, e)
	}
}
