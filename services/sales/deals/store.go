package deals

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Store reads and writes pipelines and their stages; every write publishes
// its event through the outbox in its transaction.
type Store struct {
	db *outbox.DB
}

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// pipelineRow is a row of pipelines.
type pipelineRow struct {
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	IsDefault bool      `db:"is_default"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	Version   int64     `db:"version"`
}

// stageRow is a row of pipeline_stages.
type stageRow struct {
	ID             string         `db:"id"`
	PipelineID     string         `db:"pipeline_id"`
	Name           string         `db:"name"`
	Kind           string         `db:"kind"`
	Probability    int            `db:"probability"`
	RequiredFields pq.StringArray `db:"required_fields"`
}

const pipelineColumns = "id, name, is_default, created_at, updated_at, version"

// EnsureDefault creates the tenant's default pipeline, def, unless the
// tenant has one, and publishes it. Two first requests racing both try the
// insert; the partial unique index pipelines_default makes the second wait
// for the first and insert nothing.
func (s *Store) EnsureDefault(ctx context.Context, tenant string, def func() *Pipeline) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var exists bool
		if err := tx.SQL().GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pipelines WHERE is_default)"); err != nil {
			return fmt.Errorf("find the default pipeline: %w", pg.MapError(err))
		}
		if exists {
			return nil
		}
		p := def()
		res, err := tx.SQL().NamedExecContext(ctx, `INSERT INTO pipelines (tenant_id, `+pipelineColumns+`)
			VALUES (`+pgrecord.CurrentTenant+`, :id, :name, :is_default, :created_at, :updated_at, :version) ON CONFLICT DO NOTHING`, rowOf(p))
		if err != nil {
			return fmt.Errorf("create the default pipeline: %w", pg.MapError(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another request created it
		}
		if err := saveStages(ctx, tx, p); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityPipeline, pgstore.VerbCreated, p.ID, p, nil)
	})
}

// Create stores a new pipeline and publishes it.
func (s *Store) Create(ctx context.Context, tenant string, p *Pipeline) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := savePipeline(ctx, tx, p, true); err != nil {
			return err
		}
		if err := saveStages(ctx, tx, p); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityPipeline, pgstore.VerbCreated, p.ID, p, nil)
	})
}

// Pipeline reads a pipeline.
func (s *Store) Pipeline(ctx context.Context, tenant, id string) (p *Pipeline, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		p, err = getPipeline(ctx, tx, id, false)
		return err
	})
	return p, err
}

// Pipelines returns the tenant's pipelines, the default first, then by name.
func (s *Store) Pipelines(ctx context.Context, tenant string) (out []Pipeline, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []pipelineRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+pipelineColumns+" FROM pipelines ORDER BY is_default DESC, lower(name), id"); err != nil {
			return fmt.Errorf("list pipelines: %w", pg.MapError(err))
		}
		stages, err := stagesOf(ctx, tx, "")
		if err != nil {
			return err
		}
		out = make([]Pipeline, len(rows))
		for i, r := range rows {
			out[i] = r.pipeline(stages[r.ID])
		}
		return nil
	})
	return out, err
}

// pipelineRows is how pgrecord.Update reads, writes and deletes pipelines:
// neither a delete nor the removal of stages leaves opportunities in a
// stage that is gone.
var pipelineRows = pgrecord.Rows[*Pipeline]{
	Entity: pgstore.EntityPipeline,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Pipeline, error) {
		return getPipeline(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, current, next *Pipeline) error {
		if err := refuseInUse(ctx, tx, current.ID, removedStages(current, next)); err != nil {
			return err
		}
		if err := savePipeline(ctx, tx, next, false); err != nil {
			return err
		}
		return saveStages(ctx, tx, next)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		if err := refuseInUse(ctx, tx, id, nil); err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM pipelines WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete pipeline: %w", pg.MapError(err))
		}
		return nil
	},
}

// Update changes, or deletes, the pipeline id in a transaction of tenant,
// the one way either is written (pgrecord.Update): it locks and reads the
// pipeline, change returns what it becomes and what happened, and unless
// nothing did, the pipeline is written (or deleted) and the event of the
// change goes to the outbox in the same transaction. It returns the
// pipeline as change left it.
func (s *Store) Update(ctx context.Context, tenant, id string, change func(current *Pipeline) (*Pipeline, pgrecord.Change, error)) (*Pipeline, pgrecord.Change, error) {
	return pgrecord.Update(ctx, s.db, tenant, id, pipelineRows, change)
}

// refuseInUse is ErrStageInUse, naming how many, when opportunities
// (deleted ones too: they may be restored) are in the stages of the
// pipeline id (all of them when stages is nil).
func refuseInUse(ctx context.Context, tx *outbox.Tx, id string, stages []string) error {
	if stages != nil && len(stages) == 0 {
		return nil
	}
	n, err := opportunitiesIn(ctx, tx, id, stages)
	if err != nil || n == 0 {
		return err
	}
	if stages == nil {
		return ErrStageInUse.WithDetail("%d opportunities are in the pipeline; move or delete them first", n)
	}
	return ErrStageInUse.WithDetail("%d opportunities are in the stages removed; move or delete them first", n)
}

// removedStages returns the ids of the stages of old that next leaves out.
func removedStages(old, next *Pipeline) []string {
	out := []string{}
	for _, s := range old.Stages {
		if _, ok := next.stageOf(s.ID); !ok {
			out = append(out, s.ID)
		}
	}
	return out
}

// getPipeline reads one pipeline with its stages, locking it when lock.
func getPipeline(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Pipeline, error) {
	var r pipelineRow
	if err := pgrecord.GetRow(ctx, tx, &r, "pipelines", pipelineColumns, id, lock, ErrPipelineNotFound, "pipeline"); err != nil {
		return nil, err
	}
	stages, err := stagesOf(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	p := r.pipeline(stages[id])
	return &p, nil
}

// stagesOf reads the stages of the pipeline id (every pipeline's when id
// is empty) in order, by pipeline.
func stagesOf(ctx context.Context, tx *outbox.Tx, id string) (map[string][]Stage, error) {
	q := "SELECT id, pipeline_id, name, kind, probability, required_fields FROM pipeline_stages"
	args := []any{}
	if id != "" {
		q += " WHERE pipeline_id = $1"
		args = append(args, id)
	}
	var rows []stageRow
	if err := tx.SQL().SelectContext(ctx, &rows, q+" ORDER BY pipeline_id, position", args...); err != nil {
		return nil, fmt.Errorf("list stages: %w", pg.MapError(err))
	}
	out := map[string][]Stage{}
	for _, r := range rows {
		probability := r.Probability
		out[r.PipelineID] = append(out[r.PipelineID], Stage{ID: r.ID, Name: r.Name, Kind: r.Kind, Probability: &probability,
			RequiredFields: append([]string{}, r.RequiredFields...)})
	}
	return out, nil
}

// savePipeline inserts or updates p's row; a name taken is ErrPipelineExists.
func savePipeline(ctx context.Context, tx *outbox.Tx, p *Pipeline, insert bool) error {
	q := `UPDATE pipelines SET name = :name, updated_at = :updated_at, version = :version
		WHERE tenant_id = ` + pgrecord.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO pipelines (tenant_id, ` + pipelineColumns + `)
			VALUES (` + pgrecord.CurrentTenant + `, :id, :name, :is_default, :created_at, :updated_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, rowOf(p)); err != nil {
		if pg.IsUniqueViolation(err, "pipelines_name") {
			return ErrPipelineExists.WithDetail("a pipeline named %q already exists", p.Name)
		}
		return fmt.Errorf("save pipeline: %w", pg.MapError(err))
	}
	return nil
}

// saveStages makes p's stages what p says: stages no longer listed are
// deleted, the others inserted or updated at their positions (checked
// unique at commit, so stages may swap places).
func saveStages(ctx context.Context, tx *outbox.Tx, p *Pipeline) error {
	keep := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		keep[i] = s.ID
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM pipeline_stages WHERE pipeline_id = $1 AND NOT id = ANY($2::uuid[])", p.ID, pq.StringArray(keep)); err != nil {
		return fmt.Errorf("delete stages: %w", pg.MapError(err))
	}
	for i, s := range p.Stages {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, position, name, kind, probability, required_fields)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id, id) DO UPDATE SET position = EXCLUDED.position, name = EXCLUDED.name, kind = EXCLUDED.kind,
				probability = EXCLUDED.probability, required_fields = EXCLUDED.required_fields
			WHERE pipeline_stages.pipeline_id = EXCLUDED.pipeline_id`,
			s.ID, p.ID, i, s.Name, s.Kind, *s.Probability, pq.StringArray(s.RequiredFields))
		if err != nil {
			return fmt.Errorf("save stage: %w", pg.MapError(err))
		}
	}
	return nil
}

// rowOf is p's row.
func rowOf(p *Pipeline) pipelineRow {
	return pipelineRow{ID: p.ID, Name: p.Name, IsDefault: p.IsDefault, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// pipeline is the Pipeline of r with stages.
func (r pipelineRow) pipeline(stages []Stage) Pipeline {
	if stages == nil {
		stages = []Stage{}
	}
	return Pipeline{ID: r.ID, Name: r.Name, IsDefault: r.IsDefault, Stages: stages,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}
