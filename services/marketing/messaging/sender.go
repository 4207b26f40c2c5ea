package messaging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mailrelay"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// Sender is the sending job, run by every replica: it starts the sends
// due (their recipients made into messages), sends their messages and
// completes the sends with none left.
//
// Exactly once per recipient, at most once when in doubt. The row of
// messages (send, contact) is the idempotency record; a message goes out
// only from status sending, claimed by this sender:
//
//  1. claim: queued messages due are moved to sending with the sender's
//     id, the time and (email) their fixed Message-ID, FOR UPDATE SKIP
//     LOCKED, within the tenant's throttle, and committed;
//  2. recheck: just before its SMTP transaction (or SMS request) the row
//     is checked to be still this sender's and its send not canceled, and
//     the claim renewed, in a transaction of its own;
//  3. the SMTP transaction; then in one transaction the row becomes sent
//     and message.sent is published (failed and message.failed when the
//     relay refused it for good).
//
// A refusal before the relay accepted the mail (a 4xx, a connection lost
// before the end of DATA, a relay unreachable) puts the message back in
// the queue, due later, up to maxAttempts. A connection lost after the end
// of DATA and before the relay's answer, or a sender that stops there (a
// crash, a kill), leaves it unknown whether the relay took the mail: such
// a message fails with "interrupted; not retried to avoid a duplicate" —
// at once when the sender sees it, else when its claim is older than
// staleAfter — and is never sent again. Two replicas never hold the same
// row, and a row that is sent or failed is never claimed again.
type Sender struct {
	db     *outbox.DB
	cfg    Config
	id     string
	logger *slog.Logger
	now    func() time.Time
}

// Bounds of the sending job.
const (
	// SendEvery is how often the job looks for work.
	SendEvery = time.Second
	// tenantsPerRound is how many tenants one round takes on.
	tenantsPerRound = 64
	// materializeBatch is how many members one transaction makes into
	// messages.
	materializeBatch = 1000
	// claimBatch is how many messages a claim takes, sent over one SMTP
	// connection.
	claimBatch = 20
	// batchesPerTenant is how many claims each worker of a round makes
	// for a tenant before it turns to the next.
	batchesPerTenant = 50
	// workers is how many batches of a tenant an instance sends at once,
	// each over its own connection to the relay.
	workers = 4
	// staleAfter is how old a claim of a message still sending is when
	// its sender is deemed gone: longer than one SMTP transaction takes.
	staleAfter = 5 * time.Minute
	// maxAttempts is how often a message is tried before it fails: the
	// last about 20 minutes after the first.
	maxAttempts = 8
	// retryDelay is the wait after a first temporary refusal, doubled
	// after each, at most maxRetryDelay.
	retryDelay    = 5 * time.Second
	maxRetryDelay = 15 * time.Minute
	// bookkeeping bounds recording a result after the job's context ended.
	bookkeeping = 10 * time.Second
)

// NewSender returns the sending job's worker on db, configured with cfg.
func NewSender(db *outbox.DB, cfg Config, logger *slog.Logger) *Sender {
	host, _ := os.Hostname()
	return &Sender{db: db, cfg: cfg, id: host + "/" + ids.New(), logger: logger, now: pg.Now}
}

// Job is the sending job, for the service's jobs.
func (s *Sender) Job() starter.Job {
	return starter.Job{Name: "marketing sends", Every: SendEvery, Run: s.Run}
}

// Run works on every tenant with sends to start, messages to send or
// sends to complete.
func (s *Sender) Run(ctx context.Context) error {
	if s.cfg.Off {
		return nil
	}
	tenants, err := tenantsDue(ctx, s.db, tenantsPerRound)
	if err != nil {
		return err
	}
	var failed error
	for _, tenant := range tenants {
		if ctx.Err() != nil {
			return nil
		}
		if err := s.tenant(ctx, tenant); err != nil {
			s.logger.WarnContext(ctx, "marketing sends: a tenant's sends failed; they go on at the next turn", "tenant", tenant, "error", err.Error())
			failed = err
		}
	}
	return failed
}

// tenant starts, sends (workers at once, each over its own connection
// to the relay) and completes the sends of tenant.
func (s *Sender) tenant(ctx context.Context, tenant string) error {
	if err := s.start(ctx, tenant); err != nil {
		return err
	}
	failed := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var l line
			defer l.hangUp()
			for range batchesPerTenant {
				n, err := s.deliver(ctx, tenant, &l)
				if err != nil || n == 0 || ctx.Err() != nil {
					failed[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(failed...); err != nil {
		return err
	}
	return s.complete(ctx, tenant)
}

// deliver claims a batch of the tenant's messages and sends it; it
// returns how many it claimed.
func (s *Sender) deliver(ctx context.Context, tenant string, l *line) (int, error) {
	var b batch
	var msgs []message
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		now := s.now()
		stale, err := failStale(ctx, tx, now.Add(-staleAfter))
		if err != nil {
			return err
		}
		for _, m := range stale {
			s.logger.WarnContext(ctx, "marketing sends: a message's sender stopped while sending it; it is not sent again",
				"tenant", tenant, "message", m.ID)
			if err := emitMessage(ctx, tx, marketingdb.VerbFailed, m, now, errInterrupted.Error()); err != nil {
				return err
			}
		}
		if b, err = s.batchOf(ctx, tx, tenant); err != nil {
			return err
		}
		q, err := quotaIn(ctx, tx, now)
		if err != nil {
			return err
		}
		n := min(claimBatch, b.settings.ThrottlePerMinute-q.Used)
		if n <= 0 {
			return nil
		}
		if msgs, err = claim(ctx, tx, s.id, b.domain, now, n); err != nil {
			return err
		}
		b.claimed = now
		q.Used += len(msgs)
		return saveQuota(ctx, tx, q)
	})
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	return len(msgs), s.sendBatch(ctx, b, msgs, l)
}

// batchOf reads what the tenant's messages are sent with.
func (s *Sender) batchOf(ctx context.Context, tx *outbox.Tx, tenant string) (batch, error) {
	set, err := settingsIn(ctx, tx)
	if err != nil {
		return batch{}, err
	}
	b := batch{tenant: tenant, settings: set, from: set.FromAddress}
	if b.from == "" {
		b.from = s.cfg.MailFrom
		if b.settings.FromName == "" {
			b.settings.FromName = s.cfg.MailFromName
		}
	}
	b.domain = domainOf(b.from)
	if set.DKIM != nil {
		b.domain = set.DKIM.Domain
		if b.key, err = parseKey(set.DKIM.PrivateKey); err != nil {
			return batch{}, fmt.Errorf("the tenant's DKIM key: %w", err)
		}
	}
	if b.domain == "" {
		b.domain = "rapport.invalid"
	}
	return b, nil
}

// sendBatch prepares and sends the claimed msgs of b, the mails over the
// line l, recording each one's end.
func (s *Sender) sendBatch(ctx context.Context, b batch, msgs []message, l *line) error {
	var out []outgoing
	err := s.db.InTx(ctx, b.tenant, func(tx *outbox.Tx) error {
		var err error
		out, err = s.prepare(ctx, tx, b, msgs)
		return err
	})
	if err != nil {
		s.release(ctx, b.tenant, msgs)
		return err
	}
	checked := false      // the line was checked for this batch
	var unreachable error // the relay could not be reached: the batch's mails wait
	for i := range out {
		o := &out[i]
		if ctx.Err() != nil {
			s.release(ctx, b.tenant, messagesOf(out[i:]))
			return nil
		}
		if o.reason != "" || o.err != nil {
			s.record(ctx, b.tenant, o)
			continue
		}
		s.renew(ctx, &b, out[i:])
		if o.msg.Channel == templates.ChannelSMS {
			s.sendSMS(ctx, b, o)
			continue
		}
		if s.cfg.Relay == nil {
			o.err = ErrNoRelay
			s.record(ctx, b.tenant, o)
			continue
		}
		if unreachable != nil {
			continue
		}
		if !checked || l.sess == nil {
			if _, err := l.session(ctx, s.cfg.Relay, b.domain); err != nil {
				s.logger.WarnContext(ctx, "marketing sends: the relay could not be reached; the mails are tried again later", "error", err.Error())
				unreachable = err
				s.retry(ctx, b.tenant, emailsOf(out[i:]), err)
				continue
			}
			checked = true
		}
		if broken := s.sendMail(ctx, b, o, l.sess); broken {
			l.hangUp()
		}
	}
	return nil
}

// renewEvery is how old a batch's claims get before the sender renews
// those of its messages still to go: well within staleAfter, so that a
// slow batch's last messages are not taken for a dead sender's.
const renewEvery = staleAfter / 3

// renew renews the claims of the messages of rest when b's are older than
// renewEvery; a failure is logged (the messages are then rechecked one by
// one all the same).
func (s *Sender) renew(ctx context.Context, b *batch, rest []outgoing) {
	now := s.now()
	if now.Sub(b.claimed) < renewEvery {
		return
	}
	err := s.db.InTx(ctx, b.tenant, func(tx *outbox.Tx) error { return renew(ctx, tx, idsOf(messagesOf(rest)), s.id, now) })
	if err != nil {
		s.logger.WarnContext(ctx, "marketing sends: a batch's claims not renewed", "tenant", b.tenant, "error", err.Error())
		return
	}
	b.claimed = now
}

// idsOf is the ids of msgs.
func idsOf(msgs []message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// messagesOf is the messages of out.
func messagesOf(out []outgoing) []message {
	msgs := make([]message, len(out))
	for i, o := range out {
		msgs[i] = o.msg
	}
	return msgs
}

// emailsOf is the messages of out that are emails to send.
func emailsOf(out []outgoing) []message {
	var msgs []message
	for _, o := range out {
		if o.msg.Channel == templates.ChannelEmail && o.reason == "" && o.err == nil {
			msgs = append(msgs, o.msg)
		}
	}
	return msgs
}

// sendMail sends the mail of o in the session sess and records how it
// ended; it says whether the session's connection broke.
func (s *Sender) sendMail(ctx context.Context, b batch, o *outgoing, sess *mailrelay.Session) bool {
	raw, err := compose(o.mail, s.now(), b.key, b.domain, selectorOf(b.settings))
	if err != nil {
		o.err = err
		s.record(ctx, b.tenant, o)
		return false
	}
	if !s.recheck(ctx, b.tenant, o) {
		return false
	}
	err = sess.Send(b.from, o.msg.Address, raw)
	var re *mailrelay.Error
	switch {
	case err == nil:
		s.sent(ctx, b.tenant, o, "")
		return false
	case errors.As(err, &re) && re.Outcome == mailrelay.Retry:
		s.retry(ctx, b.tenant, []message{o.msg}, err)
	case errors.As(err, &re) && re.Outcome == mailrelay.Uncertain:
		o.err = fmt.Errorf("%w (%v)", errInterrupted, err)
		s.record(ctx, b.tenant, o)
	default:
		o.err = err
		s.record(ctx, b.tenant, o)
	}
	return errors.As(err, &re) && re.Broken
}

// selectorOf is the DKIM selector of set ("" unsigned).
func selectorOf(set Settings) string {
	if set.DKIM == nil {
		return ""
	}
	return set.DKIM.Selector
}

// sendSMS sends the SMS of o and records how it ended.
func (s *Sender) sendSMS(ctx context.Context, b batch, o *outgoing) {
	if s.cfg.SMS == nil {
		o.err = ErrNoSMS
		s.record(ctx, b.tenant, o)
		return
	}
	if !s.recheck(ctx, b.tenant, o) {
		return
	}
	id, err := s.cfg.SMS.Send(ctx, o.sms)
	var se *SMSError
	switch {
	case err == nil:
		s.sent(ctx, b.tenant, o, id)
	case errors.As(err, &se) && se.Retry:
		s.retry(ctx, b.tenant, []message{o.msg}, err)
	case errors.As(err, &se) && se.Uncertain:
		o.err = fmt.Errorf("%w (%v)", errInterrupted, err)
		s.record(ctx, b.tenant, o)
	default:
		o.err = err
		s.record(ctx, b.tenant, o)
	}
}
