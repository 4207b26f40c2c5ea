package messaging

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// messageEvent is the payload of message.sent and message.failed.
type messageEvent struct {
	ID         string     `json:"id"`
	SendID     string     `json:"sendId"`
	CampaignID string     `json:"campaignId,omitempty"`
	ContactID  string     `json:"contactId"`
	Channel    string     `json:"channel"`
	Address    string     `json:"address"`
	Variant    string     `json:"variant"`
	SentAt     *time.Time `json:"sentAt,omitempty"`
	FailedAt   *time.Time `json:"failedAt,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// emitMessage publishes message.<verb> of m at (sent or failed with
// errText).
func emitMessage(ctx context.Context, tx *outbox.Tx, verb string, m message, at time.Time, errText string) error {
	ev := messageEvent{ID: m.ID, SendID: m.SendID, CampaignID: m.CampaignID.String, ContactID: m.ContactID, Channel: m.Channel,
		Address: m.Address, Variant: m.Variant, Error: errText}
	if verb == marketingdb.VerbSent {
		ev.SentAt = &at
	} else {
		ev.FailedAt = &at
	}
	return tx.Emit(ctx, marketingdb.EntityMessage, verb, m.ID, ev, nil)
}

// books is the context of recording a result: ctx's values without its
// end, bounded, so that what the relay did is recorded even when the
// sender is stopping.
func books(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
}

// recheck confirms that o may go out now (recheck); a message of a
// canceled send is recorded canceled.
func (s *Sender) recheck(ctx context.Context, tenant string, o *outgoing) bool {
	ok := false
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var err error
		ok, err = recheck(ctx, tx, o.msg.ID, s.id, s.now())
		if err != nil || ok {
			return err
		}
		_, err = finish(ctx, tx, o.msg.ID, s.id, msgCanceled, "", "", nil)
		return err
	})
	if err != nil {
		s.logger.WarnContext(ctx, "marketing sends: a message could not be checked before sending; it is tried again later",
			"tenant", tenant, "message", o.msg.ID, "error", err.Error())
		s.release(ctx, tenant, []message{o.msg})
		return false
	}
	return ok
}

// sent records o sent (with the SMS provider's id) and publishes
// message.sent.
func (s *Sender) sent(ctx context.Context, tenant string, o *outgoing, providerID string) {
	ctx, cancel := books(ctx)
	defer cancel()
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		at := s.now()
		ok, err := finish(ctx, tx, o.msg.ID, s.id, msgSent, "", providerID, &at)
		if err != nil || !ok {
			return err
		}
		return emitMessage(ctx, tx, marketingdb.VerbSent, o.msg, at, "")
	})
	if err != nil {
		s.logger.ErrorContext(ctx, "marketing sends: a message went out but is not recorded sent; it fails once its claim is stale, never sent again",
			"tenant", tenant, "message", o.msg.ID, "error", err.Error())
	}
}

// record records the end of o that did not go out: excluded with its
// reason, or failed with its error (message.failed).
func (s *Sender) record(ctx context.Context, tenant string, o *outgoing) {
	ctx, cancel := books(ctx)
	defer cancel()
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if o.reason != "" {
			_, err := finish(ctx, tx, o.msg.ID, s.id, msgExcluded, o.reason, "", nil)
			return err
		}
		ok, err := finish(ctx, tx, o.msg.ID, s.id, msgFailed, o.err.Error(), "", nil)
		if err != nil || !ok {
			return err
		}
		return emitMessage(ctx, tx, marketingdb.VerbFailed, o.msg, s.now(), o.err.Error())
	})
	if err != nil {
		s.logger.ErrorContext(ctx, "marketing sends: a message's end is not recorded", "tenant", tenant, "message", o.msg.ID,
			"error", err.Error())
	}
}

// retry puts msgs, refused for now by cause, back in the queue, due after
// the delay of their attempts; those tried maxAttempts times fail.
func (s *Sender) retry(ctx context.Context, tenant string, msgs []message, cause error) {
	for _, m := range msgs {
		if m.Attempts >= maxAttempts {
			s.record(ctx, tenant, &outgoing{msg: m, err: cause})
			continue
		}
		delay := min(retryDelay<<(m.Attempts-1), maxRetryDelay)
		s.requeue(ctx, tenant, []message{m}, s.now().Add(delay), cause.Error(), false)
	}
}

// release gives msgs, never tried, back to the queue at once.
func (s *Sender) release(ctx context.Context, tenant string, msgs []message) {
	s.requeue(ctx, tenant, msgs, s.now(), "", true)
}

// requeue runs requeue in a transaction of tenant, logging its failure
// (the messages then fail once their claim is stale).
func (s *Sender) requeue(ctx context.Context, tenant string, msgs []message, next time.Time, errText string, undo bool) {
	if len(msgs) == 0 {
		return
	}
	ctx, cancel := books(ctx)
	defer cancel()
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return requeue(ctx, tx, idsOf(msgs), s.id, next, errText, undo) })
	if err != nil {
		s.logger.ErrorContext(ctx, "marketing sends: messages not given back to the queue", "tenant", tenant, "error", err.Error())
	}
}
