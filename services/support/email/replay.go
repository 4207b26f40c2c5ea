package email

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// ReplayEvery is how often the mail kept but not delivered is delivered
// again.
const ReplayEvery = time.Minute

// replayBatch bounds the tenants, and the mails of each, of one replay.
const replayBatch = 20

// ReplayJob is the job delivering again what was kept but not delivered.
func (c *Channel) ReplayJob() starter.Job {
	return starter.Job{Name: "replay undelivered mail", Every: ReplayEvery, Run: c.receiver.Replay}
}

// Replay delivers again the mails kept for a minute without being
// delivered, up to maxAttempts tries each. A mail delivered meanwhile by
// another instance is found by its Message-ID and lands once.
func (r *Receiver) Replay(ctx context.Context) error {
	tenants, err := undeliveredTenants(ctx, r.db.Pool(), replayBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, tenant := range tenants {
		var mails []inbound
		err := r.db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
			mails, err = undelivered(ctx, tx, replayBatch)
			return err
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, in := range mails {
			m := mailparse.Parse(in.Raw, r.limits)
			rt := route{Tenant: tenant}
			if in.MailboxID != nil {
				rt.Mailbox = *in.MailboxID
			}
			if _, err := r.deliverAndMark(ctx, rt, in.ID, m, automatic(m, r.cfg.domain())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
