package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Hub is one gateway replica's listener on Channel: it wakes the streams
// of the user each signalled notification belongs to, whichever replica's
// consumer stored it. A stream woken reads what it has not sent yet from
// the store, so a signal carries no notification and a lost one (while
// the listener reconnects) costs nothing: every stream is woken then.
type Hub struct {
	dsn    string
	logger *slog.Logger

	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{} // tenant/user → its streams
	done chan struct{}                         // closed when Run returns
}

// Subscription is one stream's interest in its user's notifications.
type Subscription struct {
	hub  *Hub
	key  string
	wake chan struct{}
}

// NewHub returns a Hub listening through a connection of its own to dsn;
// Run listens.
func NewHub(dsn string, logger *slog.Logger) *Hub {
	return &Hub{dsn: dsn, logger: logger, subs: map[string]map[*Subscription]struct{}{}, done: make(chan struct{})}
}

// Run listens on Channel until ctx ends; the streams end then too.
func (h *Hub) Run(ctx context.Context) error {
	defer close(h.done)
	l := pq.NewListener(h.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			h.logger.Warn("notifications listener", "event", ev, "error", err.Error())
		}
	})
	defer l.Close()
	if err := l.Listen(Channel); err != nil {
		return fmt.Errorf("notify: listen: %w", err)
	}
	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected: signals may have been missed
				h.wakeAll()
				continue
			}
			var s signal
			if err := json.Unmarshal([]byte(n.Extra), &s); err != nil {
				h.logger.Warn("notifications listener: bad payload", "payload", n.Extra)
				continue
			}
			h.wakeUser(s.TenantID + "/" + s.UserID)
		case <-ping.C:
			go func() { _ = l.Ping() }()
		}
	}
}

// Done is closed when Run has returned.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Subscribe registers a stream of user of tenant; Close it when done.
func (h *Hub) Subscribe(tenant, user string) *Subscription {
	s := &Subscription{hub: h, key: tenant + "/" + user, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[s.key] == nil {
		h.subs[s.key] = map[*Subscription]struct{}{}
	}
	h.subs[s.key][s] = struct{}{}
	return s
}

// Wake receives when the user may have notifications the stream has not
// sent; wakes that come while one waits are one.
func (s *Subscription) Wake() <-chan struct{} { return s.wake }

// Close unregisters s.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs[s.key], s)
	if len(s.hub.subs[s.key]) == 0 {
		delete(s.hub.subs, s.key)
	}
}

func (h *Hub) wakeUser(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[key] {
		s.poke()
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			s.poke()
		}
	}
}

func (s *Subscription) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
