package proxy

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package, declared once; libs/kitx maps their kinds to
// HTTP statuses.
var (
	ErrNoRoute             = errs.New(errs.NotFound, "route-not-found", "no API route matches this path")
	ErrNotInstalled        = errs.New(errs.NotImplemented, "feature-not-installed", "this feature is not installed on this server")
	ErrNoTenant            = errs.New(errs.Forbidden, "no-tenant", "the caller does not belong to a tenant")
	ErrUpstreamUnavailable = errs.New(errs.Unavailable, "upstream-unavailable", "the service is unavailable; try again later")
	ErrUpstreamTimeout     = errs.New(errs.Unavailable, "upstream-timeout", "the service did not answer in time; try again later")
	ErrCircuitOpen         = errs.New(errs.Unavailable, "circuit-open", "the service is failing and is being given time to recover; try again later")
)
