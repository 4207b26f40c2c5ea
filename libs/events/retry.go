package events

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"
)

// transientWaitMax bounds the wait between tries of work that failed for a
// passing reason: the most a recovered database waits for its consumers.
const transientWaitMax = 5 * time.Second

// untilLasting runs try until it succeeds, fails for a reason that waiting
// cannot cure (not pg.Transient: a bad payload, a handler's own refusal),
// or ctx ends; it returns try's last error (ctx's, when ctx ended). Between
// transient failures it waits Backoff, doubled each time up to
// transientWaitMax, without limit on their number: the event is valid, the
// database is restarting or full, and the offset stays uncommitted until it
// is back. Such failures never bring an event nearer the dead-letter topic.
func (c *Consumer) untilLasting(ctx context.Context, try func() error) error {
	wait := c.cfg.Backoff
	for tries := 1; ; tries++ {
		err := try()
		if err == nil || !pg.Transient(err) || ctx.Err() != nil {
			return err
		}
		c.cfg.Logger.WarnContext(ctx, "events: the database failed for a passing reason; trying again", "group", c.cfg.Group, "tries", tries, "wait", wait.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, transientWaitMax)
	}
}
