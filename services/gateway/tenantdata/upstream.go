package tenantdata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/tenantdata"
)

// platformUser is the subject of the tokens of the platform's flow.
const platformUser = "platform"

// ErrUpstream is a service that failed its part of an export or import.
var ErrUpstream = errs.New(errs.Unavailable, "tenant-data-upstream", "a service failed its part of the tenant's data")

// target is one service's deployment serving a tenant.
type target struct {
	service string
	addr    string // host:port of one instance
	shared  bool   // the shared deployment's (the tenant has none of its own)
}

// locate finds the instance of service serving tenant slug on deployment
// dedicated or shared; ok is false when the service is not deployed.
func (h *Handler) locate(ctx context.Context, service, slug string, dedicated bool) (target, bool, error) {
	tenant := ""
	if dedicated {
		tenant = slug
	}
	inst, err := h.cfg.Resolver.Resolve(ctx, service, tenant)
	if errors.Is(err, discovery.ErrNotDeployed) {
		return target{}, false, nil
	}
	if err != nil {
		return target{}, false, err
	}
	if len(inst) == 0 {
		return target{}, false, discovery.ErrNoInstances.WithDetail("no instance of %s", service)
	}
	return target{service: service, addr: inst[0].Address,
		shared: slices.Contains(inst[0].Tags, discovery.SharedTag)}, true, nil
}

// call sends a request of the platform's flow to t for tenant.
func (h *Handler) call(ctx context.Context, t target, method, tenant, suffix string, body io.Reader) (*http.Response, error) {
	token, err := h.cfg.Signer.Sign(auth.Principal{TenantID: tenant, UserID: platformUser}, tenantdata.Audience(t.service), auth.DefaultTTL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+t.addr+tenantdata.PathPrefix+tenant+suffix, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", tenantdata.PartType)
	}
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return nil, ErrUpstream.WithDetail("%s: %v", t.service, err).Wrap(err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, upstreamProblem(t.service, resp)
	}
	return resp, nil
}

// upstreamProblem turns a service's problem answer into an error of the
// same kind naming the service.
func upstreamProblem(service string, resp *http.Response) error {
	var p kitx.Problem
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p)
	switch resp.StatusCode {
	case http.StatusConflict:
		return tenantdata.ErrNotEmpty.WithDetail("%s: %s", service, p.Detail)
	case http.StatusBadRequest:
		return tenantdata.ErrChecksum.WithDetail("%s: %s", service, p.Detail)
	case http.StatusUnprocessableEntity:
		return tenantdata.ErrUnsupported.WithDetail("%s: %s", service, p.Detail)
	}
	return ErrUpstream.WithDetail("%s answered %d: %s", service, resp.StatusCode, p.Detail)
}

// fetch writes service t's part of tenant to a temporary file and reads its
// header.
func (h *Handler) fetch(ctx context.Context, t target, tenant string) (*os.File, tenantdata.Part, error) {
	resp, err := h.call(ctx, t, http.MethodGet, tenant, "", nil)
	if err != nil {
		return nil, tenantdata.Part{}, err
	}
	defer resp.Body.Close()
	f, err := os.CreateTemp("", "tenantdata-"+t.service+"-*.tar")
	if err != nil {
		return nil, tenantdata.Part{}, err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		discard(f)
		return nil, tenantdata.Part{}, ErrUpstream.WithDetail("%s: the part was cut: %v", t.service, err).Wrap(err)
	}
	p, err := rewind(f)
	if err != nil {
		discard(f)
		return nil, tenantdata.Part{}, fmt.Errorf("%s: %w", t.service, err)
	}
	return f, p, nil
}

// rewind reads the header of the part in f and leaves f at its start.
func rewind(f *os.File) (tenantdata.Part, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return tenantdata.Part{}, err
	}
	p, err := tenantdata.ReadPartHeader(f)
	if err != nil {
		return tenantdata.Part{}, err
	}
	_, err = f.Seek(0, io.SeekStart)
	return p, err
}

// rows returns the tables of t holding rows of tenant.
func (h *Handler) rows(ctx context.Context, t target, tenant string) (map[string]int64, error) {
	resp, err := h.call(ctx, t, http.MethodGet, tenant, "/rows", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rows tenantdata.Rows
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
		return nil, ErrUpstream.WithDetail("%s: the row counts are not JSON", t.service).Wrap(err)
	}
	return rows.Tables, nil
}

// put loads the part in f into t for tenant and returns the part as the
// service loaded it (with the rows it left out).
func (h *Handler) put(ctx context.Context, t target, tenant string, f *os.File) (tenantdata.Part, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return tenantdata.Part{}, err
	}
	resp, err := h.call(ctx, t, http.MethodPut, tenant, "", f)
	if err != nil {
		return tenantdata.Part{}, err
	}
	defer resp.Body.Close()
	var p tenantdata.Part
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return tenantdata.Part{}, ErrUpstream.WithDetail("%s: the import's answer is not JSON", t.service).Wrap(err)
	}
	return p, nil
}

// discard closes and removes a temporary file.
func discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}
