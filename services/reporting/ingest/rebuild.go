package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Bounds of a rebuild's run: how often its instance beats the heartbeat
// (and records the progress), after how long without one another
// instance starts it again, how often every instance looks for such
// generations, and how many events one transaction applies.
const (
	heartbeatEvery = 2 * time.Second
	staleAfter     = 20 * time.Second
	pollEvery      = time.Second
	batchSize      = 500
)

// Generation is one of a tenant's generations of read models: building
// (a rebuild fills it), active (reports read it) or retired (replaced by
// a rebuild; its rows are deleted soon after switchedAt). StartedAt is
// absent for the first generation of a tenant never rebuilt; the first
// generation's row is recorded at the tenant's first rebuild.
type Generation struct {
	Generation  int        `json:"generation"`
	State       string     `json:"state"`
	RequestedBy string     `json:"requestedBy,omitempty"`
	StartedAt   *time.Time `json:"startedAt,omitempty"`
	SwitchedAt  *time.Time `json:"switchedAt,omitempty"`
}

// TopicProgress is how far a rebuild has read one source topic: the
// offsets reached and to reach, summed over its partitions (the target
// is the high watermarks taken when the run started).
type TopicProgress struct {
	Context  string `json:"context"`
	Topic    string `json:"topic"`
	Position int64  `json:"position"`
	Target   int64  `json:"target"`
}

// Rebuild is the building generation and how far its replay is: the
// tenant's events applied, the runs started (a run whose instance
// stopped is started again from scratch) and each topic's progress.
type Rebuild struct {
	Generation  int             `json:"generation"`
	State       string          `json:"state"`
	RequestedBy string          `json:"requestedBy"`
	StartedAt   time.Time       `json:"startedAt"`
	HeartbeatAt *time.Time      `json:"heartbeatAt,omitempty"`
	Runs        int             `json:"runs"`
	Applied     int64           `json:"applied"`
	Topics      []TopicProgress `json:"topics"`
}

// RebuildStatus is what GET /admin/v1/rebuild answers: the tenant's
// generations, newest first, and the running rebuild, if any.
type RebuildStatus struct {
	Generations []Generation `json:"generations"`
	Running     *Rebuild     `json:"running,omitempty"`
}

// Rebuilder rebuilds tenants' read models: Start creates the building
// generation; the rebuilder's job (Job) replays the four source
// topics into it from their beginnings up to their high watermarks, on
// whichever instance claims it first, then switches it active.
type Rebuilder struct {
	odb         *outbox.DB // the switch's transaction publishes read_models.rebuilt
	db          *sqlx.DB   // odb's pool
	applier     *Applier
	brokers     []string
	topicPrefix string
	logger      *slog.Logger
	id          string // this instance's runner id
}

// NewRebuilder returns the rebuilder applying events with applier to db's
// read models, reading the topics of topicPrefix from brokers.
func NewRebuilder(db *outbox.DB, applier *Applier, brokers []string, topicPrefix string, logger *slog.Logger) *Rebuilder {
	return &Rebuilder{odb: db, db: db.Pool(), applier: applier, brokers: brokers, topicPrefix: topicPrefix, logger: logger,
		id: uuid.NewString()}
}

// Start creates the caller's tenant's next generation, building, which
// the rebuilder's job of some instance picks up within pollEvery; ErrRebuildRunning when one builds.
func (r *Rebuilder) Start(ctx context.Context) (Rebuild, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Rebuild{}, err
	}
	if len(r.brokers) == 0 {
		return Rebuild{}, ErrNoBrokers
	}
	var out Rebuild
	err = pg.WithTenantTx(ctx, r.db, p.TenantID, func(tx *sqlx.Tx) error {
		out, err = createBuilding(ctx, tx, p.UserID)
		return err
	})
	if err != nil {
		return Rebuild{}, err
	}
	return out, nil
}

// Status returns the caller's tenant's generations and running rebuild.
func (r *Rebuilder) Status(ctx context.Context) (RebuildStatus, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return RebuildStatus{}, err
	}
	var out RebuildStatus
	err = pg.WithTenantTx(ctx, r.db, p.TenantID, func(tx *sqlx.Tx) error {
		out, err = rebuildStatus(ctx, tx)
		return err
	})
	return out, err
}
