package audit

import (
	"slices"
	"strings"
	"time"
)

// Kind says what an Entry records.
type Kind string

// The kinds of entry.
const (
	KindRequest      Kind = "request"       // a mutating API request
	KindRead         Kind = "read"          // a read of personal data: one record, what hangs under it, or a search
	KindBulkRead     Kind = "bulk_read"     // a page of personal records larger than the bulk-read limit
	KindExport       Kind = "export"        // an export of personal records
	KindLoginSuccess Kind = "login_success" // a successful login (password or SSO)
	KindLoginFailure Kind = "login_failure" // a failed login
	// KindTokenExchange is a service's exchange of its caller's internal
	// token for one addressed to another service, granted or refused: the
	// call it makes next does not pass the gateway.
	KindTokenExchange Kind = "token_exchange"
)

// kinds are the valid kinds, in the order the API documents them.
var kinds = []Kind{KindRequest, KindRead, KindBulkRead, KindExport, KindLoginSuccess, KindLoginFailure, KindTokenExchange}

// valid reports whether k is one of the kinds.
func (k Kind) valid() bool { return slices.Contains(kinds, k) }

// kindList names the kinds for an error message: "request, read, …".
func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// NoTenant is the tenant id of entries that belong to no known tenant, such
// as a login failure for an unknown tenant slug.
const NoTenant = "00000000-0000-0000-0000-000000000000"

// Entry is one audit record.
type Entry struct {
	ID       string    `json:"id"`       // UUIDv7, set by Record
	Time     time.Time `json:"time"`     // when the request arrived; now if zero
	TenantID string    `json:"tenantId"` // NoTenant if unknown
	Kind     Kind      `json:"kind"`     // KindRequest if empty
	// UserID is the acting user; APIKeyID the API key used, if any.
	UserID   string `json:"userId,omitempty"`
	APIKeyID string `json:"apiKeyId,omitempty"`
	// Subject is the login name tried, for login entries; the services of a
	// token exchange, "sales→contacts".
	Subject    string `json:"subject,omitempty"`
	ClientAddr string `json:"clientAddr,omitempty"`
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	Status     int    `json:"status,omitempty"`
	// ResourceID is the id of the resource acted on: from the response's
	// Location header, else the last id in the path.
	ResourceID string `json:"resourceId,omitempty"`
	// ChangedFields names the fields an update changed, as the service
	// reported them (proxy.Upstream): names, never values.
	ChangedFields []string `json:"changedFields,omitempty"`
	RequestID     string   `json:"requestId,omitempty"`
	LatencyMS     int64    `json:"latencyMs"`
}
