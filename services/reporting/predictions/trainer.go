package predictions

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// EnvTrainEvery is the environment variable of how old a tenant's models
// may grow before the job retrains them (a Go duration; DefaultTrainEvery
// when unset).
const EnvTrainEvery = "REPORTING_TRAIN_EVERY"

// DefaultTrainEvery is the models' age at which they are retrained: they
// are recomputed nightly.
const DefaultTrainEvery = 24 * time.Hour

// JobEvery is how often the job looks for tenants whose models are due.
const JobEvery = time.Hour

// TrainEvery reads EnvTrainEvery from getenv.
func TrainEvery(getenv func(string) string) (time.Duration, error) {
	raw := getenv(EnvTrainEvery)
	if raw == "" {
		return DefaultTrainEvery, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, ErrBadTrainEvery.WithDetail("%s %q is no positive duration (24h, 90m)", EnvTrainEvery, raw)
	}
	return d, nil
}

// Trainer trains a tenant's models on the active generation of its read
// models and stores them with their predictions, on demand (Train) and
// for every tenant whose models are older than its age (Run, hourly).
type Trainer struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
	every  time.Duration
	config error // a bad EnvTrainEvery, which every run reports
}

// NewTrainer returns the Trainer on db, its age read from getenv.
func NewTrainer(db *outbox.DB, getenv func(string) string, logger *slog.Logger) *Trainer {
	every, err := TrainEvery(getenv)
	return &Trainer{db: db, logger: logger, now: time.Now, every: every, config: err}
}

// Job is the Trainer's Run as the starter runs it.
func (t *Trainer) Job() starter.Job {
	return starter.Job{Name: "predictions: retrain", Every: JobEvery, Run: t.Run}
}

// Run retrains the models of every tenant (rm_tenants) whose models are
// older than the age or were never trained; a tenant another instance is
// training is left to it.
func (t *Trainer) Run(ctx context.Context) error {
	if t.config != nil {
		return t.config
	}
	list, err := tenants(ctx, t.db)
	if err != nil {
		return err
	}
	for _, tenant := range list {
		err := t.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
			if ok, err := tryLock(ctx, tx, false); err != nil || !ok {
				return err
			}
			now := t.now().UTC()
			due, err := trainedBefore(ctx, tx, now.Add(-t.every))
			if err != nil || !due {
				return err
			}
			_, err = t.train(ctx, tx, now)
			return err
		})
		if err != nil {
			t.logger.ErrorContext(ctx, "predictions: a tenant's models not retrained", "tenant", tenant, "error", err.Error())
		}
	}
	return nil
}

// Train retrains the models of the transaction's tenant now, waiting for
// a training of it in progress, and returns them.
func (t *Trainer) Train(ctx context.Context, tx *outbox.Tx) (Models, error) {
	if _, err := tryLock(ctx, tx, true); err != nil {
		return Models{}, err
	}
	return t.train(ctx, tx, t.now().UTC())
}

// train trains each kind of model as of now and replaces the stored ones
// and their predictions.
func (t *Trainer) train(ctx context.Context, tx *outbox.Tx, now time.Time) (Models, error) {
	now = now.Truncate(time.Second)
	gen, err := rm.Active(ctx, tx.SQL())
	if err != nil {
		return Models{}, err
	}
	win, err := readWinHistory(ctx, tx, gen)
	if err != nil {
		return Models{}, err
	}
	w, err := trainWin(win, now)
	if err != nil {
		return Models{}, err
	}
	churn, err := readChurnHistory(ctx, tx, gen)
	if err != nil {
		return Models{}, err
	}
	c, err := trainChurn(churn, now)
	if err != nil {
		return Models{}, err
	}
	counts, err := readWeekCounts(ctx, tx, gen)
	if err != nil {
		return Models{}, err
	}
	d := trainDemand(counts, now)
	for _, save := range []func() error{
		func() error { return saveWinScores(ctx, tx, w) },
		func() error { return saveChurnScores(ctx, tx, c) },
		func() error { return saveDemand(ctx, tx, d) },
		func() error { return saveModel(ctx, tx, gen, w.Model) },
		func() error { return saveModel(ctx, tx, gen, c.Model) },
		func() error { return saveModel(ctx, tx, gen, d.Model) },
	} {
		if err := save(); err != nil {
			return Models{}, err
		}
	}
	return Models{Items: []Model{w.Model, c.Model, d.Model}}, nil
}
