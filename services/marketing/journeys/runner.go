package journeys

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"
)

// The runner's settings.
const (
	// EnvRunner "off" runs no journeys job on the instance (it still
	// serves the API and enrols); tests use it to run theirs in replicas.
	EnvRunner = "MARKETING_JOURNEYS"
	// RunEvery is how often the job looks for enrolments due.
	RunEvery = time.Second
	// tenantsPerRun and stepsPerTenant bound one turn of the job.
	tenantsPerRun  = 50
	stepsPerTenant = 500
	// retryAfter is how long an enrolment whose step failed waits before
	// it is tried again (the others go on meanwhile).
	retryAfter = time.Minute
)

// Runner is the journeys job: on every instance, it advances the
// enrolments due, one step per transaction, claimed FOR UPDATE SKIP
// LOCKED so that two instances never run the same step.
type Runner struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
	off    bool
}

// NewRunner returns the Runner on db; getenv reads EnvRunner.
func NewRunner(db *outbox.DB, getenv func(string) string, logger *slog.Logger) *Runner {
	return &Runner{db: db, logger: logger, now: time.Now, off: getenv(EnvRunner) == "off"}
}

// Job is the Runner as the starter runs it.
func (r *Runner) Job() starter.Job {
	return starter.Job{Name: "marketing journeys", Every: RunEvery, Run: r.Run}
}

// Run advances the enrolments due of the tenants that have some.
func (r *Runner) Run(ctx context.Context) error {
	if r.off {
		return nil
	}
	tenants, err := tenantsDue(ctx, r.db, tenantsPerRun)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		if err := r.runTenant(ctx, t); err != nil {
			r.logger.ErrorContext(ctx, "marketing journeys: a tenant's enrolments not advanced", "tenant", t, "error", err.Error())
		}
	}
	return nil
}

// runTenant advances the tenant's enrolments due, each step in a
// transaction of its own; a step that fails is logged and its enrolment
// tried again after retryAfter.
func (r *Runner) runTenant(ctx context.Context, tenant string) error {
	for range stepsPerTenant {
		if ctx.Err() != nil {
			return nil
		}
		var e Enrolment
		err := r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
			due, err := dueEnrolments(ctx, tx, r.now(), 1)
			if err != nil || len(due) == 0 {
				return err
			}
			e = due[0]
			j, err := getJourney(ctx, tx, e.JourneyID, false)
			if err != nil {
				return err
			}
			return advance(ctx, tx, j, e, r.now())
		})
		switch {
		case err != nil && e.ID == "":
			return err
		case err != nil:
			r.logger.ErrorContext(ctx, "marketing journeys: a step failed", "tenant", tenant, "enrolment", e.ID,
				"step", e.StepID, "error", err.Error())
			if err := r.retryLater(ctx, tenant, e); err != nil {
				return err
			}
		case e.ID == "":
			return nil
		}
	}
	return nil
}

// retryLater puts e's next run retryAfter from now, unless another
// instance moved it on meanwhile.
func (r *Runner) retryLater(ctx context.Context, tenant string, e Enrolment) error {
	return r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return postpone(ctx, tx, e.ID, e.StepID, r.now().Add(retryAfter)) })
}
