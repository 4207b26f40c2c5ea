package delivery

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// listen wakes Run on every NOTIFY on Channel until ctx ends, and when the
// listener reconnects (signals may have been missed then).
func (d *Dispatcher) listen(ctx context.Context) {
	l := pq.NewListener(d.cfg.DatabaseURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			d.cfg.Logger.Warn("webhook deliveries listener", "event", ev, "error", err.Error())
		}
	})
	defer l.Close()
	if err := l.Listen(Channel); err != nil {
		d.cfg.Logger.Error("webhook deliveries: listen failed; polling only", "error", err.Error())
		return
	}
	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.Notify:
			d.poke()
		case <-ping.C:
			go func() { _ = l.Ping() }()
		}
	}
}
