package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// errClaimLost is a run whose generation another instance claimed (its
// heartbeat went stale) or that is no longer building.
var errClaimLost = errors.New("rebuild: the generation is no longer this run's")

// genRow is a row of rm_generations.
type genRow struct {
	Gen         int        `db:"gen"`
	State       string     `db:"state"`
	RequestedBy string     `db:"requested_by"`
	StartedAt   time.Time  `db:"started_at"`
	SwitchedAt  *time.Time `db:"switched_at"`
	HeartbeatAt *time.Time `db:"heartbeat_at"`
	Runs        int        `db:"runs"`
	Applied     int64      `db:"applied"`
	Progress    []byte     `db:"progress"`
}

// genColumns are the columns genRow reads.
const genColumns = `gen, state, requested_by, started_at, switched_at, heartbeat_at, runs, applied, progress`

// rebuild returns the row as a running rebuild.
func (g genRow) rebuild() (Rebuild, error) {
	out := Rebuild{Generation: g.Gen, State: g.State, RequestedBy: g.RequestedBy, StartedAt: g.StartedAt.UTC(),
		HeartbeatAt: g.HeartbeatAt, Runs: g.Runs, Applied: g.Applied, Topics: []TopicProgress{}}
	if err := json.Unmarshal(g.Progress, &out.Topics); err != nil {
		return Rebuild{}, fmt.Errorf("rebuild: progress of generation %d: %w", g.Gen, err)
	}
	return out, nil
}

// createBuilding inserts the tenant's next generation, building, after
// recording the implicit first generation as active; ErrRebuildRunning
// when one builds already.
func createBuilding(ctx context.Context, tx *sqlx.Tx, requestedBy string) (Rebuild, error) {
	var building int
	if err := tx.GetContext(ctx, &building, `SELECT count(*) FROM rm_generations WHERE state = 'building'`); err != nil {
		return Rebuild{}, fmt.Errorf("rebuild: building generations: %w", err)
	}
	if building > 0 {
		return Rebuild{}, ErrRebuildRunning
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_generations (tenant_id, gen, state)
		SELECT current_setting('app.tenant_id')::uuid, $1, 'active' WHERE NOT EXISTS (SELECT 1 FROM rm_generations)
		ON CONFLICT DO NOTHING`, rm.First); err != nil {
		return Rebuild{}, fmt.Errorf("rebuild: first generation: %w", err)
	}
	var row genRow
	err := tx.GetContext(ctx, &row, `INSERT INTO rm_generations (tenant_id, gen, state, requested_by)
		SELECT current_setting('app.tenant_id')::uuid, max(gen) + 1, 'building', $1 FROM rm_generations
		RETURNING `+genColumns, requestedBy)
	if pg.IsUniqueViolation(err, "") {
		return Rebuild{}, ErrRebuildRunning
	}
	if err != nil {
		return Rebuild{}, fmt.Errorf("rebuild: new generation: %w", err)
	}
	return row.rebuild()
}

// rebuildStatus reads the tenant's generations and its running rebuild.
func rebuildStatus(ctx context.Context, tx *sqlx.Tx) (RebuildStatus, error) {
	var rows []genRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+genColumns+` FROM rm_generations ORDER BY gen DESC`); err != nil {
		return RebuildStatus{}, fmt.Errorf("rebuild: generations: %w", err)
	}
	out := RebuildStatus{Generations: []Generation{}}
	for _, g := range rows {
		out.Generations = append(out.Generations, Generation{Generation: g.Gen, State: g.State, RequestedBy: g.RequestedBy,
			StartedAt: ptr(g.StartedAt.UTC()), SwitchedAt: g.SwitchedAt})
		if g.State == "building" {
			run, err := g.rebuild()
			if err != nil {
				return RebuildStatus{}, err
			}
			out.Running = &run
		}
	}
	if len(rows) == 0 {
		out.Generations = append(out.Generations, Generation{Generation: int(rm.First), State: "active"})
	}
	return out, nil
}

// ptr returns a pointer to t.
func ptr(t time.Time) *time.Time { return &t }

// claim makes runner the one running the building generation gen, if no
// instance runs it (never claimed, released or stale), and returns the
// number of runs started so far (1: the first, nothing to clear) and
// whether it claimed it.
func claim(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, runner string) (int, bool, error) {
	var runs []int
	err := tx.SelectContext(ctx, &runs, `UPDATE rm_generations SET runner = $2, heartbeat_at = now(), runs = runs + 1, applied = 0, progress = '[]'
		WHERE gen = $1 AND state = 'building' AND (heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')
		RETURNING runs`, gen, runner, staleAfter.Milliseconds())
	if err != nil || len(runs) == 0 {
		return 0, false, err
	}
	return runs[0], true, nil
}

// beat records runner's heartbeat and progress of gen; errClaimLost when
// the generation is no longer its run.
func beat(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, runner string, applied int64, progress []TopicProgress) error {
	js, err := json.Marshal(progress)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE rm_generations SET heartbeat_at = now(), applied = $3, progress = $4
		WHERE gen = $1 AND runner = $2 AND state = 'building'`, gen, runner, applied, js)
	return oneRow(res, err)
}

// release gives up runner's run of gen, so that another instance (or
// this one, when it runs again) starts it at once.
func release(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, runner string) error {
	_, err := tx.ExecContext(ctx, `UPDATE rm_generations SET heartbeat_at = NULL, runner = NULL
		WHERE gen = $1 AND runner = $2 AND state = 'building'`, gen, runner)
	return err
}

// Rebuilt is the payload of read_models.rebuilt: the generation switched
// active, the one it replaced (retired), who asked, when the rebuild
// started and switched, and the events its last run replayed.
type Rebuilt struct {
	Generation  int       `json:"generation" db:"gen"`
	Previous    int       `json:"previous" db:"previous"`
	RequestedBy string    `json:"requestedBy" db:"requested_by"`
	StartedAt   time.Time `json:"startedAt" db:"started_at"`
	SwitchedAt  time.Time `json:"switchedAt" db:"switched_at"`
	Applied     int64     `json:"applied" db:"applied"`
}

// switchOver makes runner's building generation gen active and the
// active one retired, with its final progress, and returns the switch.
func switchOver(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, runner string, applied int64, progress []TopicProgress) (Rebuilt, error) {
	if err := beat(ctx, tx, gen, runner, applied, progress); err != nil {
		return Rebuilt{}, err
	}
	var previous []int
	if err := tx.SelectContext(ctx, &previous, `UPDATE rm_generations SET state = 'retired', switched_at = now() WHERE state = 'active' RETURNING gen`); err != nil {
		return Rebuilt{}, fmt.Errorf("rebuild: retire the active generation: %w", err)
	}
	var out []Rebuilt
	err := tx.SelectContext(ctx, &out, `UPDATE rm_generations SET state = 'active', switched_at = now(), runner = NULL, heartbeat_at = NULL
		WHERE gen = $1 AND runner = $2 AND state = 'building'
		RETURNING gen, 0 AS previous, requested_by, started_at, switched_at, applied`, gen, runner)
	if err != nil {
		return Rebuilt{}, fmt.Errorf("rebuild: switch: %w", err)
	}
	if len(out) != 1 {
		return Rebuilt{}, errClaimLost
	}
	if len(previous) == 1 {
		out[0].Previous = previous[0]
	}
	out[0].StartedAt, out[0].SwitchedAt = out[0].StartedAt.UTC(), out[0].SwitchedAt.UTC()
	return out[0], nil
}

// oneRow returns errClaimLost unless the statement changed a row.
func oneRow(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errClaimLost
	}
	return nil
}

// dueRebuilds lists the building generations of every tenant that no
// instance runs.
func dueRebuilds(ctx context.Context, db *sqlx.DB) ([]tenantGen, error) {
	var out []tenantGen
	if err := db.SelectContext(ctx, &out, `SELECT tenant_id, gen FROM rm_rebuilds_due($1 * interval '1 millisecond')`,
		staleAfter.Milliseconds()); err != nil {
		return nil, fmt.Errorf("rebuild: due rebuilds: %w", err)
	}
	return out, nil
}

// tenantGen is a generation of a tenant.
type tenantGen struct {
	Tenant string `db:"tenant_id"`
	Gen    rm.Gen `db:"gen"`
}

// freshness is what a batch of events of one context adds to its
// freshness: their number and the newest time.
type freshness struct {
	events int64
	asOf   time.Time
}
