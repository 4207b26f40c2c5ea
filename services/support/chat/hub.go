package chat

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/lib/pq"
)

// Hub is the replica's open sockets by session, woken by PostgreSQL's
// notifications on NotifyChannel (Run).
type Hub struct {
	url    string
	logger *slog.Logger

	mu      sync.Mutex
	sockets map[string]map[*socket]struct{}
	closed  bool
}

// NewHub returns the hub listening on the database at url (the service's
// DATABASE_URL).
func NewHub(url string, logger *slog.Logger) *Hub {
	return &Hub{url: url, logger: logger, sockets: map[string]map[*socket]struct{}{}}
}

// Run listens on NotifyChannel until ctx ends, waking the sockets of each
// announced session, and every socket after the listener reconnected (it
// may have missed announcements); then it closes every socket (going
// away). It is the service's starter.Server. Sockets opened before it
// listens are woken once it does.
func (h *Hub) Run(ctx context.Context) error {
	l := pq.NewListener(h.url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			h.logger.Warn("chat: the listener of new messages lost its connection", "error", err.Error())
		}
	})
	defer l.Close()
	if err := l.Listen(NotifyChannel); err != nil {
		return err
	}
	h.wakeAll() // sockets opened before the listener may have missed announcements
	defer h.closeAll()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected
				h.wakeAll()
				continue
			}
			h.wake(n.Extra)
		case <-time.After(time.Minute):
			go func() { _ = l.Ping() }()
		}
	}
}

// add registers s under its session; false when the hub is closed.
func (h *Hub) add(s *socket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if h.sockets[s.sessionID] == nil {
		h.sockets[s.sessionID] = map[*socket]struct{}{}
	}
	h.sockets[s.sessionID][s] = struct{}{}
	return true
}

// stopping reports whether the hub has closed its sockets (the replica
// stops).
func (h *Hub) stopping() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// remove forgets s.
func (h *Hub) remove(s *socket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.sockets[s.sessionID], s)
	if len(h.sockets[s.sessionID]) == 0 {
		delete(h.sockets, s.sessionID)
	}
}

// wake wakes the sockets of the session id.
func (h *Hub) wake(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.sockets[id] {
		s.poke()
	}
}

// wakeAll wakes every socket.
func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.sockets {
		for s := range set {
			s.poke()
		}
	}
}

// closeAll closes every socket (going away), at once, and takes no more.
func (h *Hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	var all []*socket
	for _, set := range h.sockets {
		for s := range set {
			all = append(all, s)
		}
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Go(func() { _ = s.conn.Close(websocket.StatusGoingAway, "the server is stopping") })
	}
	wg.Wait()
}
