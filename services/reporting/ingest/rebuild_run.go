package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Jobs are the rebuilder's jobs: the rebuilds (Job) and the clean-up of
// retired generations (CleanupJob).
func (r *Rebuilder) Jobs() []starter.Job { return []starter.Job{r.Job(), r.CleanupJob()} }

// Job is the rebuilder as a job of the instance: every pollEvery it runs
// the building generations no instance runs (new ones, released ones and
// stale ones, whose instance stopped), side by side, until each is done
// or the instance stops; stopping releases a run, which the next look
// starts again from scratch.
func (r *Rebuilder) Job() starter.Job {
	return starter.Job{Name: "reporting rebuilds", Every: pollEvery, Run: r.RunDue}
}

// RunDue runs the due rebuilds of every tenant, side by side, and keeps
// looking for more every pollEvery while any runs; it returns when none
// is left running on this instance.
func (r *Rebuilder) RunDue(ctx context.Context) error {
	var runs sync.WaitGroup
	var mu sync.Mutex
	running := map[tenantGen]bool{}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		due, err := dueRebuilds(ctx, r.db)
		if err != nil {
			runs.Wait()
			return err
		}
		mu.Lock()
		for _, g := range due {
			if !running[g] {
				running[g] = true
				runs.Go(func() {
					r.run(ctx, g.Tenant, g.Gen)
					mu.Lock()
					delete(running, g)
					mu.Unlock()
				})
			}
		}
		idle := len(running) == 0
		mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			runs.Wait()
			return nil
		case <-tick.C:
		}
	}
}

// run claims the building generation gen of tenant and, if it got it,
// rebuilds it: a generation started before (its instance gone) has its
// rows deleted first; then the replay, with a heartbeat beside it, and
// the switch. A run stopped by ctx releases the generation.
func (r *Rebuilder) run(ctx context.Context, tenant string, gen rm.Gen) {
	var runs int
	var claimed bool
	err := pg.WithTenantTx(ctx, r.db, tenant, func(tx *sqlx.Tx) (err error) {
		runs, claimed, err = claim(ctx, tx, gen, r.id)
		return err
	})
	if err != nil || !claimed {
		if err != nil && ctx.Err() == nil {
			r.logger.WarnContext(ctx, "rebuild: claim failed", "tenant", tenant, "generation", gen, "error", err.Error())
		}
		return
	}
	log := r.logger.With("tenant", tenant, "generation", gen, "run", runs)
	log.InfoContext(ctx, "rebuild started")
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := &progress{}
	beating := make(chan error, 1)
	go func() { beating <- r.heartbeat(runCtx, cancel, tenant, gen, prog) }()
	err = r.rebuild(runCtx, tenant, gen, runs, prog)
	cancel()
	if lost := <-beating; lost != nil {
		err = lost
	}
	switch {
	case err == nil:
		log.InfoContext(ctx, "rebuild switched over", "applied", prog.applied())
	case ctx.Err() != nil:
		end := context.WithoutCancel(ctx)
		if err := pg.WithTenantTx(end, r.db, tenant, func(tx *sqlx.Tx) error { return release(end, tx, gen, r.id) }); err != nil {
			log.WarnContext(end, "rebuild: release on stop failed; it runs again once stale", "error", err.Error())
		}
	default:
		// Left to go stale: another look starts it again after staleAfter.
		log.ErrorContext(ctx, "rebuild failed; it starts again from scratch", "error", err.Error())
	}
}

// rebuild clears gen's rows when an earlier run started it, replays the
// topics into it and switches it active, publishing read_models.rebuilt
// (subject: the tenant) in the switch's transaction.
func (r *Rebuilder) rebuild(ctx context.Context, tenant string, gen rm.Gen, runs int, prog *progress) error {
	if runs > 1 {
		if err := deleteGeneration(ctx, r.db, tenant, gen); err != nil {
			return err
		}
	}
	if err := r.replay(ctx, tenant, gen, prog); err != nil {
		return err
	}
	applied, topics := prog.snapshot()
	return r.odb.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		done, err := switchOver(ctx, tx.SQL(), gen, r.id, applied, topics)
		if err != nil {
			return err
		}
		return tx.Emit(ctx, rm.EntityReadModels, rm.VerbRebuilt, tenant, done, nil)
	})
}

// heartbeat beats gen's heartbeat with the progress every heartbeatEvery
// until ctx ends; a claim lost (another instance took the generation)
// cancels the run and is returned.
func (r *Rebuilder) heartbeat(ctx context.Context, cancel context.CancelFunc, tenant string, gen rm.Gen, prog *progress) error {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		err := r.record(ctx, tenant, gen, prog)
		if errors.Is(err, errClaimLost) {
			cancel()
			return err
		}
		if err != nil && ctx.Err() == nil {
			r.logger.WarnContext(ctx, "rebuild: heartbeat failed", "tenant", tenant, "generation", gen, "error", err.Error())
		}
	}
}

// record beats gen's heartbeat with prog; errClaimLost when the
// generation is no longer this instance's run.
func (r *Rebuilder) record(ctx context.Context, tenant string, gen rm.Gen, prog *progress) error {
	applied, topics := prog.snapshot()
	return pg.WithTenantTx(ctx, r.db, tenant, func(tx *sqlx.Tx) error { return beat(ctx, tx, gen, r.id, applied, topics) })
}

// progress is a run's progress, shared by its topics' readers and its
// heartbeat.
type progress struct {
	mu      sync.Mutex
	events  int64
	byTopic []TopicProgress
}

// start records the topics' targets and starting positions.
func (p *progress) start(topics []TopicProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byTopic = topics
}

// advance records n events applied and topic i moved by moved offsets.
func (p *progress) advance(i int, moved, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events += n
	p.byTopic[i].Position += moved
}

// applied returns the events applied so far.
func (p *progress) applied() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.events
}

// snapshot returns the events applied and a copy of the topics' progress.
func (p *progress) snapshot() (int64, []TopicProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.events, append([]TopicProgress{}, p.byTopic...)
}
