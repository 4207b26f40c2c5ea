// Package registry is the one list of Rapport's services: each service's
// name, bounded context and topic, port order, public path prefixes and
// whether it is built yet. The gateway's routes and spec merge, the
// operator's known services, the launcher's ports, topics and static
// upstreams all read it, so adding a service means adding it to Default and
// nothing else of those.
package registry

import (
	"regexp"

	"github.com/rapport-crm/rapport/libs/events"
)

// Service is one service of the platform, built or planned.
type Service struct {
	// Name is the service's directory under services/, the name of its
	// database and login role, its discovery name and the audience of the
	// internal tokens addressed to it.
	Name string
	// Context is the bounded context whose topic the service publishes to
	// (rapport.<context>.v1); empty for a service that publishes no events.
	Context string
	// Entry marks the public entry, the gateway: it has a port of its own,
	// is shared by every tenant and routes to the others. Its Context is
	// that of its own events (webhooks), on the shared tier only.
	Entry bool
	// Built says the service exists under services/. A planned one has its
	// routes (the gateway answers them 501 feature-not-installed) and a
	// dedicated tenant may list it, but the launcher neither starts it nor
	// creates its topic.
	Built bool
	// Routes are the path prefixes of the public API the gateway forwards
	// to the service.
	Routes []Route
}

// Route is a path prefix of the public API and what the gateway needs to
// know of it: the permission module guarding it, whether its POST only
// reads or its writes change only the caller's own things, and what its
// records hold for the audit log.
type Route struct {
	// Prefix is a path prefix under /v1/ (or /admin/v1/, for a service's
	// administration a tenant's admin may call) matched on segment
	// boundaries: "/v1/contacts" matches "/v1/contacts" and
	// "/v1/contacts/123", not "/v1/contactsx".
	Prefix string
	// Module names the permission; empty means the service's name.
	Module string
	// Query marks a route whose POST only reads: a search whose criteria are
	// too long for a URL (POST /v1/contacts/search).
	Query bool
	// OwnWrites marks a route whose writes change only what the caller owns,
	// which the service checks (saved views: a caller's own saved queries;
	// a shared one also needs <module>:admin there): every method needs only
	// <module>:read at the gateway, so that it never refuses what the
	// service allows.
	OwnWrites bool
	// Data says what the route's records hold, which decides what the audit
	// log records of reading them.
	Data Data
	// Exports are the sub-resources of one record (<prefix>/{id}/<name>)
	// that hand everything held about it out at once (a contact's
	// "personal-data"): every read of one is audited as an export.
	Exports []string
}

// Data is what a route's records hold, for the audit log: every change is
// audited, reads only of personal data.
type Data int

// The kinds of Data.
const (
	// PlainData holds no personal data (settings, tags, field definitions):
	// reads are not audited.
	PlainData Data = iota
	// PersonalData is records of people: reading one record or what hangs
	// under it (GET <prefix>/…), or searching (a Query route), is audited, and
	// so is a large page of the collection (GET <prefix>).
	PersonalData
	// ExportData streams a whole collection of personal records out: every
	// read is audited.
	ExportData
)

// Topic names the service's topic for a topic prefix ("" for the shared
// tier, events.TenantPrefix for a dedicated tenant); empty when the service
// publishes no events.
func (s Service) Topic(prefix string) string {
	if s.Context == "" {
		return ""
	}
	return events.Topic(prefix, s.Context)
}

// Registry is a list of services in port order: the launcher gives them
// consecutive ports in this order, the entry aside on its own.
type Registry []Service

// Lookup returns the service called name.
func (r Registry) Lookup(name string) (Service, bool) {
	for _, s := range r {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// Names lists the services' names in order.
func (r Registry) Names() []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = s.Name
	}
	return out
}

// Domain returns every service but the entry: the services the gateway
// routes to and a dedicated tenant runs.
func (r Registry) Domain() Registry { return r.filter(func(s Service) bool { return !s.Entry }) }

// Built returns the services that exist under services/.
func (r Registry) Built() Registry { return r.filter(func(s Service) bool { return s.Built }) }

func (r Registry) filter(keep func(Service) bool) Registry {
	var out Registry
	for _, s := range r {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// Topics lists, for each service named that publishes events, its topic
// for prefix followed by its dead-letter topic: a dedicated tenant's
// topics. Names the registry does not hold are skipped, and so is the
// entry: the gateway is shared by every tenant, its topic
// (rapport.webhooks.v1) is the shared tier's only.
func (r Registry) Topics(prefix string, names []string) []string {
	var out []string
	for _, n := range names {
		if s, ok := r.Lookup(n); ok && s.Context != "" && !s.Entry {
			t := s.Topic(prefix)
			out = append(out, t, events.DLQ(t))
		}
	}
	return out
}

// MustTopic names the topic of the Default service called name for prefix.
// It panics when there is no such service or it publishes no events: a
// programming error, as a bad pattern is to regexp.MustCompile.
func MustTopic(prefix, name string) string {
	s, ok := Default().Lookup(name)
	if !ok || s.Context == "" {
		panic("registry: no service " + name + " with a topic")
	}
	return s.Topic(prefix)
}

// namePattern is what a service may be called: the name is a database and
// a role name, so it is kept to safe identifiers.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// ValidName reports whether name may name a service (and so a database and
// a role).
func ValidName(name string) bool { return namePattern.MatchString(name) }
