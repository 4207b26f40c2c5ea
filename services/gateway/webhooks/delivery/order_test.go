package delivery

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
)

// receiver records the subjects and webhook-ids of what it is sent; fail
// says which requests to answer 500.
type receiver struct {
	mu       sync.Mutex
	subjects []string
	msgIDs   map[string]int
	fail     func(subject string, n int) bool // n: the subject's request number, from 1
	counts   map[string]int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev struct {
		Subject string `json:"subject"`
	}
	_ = json.Unmarshal(body, &ev)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.msgIDs == nil {
		rc.msgIDs, rc.counts = map[string]int{}, map[string]int{}
	}
	rc.counts[ev.Subject]++
	rc.subjects = append(rc.subjects, ev.Subject+"#"+r.Header.Get("webhook-id"))
	if rc.fail != nil && rc.fail(ev.Subject, rc.counts[ev.Subject]) {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.msgIDs[r.Header.Get("webhook-id")]++
}

// TestDeliveryOrderPerSubject: while a subject's first delivery is being
// retried, its later ones wait and go after it in order, and another
// subject's deliveries flow meanwhile.
func TestDeliveryOrderPerSubject(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{fail: func(subject string, n int) bool { return subject == "a" && n <= 2 }}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	var a, b []string
	for range 3 {
		a = append(a, MessageID(e.delivery(t, sub, "a")))
		b = append(b, MessageID(e.delivery(t, sub, "b")))
	}
	e.run(t, Config{Poll: 20 * time.Millisecond, Schedule: []time.Duration{0, 300 * time.Millisecond, 300 * time.Millisecond, time.Second}})

	eventually(t, "every delivery made", func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.msgIDs) == 6
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var gotA, gotB []string
	firstB, lastB, firstRetryA := -1, -1, -1
	for i, s := range rc.subjects {
		subject, id := s[:1], s[2:]
		switch subject {
		case "a":
			gotA = append(gotA, id)
			if len(gotA) == 2 {
				firstRetryA = i
			}
		case "b":
			gotB = append(gotB, id)
			if firstB < 0 {
				firstB = i
			}
			lastB = i
		}
	}
	if want := []string{a[0], a[0], a[0], a[1], a[2]}; !slices.Equal(gotA, want) {
		t.Errorf("subject a sent %v, want %v", gotA, want)
	}
	if !slices.Equal(gotB, b) {
		t.Errorf("subject b sent %v, want %v", gotB, b)
	}
	if firstB < 0 || lastB > firstRetryA {
		t.Errorf("requests %v: subject b should all go before a's first retry", rc.subjects)
	}
}

// TestDeliveryTwoDispatchersOnce: two Dispatchers on one database (two
// gateway replicas) deliver each of many deliveries of two tenants exactly
// once, in order per subject.
func TestDeliveryTwoDispatchersOnce(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	other := &env{admin: e.admin, app: e.app, appURL: e.appURL, tenant: ids.New()}
	perSubject := map[string][]string{}
	for _, en := range []*env{e, other} {
		sub := en.subscription(t, srv.URL, NewSecret())
		for i := range 60 {
			subject := en.tenant[len(en.tenant)-8:] + string(rune('a'+i%5)) // the tenant's random digits
			perSubject[subject] = append(perSubject[subject], MessageID(en.delivery(t, sub, subject)))
		}
	}
	e.run(t, Config{Workers: 4, DatabaseURL: e.appURL, Poll: 50 * time.Millisecond})
	e.run(t, Config{Workers: 4, DatabaseURL: e.appURL, Poll: 50 * time.Millisecond})

	eventually(t, "every delivery succeeded", func() bool {
		var pending int
		if err := e.admin.Get(&pending, `SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'`); err != nil {
			t.Fatal(err)
		}
		return pending == 0
	})
	time.Sleep(200 * time.Millisecond) // a second send would come now
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id, n := range rc.msgIDs {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	got := map[string][]string{}
	for _, s := range rc.subjects {
		subject, id := s[:9], s[10:]
		got[subject] = append(got[subject], id)
	}
	for subject, want := range perSubject {
		if !slices.Equal(got[subject], want) {
			t.Errorf("subject %s sent %v, want %v", subject, got[subject], want)
		}
	}
}

// TestDeliveryWokenByNotify: with polling far off, a NOTIFY on Channel
// (the fan-out's signal) wakes the Dispatcher.
func TestDeliveryWokenByNotify(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	e.run(t, Config{DatabaseURL: e.appURL, Poll: time.Hour})
	time.Sleep(300 * time.Millisecond) // the first pass found nothing; listening
	id := e.delivery(t, sub, "a")
	if _, err := e.app.Exec(`NOTIFY ` + Channel); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the delivery made", func() bool { return e.read(t, id).Status == "succeeded" })
}

// TestDeliveryLease: a delivery leased by another replica (locked_until
// ahead) is left alone, and sent once the lease has run out (as when that
// replica stopped while sending it).
func TestDeliveryLease(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	held, free := e.delivery(t, sub, "a"), e.delivery(t, sub, "b")
	if _, err := e.admin.Exec(`UPDATE webhook_deliveries SET locked_until = now() + interval '1 hour' WHERE id = $1`, held); err != nil {
		t.Fatal(err)
	}
	e.run(t, Config{Poll: 20 * time.Millisecond})
	eventually(t, "the free delivery made", func() bool { return e.read(t, free).Status == "succeeded" })
	time.Sleep(100 * time.Millisecond) // passes that would take it
	if r := e.read(t, held); r.Status != "pending" || r.Attempts != 0 {
		t.Errorf("the held delivery %+v, want untouched while leased", r)
	}
	if _, err := e.admin.Exec(`UPDATE webhook_deliveries SET locked_until = now() - interval '1 second' WHERE id = $1`, held); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the held delivery made after its lease", func() bool { return e.read(t, held).Status == "succeeded" })
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.subjects) != 2 {
		t.Errorf("requests %v, want one per delivery", rc.subjects)
	}
}
