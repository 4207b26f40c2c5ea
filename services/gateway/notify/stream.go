package notify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// replayBatch bounds one read of the notifications a stream has not sent.
const replayBatch = 100

// stream serves GET /v1/notifications/stream: Server-Sent Events, each a
// notification of the caller ("event: notification", its id as the
// event's id, its JSON as data), and a comment every heartbeat. With
// Last-Event-ID, those after it are sent first (what a reconnecting client
// missed); without, only those stored from now on. It ends when the
// client goes, the gateway stops or its lifetime is over: the client then
// reconnects with its current token, so a revoked session or a disabled
// user does not keep a stream.
func (a *API) stream(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ctx := r.Context()
	last := r.Header.Get("Last-Event-ID")
	if last != "" && !ids.Valid(last) {
		e := ErrBadLastEventID.WithDetail("Last-Event-ID %q is not a notification id", last)
		e.Fields = []errs.FieldError{{Field: "Last-Event-ID", Reason: "must be the id of an event of this stream"}}
		return e
	}
	// Subscribed before reading the starting point: nothing stored in
	// between is missed.
	sub := a.hub.Subscribe(p.TenantID, p.UserID)
	defer sub.Close()
	if last == "" {
		var err error
		if last, err = a.store.Latest(ctx, p.TenantID, p.UserID); err != nil {
			return err
		}
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The client reconnects after 3 s when the connection drops.
	if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil {
		return nil
	}
	beat := time.NewTicker(a.heartbeat)
	defer beat.Stop()
	end := time.NewTimer(a.lifetime)
	defer end.Stop()
	for {
		var err error
		if last, err = a.send(w, r, p, last); err != nil {
			return nil // the client is gone, or the store failed: it reconnects and replays
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-a.hub.Done():
			return nil
		case <-end.C:
			return nil
		case <-sub.Wake():
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		}
	}
}

// send writes the caller's notifications after last and returns the id of
// the last one written.
func (a *API) send(w http.ResponseWriter, r *http.Request, p auth.Principal, last string) (string, error) {
	for {
		list, err := a.store.Since(r.Context(), p.TenantID, p.UserID, last, replayBatch)
		if err != nil {
			return last, err
		}
		for _, n := range list {
			data, err := json.Marshal(n)
			if err != nil {
				return last, err
			}
			if _, err := fmt.Fprintf(w, "id: %s\nevent: notification\ndata: %s\n\n", n.ID, data); err != nil {
				return last, err
			}
			last = n.ID
		}
		if len(list) < replayBatch {
			return last, nil
		}
	}
}
