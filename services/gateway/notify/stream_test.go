package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sse is a client of the stream: its events arrive on events.
type sse struct {
	events chan sseEvent
	cancel context.CancelFunc
	done   chan struct{}
}

// sseEvent is one event or comment of the stream.
type sseEvent struct {
	id, name, data, comment string
}

// openStream connects to srv's stream, with lastID as Last-Event-ID when set.
func openStream(t *testing.T, srv *httptest.Server, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/notifications/stream", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &sse{events: make(chan sseEvent, 100), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sse) close() { s.cancel(); <-s.done }

// next returns the next notification of the stream (skipping comments).
func (s *sse) next(t *testing.T) Notification {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev.name != "notification" {
				continue
			}
			var n Notification
			if err := json.Unmarshal([]byte(ev.data), &n); err != nil || n.ID != ev.id {
				t.Fatalf("event %+v: %v", ev, err)
			}
			return n
		case <-timeout:
			t.Fatal("no notification on the stream")
		}
	}
}

// TestStream checks the stream delivers a notification live, through the
// LISTEN of a hub, replays after a reconnect with Last-Event-ID what was
// stored meanwhile, and sends heartbeats; a bad Last-Event-ID is a 400.
func TestStream(t *testing.T) {
	e := newEnv(t)
	rep := e.user(t, e.tenantA, "Rep Ray", "ray@example.com", "en", "active")
	e.startConsumer(t, false)
	// Two replicas' hubs, a stream on each: the consumer's NOTIFY reaches
	// both.
	hub, other := NewHub(e.appURL, quiet), NewHub(e.appURL, quiet)
	run(t, hub.Run)
	run(t, other.Run)
	srv := serve(t, e.api(t, hub, func(a *API) { a.heartbeat = 200 * time.Millisecond }), e.tenantA, rep)

	// One stored before the stream opens is not sent without Last-Event-ID.
	e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(rep, ""))
	first := e.wait(t, e.tenantA, rep, 1)[0]
	s := openStream(t, srv, "")
	onOther := openStream(t, serve(t, e.api(t, other), e.tenantA, rep), "")
	time.Sleep(300 * time.Millisecond) // the hubs listen before the next event
	e.publish(t, e.tenantA, TypeContactUpdated, contactUpdated(rep, "ownerId"))
	live := s.next(t)
	if live.Kind != KindRecordAssigned || live.ID == first.ID {
		t.Fatalf("live: %+v", live)
	}
	if n := onOther.next(t); n.ID != live.ID {
		t.Errorf("the other replica's stream got %+v, want %s", n, live.ID)
	}
	onOther.close()
	heartbeat := false
	for !heartbeat {
		select {
		case ev := <-s.events:
			heartbeat = ev.comment == "heartbeat"
		case <-time.After(5 * time.Second):
			t.Fatal("no heartbeat")
		}
	}
	s.close()

	e.publish(t, e.tenantA, TypeAccountUpdated, accountUpdated(rep, "ownerId"))
	e.publish(t, e.tenantA, TypeOpportunityUpdated, opportunityUpdated(rep, "ownerId"))
	e.wait(t, e.tenantA, rep, 4)
	again := openStream(t, srv, live.ID)
	// (in the order they were stored, which the two partitions decide)
	if a, b := again.next(t), again.next(t); a.Params["entity"]+b.Params["entity"] != "accountopportunity" &&
		a.Params["entity"]+b.Params["entity"] != "opportunityaccount" || a.ID >= b.ID {
		t.Errorf("replayed %+v and %+v, want the account and the opportunity, oldest first", a, b)
	}
	// From the start: all four, oldest first.
	all := openStream(t, srv, first.ID)
	if n := all.next(t); n.ID != live.ID {
		t.Errorf("replay after the first: %+v, want %s", n, live.ID)
	}

	// A stream's lifetime over, it ends: the client reconnects.
	short := serve(t, e.api(t, hub, func(a *API) { a.lifetime = 300 * time.Millisecond }), e.tenantA, rep)
	select {
	case <-openStream(t, short, "").done:
	case <-time.After(10 * time.Second):
		t.Error("a stream outlived its lifetime")
	}

	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/v1/notifications/stream", nil)
	req.Header.Set("Last-Event-ID", "42")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	_, _ = bufio.NewReader(res.Body).WriteTo(&sb)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(sb.String(), `"field":"Last-Event-ID"`) {
		t.Errorf("a bad Last-Event-ID: %d %s, want 400 naming it", res.StatusCode, sb.String())
	}
}
