package obs

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus/collectors"
)

// WatchPool registers the statistics of db's connection pool: the go_sql_*
// series of client_golang's DBStatsCollector (open, in-use and idle
// connections, the pool's maximum, how many waits for a connection and how
// long they took, connections closed by the idle and lifetime limits), each
// labelled db_name=name. Every program with a PostgreSQL pool calls it once
// per pool; a second pool of the same name is a programming error and
// panics.
func (m *Metrics) WatchPool(db *sql.DB, name string) {
	if m == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}
