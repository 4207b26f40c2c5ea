package main

import (
	"context"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
	"github.com/rapport-crm/rapport/services/gateway/webhooks"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// webhookBatch is how many events the fan-out applies in one transaction
// at most (libs/events' batch mode).
const webhookBatch = 500

// startWebhooks starts, each until ctx ends: with KAFKA_BROKERS, the outbox
// relay publishing the gateway's webhook events (rapport.webhooks.v1); and
// with GATEWAY_WEBHOOKS on (the default), this replica's fan-out (the
// consumer group gateway-webhooks on every built service's topic and the
// gateway's, with KAFKA_BROKERS) and its dispatcher sending the deliveries.
// It returns the API to mount, which answers either way.
func startWebhooks(ctx context.Context, cfg config, db *sqlx.DB, cursors *kitx.Cursors, metrics *obs.Metrics, logger *slog.Logger) (*webhooks.API, error) {
	sealer, err := webhooks.NewSealer(cfg.DataKey)
	if err != nil {
		return nil, err
	}
	cat := catalogue.Default()
	cache := webhooks.NewCache(cat, webhooks.DefaultCacheTTL)
	store := webhooks.NewStore(db, sealer, events.Topic(cfg.TopicPrefix, webhooks.Context), cache)
	if len(cfg.Brokers) > 0 {
		pub := events.NewPublisher(cfg.Brokers)
		relay, err := outbox.NewRelay(outbox.RelayConfig{DB: db, DSN: cfg.DatabaseURL, Publisher: pub, Logger: logger, Metrics: metrics})
		if err != nil {
			return nil, err
		}
		go func() {
			defer pub.Close()
			if err := relay.Run(ctx); err != nil {
				logger.Error("webhooks' outbox relay stopped", "error", err.Error())
			}
		}()
	}
	if !cfg.Webhooks {
		return webhooks.NewAPI(store, cat, cursors, cfg.WebhookAllowPrivate), nil
	}
	if len(cfg.Brokers) > 0 {
		h := webhooks.NewHandler(cache, logger)
		consumer := events.ConsumerConfig{
			Brokers: cfg.Brokers, Group: webhooks.ConsumerGroup, Topics: webhooks.Topics(cfg.TopicPrefix), DB: db,
			Handler: h.Handle, Batch: webhookBatch, BatchHandler: h.HandleBatch, Logger: logger, Metrics: metrics,
		}
		if _, err := events.NewConsumer(consumer); err != nil {
			return nil, err
		}
		go consume(ctx, consumer, "webhooks", logger)
	}
	dc := cfg.webhookDelivery()
	dc.Open, dc.OnDisabled, dc.Logger, dc.Metrics = sealer.Open, store.OnDisabled, logger, metrics.Registry()
	dispatcher := delivery.NewDispatcher(db, dc)
	go func() {
		if err := dispatcher.Run(ctx); err != nil {
			logger.Error("webhook dispatcher stopped", "error", err.Error())
		}
	}()
	return webhooks.NewAPI(store, cat, cursors, cfg.WebhookAllowPrivate), nil
}
