package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/notify"
)

// notifications starts what makes and delivers the notifications, each
// until ctx ends: this replica's hub (LISTEN), the sender of the queued
// emails with GATEWAY_SMTP_URL, and the consumer of the services' events with
// KAFKA_BROKERS (without, nothing makes notifications; the API still
// answers). It returns the API to mount.
func notifications(ctx context.Context, cfg config, db *sqlx.DB, cursors *kitx.Cursors, metrics events.Metrics, logger *slog.Logger) (*notify.API, error) {
	hub := notify.NewHub(cfg.DatabaseURL, logger)
	go func() {
		if err := hub.Run(ctx); err != nil {
			logger.Error("notifications hub stopped", "error", err.Error())
		}
	}()
	if cfg.SMTPURL != "" {
		mailer, err := notify.NewMailer(notify.MailerConfig{URL: cfg.SMTPURL, From: cfg.MailFrom, PublicURL: cfg.PublicURL})
		if err != nil {
			return nil, err
		}
		go notify.NewSender(db, mailer, notify.SenderConfig{Logger: logger}).Run(ctx)
	}
	if len(cfg.Brokers) > 0 {
		consumer := events.ConsumerConfig{
			Brokers: cfg.Brokers, Group: notify.ConsumerGroup, Topics: notify.Topics(cfg.TopicPrefix), DB: db,
			Handler: notify.NewHandler(cfg.SMTPURL != "", logger).Handle, Logger: logger, Metrics: metrics,
		}
		if _, err := events.NewConsumer(consumer); err != nil {
			return nil, err
		}
		go consume(ctx, consumer, "notifications", logger)
	}
	return notify.NewAPI(notify.NewStore(db), hub, cursors), nil
}

// consume runs a consumer of cfg (what names it in the log) until ctx
// ends, a new one a few seconds after one stops on an error (a failed
// offset commit).
func consume(ctx context.Context, cfg events.ConsumerConfig, what string, logger *slog.Logger) {
	for ctx.Err() == nil {
		c, err := events.NewConsumer(cfg)
		if err == nil {
			err = c.Run(ctx)
		}
		if err == nil {
			return
		}
		logger.Error(what+" consumer stopped; restarting", "error", err.Error())
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}
