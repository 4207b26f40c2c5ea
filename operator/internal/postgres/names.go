package postgres

import "strings"

// Database names one service's database of a tenant and its two roles.
type Database struct {
	Name  string // the database, owned by Owner
	Owner string // login role that owns the database and runs migrations
	App   string // login role the service runs as
}

// For returns the database of service for tenant: t_<tenant>_<service>,
// with roles <database>_owner and <database>_app. Dashes become underscores,
// so every name is a plain identifier within PostgreSQL's 63 bytes for the
// tenant names the CRD admits (at most 30 characters).
func For(tenant, service string) Database {
	return Named("t_" + strings.ReplaceAll(tenant, "-", "_") + "_" + strings.ReplaceAll(service, "-", "_"))
}

// Named returns the database name with its roles <name>_owner and
// <name>_app.
func Named(name string) Database {
	return Database{Name: name, Owner: name + "_owner", App: name + "_app"}
}
