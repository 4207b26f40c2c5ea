package messaging

import (
	"context"

	"github.com/rapport-crm/rapport/libs/mailrelay"
)

// line is a worker's connection to the relay, kept from one batch to the
// next.
type line struct{ sess *mailrelay.Session }

// session is the line's session, opened (or opened again when the relay
// dropped it while idle) for a batch whose Message-IDs are of domain.
func (l *line) session(ctx context.Context, r *mailrelay.Relay, domain string) (*mailrelay.Session, error) {
	if l.sess != nil && l.sess.Noop() != nil {
		l.hangUp()
	}
	if l.sess == nil {
		sess, err := r.Open(ctx, domain)
		if err != nil {
			return nil, err
		}
		l.sess = sess
	}
	return l.sess, nil
}

// hangUp ends the line's session, if any.
func (l *line) hangUp() {
	if l.sess != nil {
		l.sess.Close()
		l.sess = nil
	}
}

// Deliver sends one composed mail, raw, from from to to through the relay
// in a session of its own: the mails of other contexts (forms'
// confirmations) that are not a send's messages. ErrNoRelay when none is
// configured.
func (c Config) Deliver(ctx context.Context, from, to string, raw []byte) error {
	if c.Relay == nil {
		return ErrNoRelay
	}
	return c.Relay.Deliver(ctx, from, to, raw)
}
