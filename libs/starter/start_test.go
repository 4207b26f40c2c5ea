package starter_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// started starts s on a database of its own and an in-process Kafka, and
// stops it at the end of the test, which fails unless it stops cleanly.
func started(t *testing.T, s starter.Service, db testkit.PG, brokers []string, jwks string) *starter.Instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := starter.Config{Name: s.Name, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks, CursorKey: bytes.Repeat([]byte("k"), 32)}
	in, err := starter.Start(ctx, cfg, s, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := in.Wait(); err != nil {
			t.Errorf("stopping %s: %v", s.Name, err)
		}
	})
	return in
}

// call sends a request, with a token for principal p when it is not nil.
func call(t *testing.T, signer *auth.Signer, p *auth.Principal, method, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if p != nil {
		tok, err := signer.Sign(*p, "notes", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestANewServiceThroughTheStarter starts a service the starter has never
// seen — its own migrations, routes, event, consumer and job — and checks
// everything the starter promises it: probes and readiness after the
// migrations, the contract, the internal token and each route's permission,
// Idempotency-Key, problem+json for what no route serves, the outbox relayed
// to its topic, another context's event consumed, the job run, metrics per
// route, and a clean stop.
func TestANewServiceThroughTheStarter(t *testing.T) {
	notesTopic, contactsTopic := events.Topic("", "notes"), events.Topic("", "contacts")
	db := testkit.Postgres(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, notesTopic, events.DLQ(notesTopic), contactsTopic, events.DLQ(contactsTopic)))
	signer, jwks := contracttest.Gateway(t)
	jobRuns := make(chan struct{}, 1)
	in := started(t, notes(jobRuns), db, brokers, jwks)
	base := "http://" + in.Addr()

	if resp, _ := call(t, signer, nil, "GET", base+"/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	if err := proc.WaitReady(context.Background(), base, time.Minute); err != nil {
		t.Fatal(err)
	}
	if resp, body := call(t, signer, nil, "GET", base+"/openapi.json", ""); resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"title":"notes"`)) {
		t.Errorf("/openapi.json: %d %s", resp.StatusCode, body)
	}

	tenant := uuid.NewString()
	writer := &auth.Principal{TenantID: tenant, UserID: uuid.NewString(), Permissions: []string{"notes:*"}}
	reader := &auth.Principal{TenantID: tenant, UserID: uuid.NewString(), Permissions: []string{"notes:read"}}
	if resp, _ := call(t, signer, nil, "POST", base+"/v1/notes", `{"text":"x"}`); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without a token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := call(t, signer, reader, "POST", base+"/v1/notes", `{"text":"x"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with notes:read: %d, want 403", resp.StatusCode)
	}
	resp, body := call(t, signer, writer, "POST", base+"/v1/notes", `{"text":"first"}`, "Idempotency-Key", "k1")
	var n struct{ ID, Text string }
	if resp.StatusCode != http.StatusCreated || unmarshal(body, &n) != nil || n.Text != "first" {
		t.Fatalf("POST /v1/notes: %d %s", resp.StatusCode, body)
	}
	again, replayed := call(t, signer, writer, "POST", base+"/v1/notes", `{"text":"first"}`, "Idempotency-Key", "k1")
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replayed, body) {
		t.Errorf("a retry with the key: %d %q %s, want the first answer replayed", again.StatusCode, again.Header.Get("Idempotent-Replayed"), replayed)
	}
	if resp, body := call(t, signer, reader, "GET", base+"/v1/notes/"+n.ID, ""); resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("first")) {
		t.Errorf("GET the note: %d %s", resp.StatusCode, body)
	}
	other := &auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString(), Permissions: []string{"notes:read"}}
	if resp, _ := call(t, signer, other, "GET", base+"/v1/notes/"+n.ID, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET the note from another tenant: %d, want 404", resp.StatusCode)
	}
	if resp, _ := call(t, signer, writer, "DELETE", base+"/v1/notes/"+n.ID, ""); resp.StatusCode != http.StatusMethodNotAllowed ||
		resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("DELETE: %d %s, want a 405 problem", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// The note's event reaches rapport.notes.v1 through the outbox relay.
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(notesTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fetched := cl.PollRecords(ctx, 1).Records()
	if len(fetched) != 1 || string(fetched[0].Key) != n.ID {
		t.Errorf("rapport.notes.v1 holds %v, want the note's event", fetched)
	}

	// An event of the contacts context is consumed.
	ev, err := events.New("/rapport/contacts", "dev.rapport.contacts.contact.created.v1", uuid.NewString(), tenant, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	pub := events.NewPublisher(brokers)
	defer pub.Close()
	if err := pub.Publish(ctx, ev.Message(contactsTopic)); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, time.Minute, "the consumed event's note", func() (bool, string) {
		resp, _ := call(t, signer, reader, "GET", base+"/v1/notes/"+ev.Subject, "")
		return resp.StatusCode == http.StatusOK, resp.Status
	})

	select {
	case <-jobRuns:
	case <-ctx.Done():
		t.Error("the job never ran")
	}
	_, metrics := call(t, signer, nil, "GET", base+"/metrics", "")
	if !bytes.Contains(metrics, []byte(`route="/v1/notes/{id}"`)) {
		t.Errorf("/metrics has no series for the route /v1/notes/{id}")
	}
	if !bytes.Contains(metrics, []byte(`go_sql_open_connections{db_name="notes"}`)) {
		t.Errorf("/metrics has no statistics of the notes pool")
	}
}

// TestStarterRefusesCtypeC checks a service does not start on a database
// whose LC_CTYPE cannot classify CJK text (its duplicate checks and search
// would miss Chinese names), says which database and why, and never says
// ready.
func TestStarterRefusesCtypeC(t *testing.T) {
	db, brokers := testkit.PostgresCTypeC(t), testkit.Kafka(t)
	_, jwks := contracttest.Gateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := starter.Config{Name: "notes", HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks}
	in, err := starter.Start(ctx, cfg, notes(make(chan struct{}, 1)), quiet)
	if err != nil {
		t.Fatal(err)
	}
	err = in.Wait()
	want := `database "` + db.Name + `" has LC_CTYPE "C"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("the service stopped with %v, want an error saying %s", err, want)
	}
}

// TestStartRefusesAServiceOutsideTheRegistry checks that a service must be
// in the registry, which gives its topic and which every other part reads.
func TestStartRefusesAServiceOutsideTheRegistry(t *testing.T) {
	_, jwks := contracttest.Gateway(t)
	s := notes(make(chan struct{}, 1))
	s.Registry = nil // the default registry has no notes service
	cfg := starter.Config{Name: "notes", HTTPAddr: "127.0.0.1:0", DatabaseURL: "postgres://notes_app@127.0.0.1:1/notes",
		JWKSURL: jwks, Brokers: []string{"127.0.0.1:1"}}
	in, err := starter.Start(t.Context(), cfg, s, quiet)
	if err == nil {
		_ = in.Wait()
		t.Fatal("Start accepted a service the registry does not list")
	}
	if !strings.Contains(err.Error(), "registry") {
		t.Errorf("error %q does not say to add the service to the registry", err)
	}
}
