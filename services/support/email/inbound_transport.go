package email

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// ErrNotMIME is the answer to a webhook body that is not declared a mail.
var ErrNotMIME = errs.New(errs.UnsupportedMediaType, "unsupported-media-type", "send the raw mail as message/rfc822")

// InboundRoutes returns the webhook of mail providers: POST
// /v1/inbound-email takes a raw mail (message/rfc822) for the caller's
// tenant (support:write) and answers 202 with its Receipt.
func InboundRoutes(r *Receiver) []starter.Route {
	return resource.Routes(starter.Route{Name: "receiveInboundEmail", Method: "POST", Path: "/v1/inbound-email",
		Permission: supportdb.PermWrite, Decode: decodeRaw(r.cfg.MaxBytes),
		Endpoint: func(ctx context.Context, req any) (any, error) {
			rec, err := r.ReceiveHTTP(ctx, req.([]byte))
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: rec, Status: http.StatusAccepted}, nil
		}})
}

// decodeRaw reads a raw mail of at most limit bytes.
func decodeRaw(limit int64) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, req *http.Request) (any, error) {
		if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || mt != "message/rfc822" {
			return nil, ErrNotMIME
		}
		if req.ContentLength > limit {
			return nil, ErrMailTooLarge.WithDetail("the mail is larger than %d bytes", limit)
		}
		raw, err := io.ReadAll(http.MaxBytesReader(nil, req.Body, limit))
		if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
			return nil, ErrMailTooLarge.WithDetail("the mail is larger than %d bytes", limit)
		}
		return raw, err
	}
}

// ReceiveHTTP receives a mail through the webhook: for the caller's
// tenant, into the mailbox its To or Cc names, else the tenant's default
// one.
func (r *Receiver) ReceiveHTTP(ctx context.Context, raw []byte) (Receipt, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Receipt{}, err
	}
	m := mailparse.Parse(raw, mailparse.Limits{Attachment: 0, Depth: 1, Parts: 1})
	for _, a := range append(m.To, m.Cc...) {
		rt, ok, err := routeOf(ctx, r.db.Pool(), a.Email)
		if err != nil {
			return Receipt{}, err
		}
		if ok && rt.Tenant == p.TenantID {
			return r.Receive(ctx, rt, "http", raw)
		}
	}
	rt := route{Tenant: p.TenantID}
	err = r.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		mb, err := defaultMailbox(ctx, tx)
		rt.Mailbox = mb.ID
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	return r.Receive(ctx, rt, "http", raw)
}
