package audit

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// DefaultBulkReadLimit is the largest list page of personal records that is
// not audited: a page asking for more (its limit) is a bulk read.
const DefaultBulkReadLimit = 100

// Policy says which reads Middleware records besides every change.
type Policy struct {
	// Routes tells what data a path serves (proxy.Route.Data); nil records
	// changes only.
	Routes *proxy.Table
	// BulkReadLimit is the largest page of a personal collection that is not
	// a bulk read (its limit, kitx.DefaultLimit when the request names none);
	// 0 records every page.
	BulkReadLimit int
}

// kind returns what entry r makes under p, if any: KindRequest for a
// change; for a route of personal data, KindRead for a search (a Query
// route) or for one record or what hangs under it, KindBulkRead for a list
// page above BulkReadLimit; KindExport for an export (an ExportData route, or
// one of a record's Exports).
func (p Policy) kind(r *http.Request) (Kind, bool) {
	var route proxy.Route
	routed := false
	if p.Routes != nil {
		route, routed = p.Routes.Lookup(r.URL.Path)
	}
	personal := routed && route.Data != proxy.PlainData
	switch {
	case personal && route.Query && r.Method == http.MethodPost:
		return KindRead, true
	case mutating(r.Method):
		return KindRequest, true
	case !personal || !proxy.IsRead(r.Method):
		return "", false
	case route.Data == proxy.ExportData || route.Exported(r.URL.Path):
		return KindExport, true
	case strings.TrimSuffix(r.URL.Path, "/") != route.Prefix:
		return KindRead, true
	}
	limit := kitx.DefaultLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return "", false // refused by the service: no record is read
		}
		limit = n
	}
	return KindBulkRead, limit > p.BulkReadLimit
}

// Middleware records, once the response is written, every mutating request
// (any method but GET, HEAD and OPTIONS) and the reads of personal data that
// p names, of a caller proxy.Authenticate identified. An update records the
// names of the fields it changed, as the service reported them to the proxy
// (proxy.Upstream). The request itself only pays for queueing the entry.
func Middleware(rec Recorder, p Policy) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			kind, audited := p.kind(r)
			if !audited {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			sw := &obs.StatusWriter{ResponseWriter: w}
			var up proxy.Upstream
			next.ServeHTTP(sw, r.WithContext(proxy.WithUpstream(r.Context(), &up)))
			principal, ok := auth.PrincipalFrom(r.Context())
			if !ok {
				return // not authenticated: answered 401 before reaching a service
			}
			end := sw.Switched() // a socket's latency is up to its switch, not its life
			if end.IsZero() {
				end = time.Now()
			}
			requestID := kitx.RequestIDFrom(r.Context())
			if requestID == "" {
				requestID = w.Header().Get(kitx.RequestIDHeader)
			}
			// The request is over; a full buffer may still make Record wait its
			// moment even if the client has gone.
			rec.Record(context.WithoutCancel(r.Context()), Entry{
				Time:          start,
				TenantID:      principal.TenantID,
				Kind:          kind,
				UserID:        principal.UserID,
				APIKeyID:      proxy.APIKeyID(r),
				ClientAddr:    ClientAddr(r),
				Method:        r.Method,
				Path:          r.URL.Path,
				Status:        sw.Status(),
				ResourceID:    ResourceID(w.Header().Get("Location"), r.URL.Path),
				ChangedFields: up.ChangedFields,
				RequestID:     requestID,
				LatencyMS:     end.Sub(start).Milliseconds(),
			})
		})
	}
}

// mutating reports whether a request with method may change state.
func mutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// ClientAddr returns the address of r's client: the host of RemoteAddr.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ResourceID returns the id of the resource a request acted on: the last
// segment of the response's Location (a created resource), else the last
// segment of path that is a UUID, else "".
func ResourceID(location, path string) string {
	if location != "" {
		if u, err := url.Parse(location); err == nil {
			if seg := lastSegment(u.Path); seg != "" {
				return seg
			}
		}
	}
	segs := strings.Split(path, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if len(segs[i]) == 36 && ids.Valid(segs[i]) {
			return segs[i]
		}
	}
	return ""
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
