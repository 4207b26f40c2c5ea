package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// SenderConfig configures a Sender; every field has a default.
type SenderConfig struct {
	Logger *slog.Logger
	// Attempts bounds the tries of one email (default 5); Backoff is the
	// wait after the first refusal (default 30s), doubled after each
	// further one up to MaxBackoff (default 1h).
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Poll is how often an idle Sender looks for due emails (default 2s).
	Poll time.Duration
}

// Sender sends the queued emails of notifications (notification_emails)
// through a Mailer. Every gateway replica runs one: each email is claimed
// with FOR UPDATE SKIP LOCKED in a transaction of its tenant and held
// while it is sent, so two Senders never send it both, and one queued
// when a replica stopped is sent by another or by the next start.
type Sender struct {
	db     *sqlx.DB
	mailer *Mailer
	cfg    SenderConfig
}

// tenantsPerPass bounds the tenants one pass of a Sender visits.
const tenantsPerPass = 100

// NewSender returns a Sender of the emails queued in db (the gateway's
// database, as its runtime role) through mailer; Run sends.
func NewSender(db *sqlx.DB, mailer *Mailer, cfg SenderConfig) *Sender {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	return &Sender{db: db, mailer: mailer, cfg: cfg}
}

// Run sends the due emails until ctx ends, looking again every Poll.
func (s *Sender) Run(ctx context.Context) {
	for {
		if err := s.pass(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("notification emails: a pass failed", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.Poll):
		}
	}
}

// pass sends every email due now of up to tenantsPerPass tenants.
func (s *Sender) pass(ctx context.Context) error {
	tenants, err := dueEmailTenants(ctx, s.db, tenantsPerPass)
	if err != nil {
		return err
	}
	for _, tenant := range tenants {
		for {
			handled, err := s.sendOne(ctx, tenant)
			if err != nil {
				return err
			}
			if !handled {
				break
			}
		}
	}
	return nil
}

// sendOne claims one due email of tenant and, holding it, sends it: sent,
// or addressed to no active user, it is deleted; refused, it waits its
// backoff, or after the last attempt ends failed. It reports whether it
// found one.
func (s *Sender) sendOne(ctx context.Context, tenant string) (handled bool, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		j, err := claimEmail(ctx, tx)
		if err != nil || j == nil {
			return err
		}
		handled = true
		log := s.cfg.Logger.With("tenant_id", tenant, "email_id", j.ID, "kind", j.Kind)
		if j.Status != "active" || j.Email == "" {
			log.Debug("notification email dropped: its user is no longer active")
			return dropEmail(ctx, tx, j.ID)
		}
		msg, err := j.mail()
		if err != nil {
			log.Error("notification email not sent", "attempts", j.Attempts, "error", err.Error())
			return failEmail(ctx, tx, j.ID, j.Attempts, err.Error())
		}
		sendErr := s.mailer.Send(ctx, msg)
		if sendErr == nil {
			return dropEmail(ctx, tx, j.ID)
		}
		if ctx.Err() != nil {
			return ctx.Err() // stopping: the email stays due, untouched
		}
		attempts := j.Attempts + 1
		if attempts >= s.cfg.Attempts {
			log.Error("notification email not sent", "attempts", attempts, "error", sendErr.Error())
			return failEmail(ctx, tx, j.ID, attempts, sendErr.Error())
		}
		wait := s.backoff(attempts)
		log.Warn("notification email refused; retrying", "attempt", attempts, "retry_in", wait.String(), "error", sendErr.Error())
		return retryEmail(ctx, tx, j.ID, attempts, wait, sendErr.Error())
	})
	return handled, err
}

// backoff is the wait after the attempts-th refusal: Backoff doubled
// attempts-1 times, at most MaxBackoff.
func (s *Sender) backoff(attempts int) time.Duration {
	wait := s.cfg.Backoff
	for i := 1; i < attempts && wait < s.cfg.MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, s.cfg.MaxBackoff)
}

// mail is the Mail of j; an error when its kind is no longer registered
// or its params are not an object of strings.
func (j *emailJob) mail() (Mail, error) {
	kind, ok := lookupKind(j.Kind)
	if !ok {
		return Mail{}, fmt.Errorf("the kind %q is not registered", j.Kind)
	}
	var params map[string]string
	if err := json.Unmarshal(j.Params, &params); err != nil {
		return Mail{}, fmt.Errorf("params: %w", err)
	}
	return Mail{To: j.Email, Name: j.Name, Locale: j.Locale, TimeZone: j.TimeZone, Kind: kind, Params: params, Link: j.Link}, nil
}
