package starter

import (
	"context"
	"fmt"
	"sync"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// worker is a service's background work: the database first, then the
// relay, the consumers and the jobs.
type worker struct {
	cfg       Config
	api       API
	env       Env
	publisher *events.Publisher
	schema    *Schema
	noJobs    bool        // WithoutJobs
	fail      func(error) // stops the instance with an error
}

// run prepares the database (Schema.Prepare: migrates it, or waits until
// it is migrated), then runs the jobs and consumers (in group) and the
// outbox relay until ctx ends. It returns an error only for what a restart would not fix.
func (w *worker) run(ctx context.Context, group *sync.WaitGroup) error {
	db, logger := w.env.DB, w.env.Logger
	if err := w.schema.Prepare(ctx, db, w.cfg.MigrateURL, logger); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting
		}
		return err
	}
	if !w.noJobs {
		for _, job := range append([]Job{analyzeNewTables(db, logger)}, w.api.Jobs...) {
			group.Go(func() { repeat(ctx, job, logger) })
		}
	}
	for _, c := range w.api.Consumers {
		consumer, err := w.consumer(c)
		if err != nil {
			return err
		}
		group.Go(func() {
			// A consumer stops only when it cannot commit what it applied:
			// the instance stops too, to be restarted, as for the relay.
			if err := consumer.Run(ctx); err != nil {
				w.fail(fmt.Errorf("consumer %s: %w", c.Group, err))
			}
		})
	}
	relay, err := outbox.NewRelay(outbox.RelayConfig{DB: db, DSN: w.cfg.DatabaseURL, Publisher: w.publisher, Logger: logger, Metrics: w.env.Metrics})
	if err != nil {
		return err
	}
	if err := relay.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// consumer builds the events consumer of c.
func (w *worker) consumer(c Consumer) (*events.Consumer, error) {
	topics := make([]string, len(c.Contexts))
	for i, ctxName := range c.Contexts {
		topics[i] = events.Topic(w.cfg.TopicPrefix, ctxName)
	}
	consumer, err := events.NewConsumer(events.ConsumerConfig{Brokers: w.cfg.Brokers, Group: c.Group, Topics: topics,
		DB: w.env.DB, Handler: c.Handler, Batch: c.Batch, BatchHandler: c.BatchHandler, Logger: w.env.Logger, Metrics: w.env.Metrics})
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", c.Group, err)
	}
	return consumer, nil
}
