package ingest

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of rebuilds and freshness.
var (
	// ErrRebuildRunning is a rebuild asked for while one of the tenant's
	// generations is still building.
	ErrRebuildRunning = errs.New(errs.Conflict, "rebuild-running", "a rebuild of the read models is already running")
	// ErrNoBrokers is a rebuild or freshness asked of an instance that has
	// no Kafka brokers to read the topics from.
	ErrNoBrokers = errs.New(errs.Unavailable, "no-brokers", "the service has no Kafka brokers to read the topics from")
)
