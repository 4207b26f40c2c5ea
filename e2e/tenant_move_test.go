package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // the dedicated and shared databases are read directly

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

// TestTenantMove moves a shared tenant to its dedicated deployment (contacts
// and sales of its own, on their own databases and topics) while a client
// keeps creating contacts: the writes of the read-only window get 503
// tenant-read-only with Retry-After and succeed when sent again with the same
// Idempotency-Key; afterwards every acknowledged contact and the fixture's
// records are served, unchanged, from the dedicated processes, and new ones
// land in the dedicated database only.
func TestTenantMove(t *testing.T) {
	slug := "e2e-move-" + letters(6)
	d := stack.NewDedicated(t, slug)
	st := stack.StartWith(t, bins, stack.Options{Dedicated: d})
	tn := st.CreateTenant(t, slug)
	fx := newFixture(t, st.GatewayURL, tn.Admin.Token, slug)
	records := []string{"/v1/contacts/" + fx.ContactID, "/v1/accounts/" + fx.AccountID, "/v1/opportunities/" + fx.OpportunityID,
		"/v1/leads/" + fx.LeadID, "/v1/quotes/" + fx.QuoteID}
	before := map[string]string{}
	for _, p := range records {
		before[p] = normalise(stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + p, Token: tn.Admin.Token}, http.StatusOK, nil).Body, tn.ID)
	}
	st.StartDedicated(t, bins)

	w := &writer{url: st.GatewayURL + "/v1/contacts", token: tn.Admin.Token, stop: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(w.run)
	var moved struct {
		Tenant struct {
			Tier     string `json:"tier"`
			ReadOnly bool   `json:"readOnly"`
		} `json:"tenant"`
		Moved          []string `json:"moved"`
		Stayed         []string `json:"stayed"`
		ReadOnlyMillis int64    `json:"readOnlyMillis"`
	}
	res := platformCall(t, st, "/admin/v1/tenants/"+tn.ID+"/move", nil)
	w.after(2) // two writes acknowledged after the move
	close(w.stop)
	wg.Wait()
	if res.Status != http.StatusOK {
		t.Fatalf("move: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &moved)
	t.Logf("read-only window %d ms; writes: %d acknowledged, %d refused with 503 tenant-read-only", moved.ReadOnlyMillis, len(w.created), w.refused)
	if moved.Tenant.Tier != "dedicated" || moved.Tenant.ReadOnly || !slices.Equal(moved.Moved, []string{"contacts", "sales"}) {
		t.Fatalf("move answered %s", res.Body)
	}
	for _, svc := range []string{"support", "marketing", "reporting"} {
		if !slices.Contains(moved.Stayed, svc) {
			t.Errorf("%s should stay shared: %s", svc, res.Body)
		}
	}
	if w.err != "" {
		t.Fatal(w.err)
	}
	if w.refused == 0 {
		t.Fatal("no write was refused during the read-only window")
	}

	for _, p := range records {
		after := stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + p, Token: tn.Admin.Token}, http.StatusOK, nil)
		if got := normalise(after.Body, tn.ID); got != before[p] {
			t.Errorf("GET %s after the move:\n%s\nbefore:\n%s", p, got, before[p])
		}
	}
	dedicated, shared := open(t, d.ContactsDB), open(t, st.ContactsDB)
	for _, id := range w.created {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/contacts/" + id, Token: tn.Admin.Token}, http.StatusOK, nil)
		if !holds(t, dedicated, "contacts", tn.ID, id) {
			t.Errorf("acknowledged contact %s is not in the dedicated database", id)
		}
	}
	last := w.created[len(w.created)-1] // created after the move
	if holds(t, shared, "contacts", tn.ID, last) {
		t.Errorf("contact %s, created after the move, is in the shared database", last)
	}
	if !holds(t, open(t, d.SalesDB), "opportunities", tn.ID, fx.OpportunityID) {
		t.Error("the opportunity is not in the dedicated sales database")
	}
}

// writer creates contacts one after another until stop, sending a write
// refused with 503 again, with its Idempotency-Key, after Retry-After.
type writer struct {
	url, token string
	stop       chan struct{}

	mu      sync.Mutex
	created []string // ids acknowledged, in order
	refused int      // 503 tenant-read-only answers
	err     string   // the first unexpected answer
	marks   []chan struct{}
}

// run is the writer's loop.
func (w *writer) run() {
	client := &http.Client{Timeout: 30 * time.Second}
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		key := ids.New()
		body, _ := json.Marshal(map[string]any{"firstName": fmt.Sprintf("Writer%d", i), "lastName": "Move"})
		for {
			req, _ := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
			res, err := client.Do(req)
			if err != nil {
				w.fail(err.Error())
				return
			}
			var out struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			}
			_ = json.NewDecoder(res.Body).Decode(&out)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusCreated {
				w.acknowledge(out.ID)
				break
			}
			if res.StatusCode != http.StatusServiceUnavailable || !strings.HasSuffix(out.Type, "/tenant-read-only") || res.Header.Get("Retry-After") == "" {
				w.fail(fmt.Sprintf("a write answered %d %s (Retry-After %q)", res.StatusCode, out.Type, res.Header.Get("Retry-After")))
				return
			}
			w.mu.Lock()
			w.refused++
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-time.After(100 * time.Millisecond): // sooner than Retry-After, to measure the window closely
			}
		}
	}
}

// acknowledge records a created contact and wakes after.
func (w *writer) acknowledge(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.created = append(w.created, id)
	for _, m := range w.marks {
		select {
		case m <- struct{}{}:
		default:
		}
	}
}

// fail records the first unexpected answer and wakes after.
func (w *writer) fail(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == "" {
		w.err = msg
	}
	for _, m := range w.marks {
		close(m)
	}
	w.marks = nil
}

// after returns once n more writes were acknowledged, or the writer failed.
func (w *writer) after(n int) {
	m := make(chan struct{}, 1)
	w.mu.Lock()
	if w.err != "" {
		w.mu.Unlock()
		return
	}
	w.marks = append(w.marks, m)
	w.mu.Unlock()
	for range n {
		if _, ok := <-m; !ok {
			return
		}
	}
}

// open connects to a database's owner URL (which reads past row-level
// security) for the test's checks.
func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// holds reports whether table of db has row id of tenant.
func holds(t *testing.T, db *sql.DB, table, tenant, id string) bool {
	t.Helper()
	var ok bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM `+table+` WHERE tenant_id = $1 AND id = $2)`, tenant, id).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
