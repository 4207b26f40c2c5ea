package reporting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/reporting"
)

// benchEvents is how many events BenchmarkRebuild replays.
const benchEvents = 20000

// BenchmarkRebuild measures the replay of a rebuild: a tenant's history of
// benchEvents events (support's cases, their updates and first replies;
// marketing's campaigns and touches), applied by the live consumers first,
// then rebuilt; events/s is the tenant's events over the time from the
// rebuild's claim by the job to its switch.
func BenchmarkRebuild(b *testing.B) {
	db := testkit.Postgres(b)
	var topics []string
	for _, c := range append([]string{registry.Reporting}, sources...) {
		topics = append(topics, registry.MustTopic("", c), events.DLQ(registry.MustTopic("", c)))
	}
	brokers := testkit.Kafka(b, kfake.SeedTopics(1, topics...))
	signer, jwks := contracttest.Gateway(b)
	cfg := starter.Config{Name: registry.Reporting, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks, CursorKey: bytes.Repeat([]byte("k"), 32)}
	base := contracttest.Start(b, cfg, reporting.Starter(), quiet)
	admin := testkit.Open(b, db.AdminURL)
	tenant := uuid.NewString()

	benchPublish(b, brokers, tenant)
	testkit.Eventually(b, 10*time.Minute, "the history applied", func() (bool, string) {
		var n int64
		if err := admin.Get(&n, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE tenant_id = $1 AND gen = 1`, tenant); err != nil {
			return false, err.Error()
		}
		return n >= benchEvents, fmt.Sprintf("%d applied", n)
	})
	call := func(method string) rebuildStatus {
		req := contracttest.NewRequest(b, method, base+"/admin/v1/rebuild", nil)
		tok, err := signer.Sign(auth.Principal{TenantID: tenant, UserID: uuid.NewString(), Permissions: []string{"reporting:*"}},
			registry.Reporting, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		var st rebuildStatus
		if method == "GET" {
			if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
				b.Fatal(err)
			}
		} else if res.StatusCode != http.StatusAccepted {
			b.Fatalf("rebuild: %s", res.Status)
		}
		return st
	}

	b.ResetTimer()
	var replay time.Duration
	for range b.N {
		call("POST")
		var claimed time.Time
		for {
			st := call("GET")
			if claimed.IsZero() && st.Running != nil && st.Running.Runs > 0 {
				claimed = time.Now()
			}
			if st.Running == nil && !claimed.IsZero() {
				replay += time.Since(claimed)
				break
			}
			time.Sleep(5 * time.Millisecond) //nolint:forbidigo // polling a benchmark's progress, no synchronisation
		}
	}
	b.ReportMetric(float64(benchEvents*b.N)/replay.Seconds(), "events/s")
}

// benchPublish publishes the benchmark's history of tenant.
func benchPublish(b *testing.B, brokers []string, tenant string) {
	p := events.NewPublisher(brokers)
	defer p.Close()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var support, marketing []kafka.Message
	for i := range benchEvents * 3 / 5 / 3 { // a case: created, updated, first reply
		c := kase{ID: uuid.NewString(), Number: i + 1, Queue: uuid.NewString(), Created: at.Add(time.Duration(i) * time.Minute)}
		support = append(support, caseEvent(b, "created", c).event(b, registry.Support, tenant).Message(registry.MustTopic("", registry.Support)))
		c.Status, c.Updated, c.Version = "open", c.Created.Add(time.Hour), 2
		support = append(support, caseEvent(b, "updated", c).event(b, registry.Support, tenant).Message(registry.MustTopic("", registry.Support)),
			caseReplyEvent(c.ID, c.Created.Add(30*time.Minute)).event(b, registry.Support, tenant).Message(registry.MustTopic("", registry.Support)))
	}
	campaigns := make([]string, 100)
	for i := range campaigns {
		campaigns[i] = uuid.NewString()
		marketing = append(marketing, campaignEvent("created", campaign{ID: campaigns[i], Name: fmt.Sprint("C", i), Created: at}).
			event(b, registry.Marketing, tenant).Message(registry.MustTopic("", registry.Marketing)))
	}
	for i := len(support) + len(marketing); i < benchEvents; i++ {
		marketing = append(marketing, touchEvent(b, "opened", uuid.NewString(), campaigns[i%len(campaigns)], at.Add(time.Duration(i)*time.Second)).
			event(b, registry.Marketing, tenant).Message(registry.MustTopic("", registry.Marketing)))
	}
	for _, msgs := range [][]kafka.Message{support, marketing} {
		for len(msgs) > 0 {
			n := min(len(msgs), 1000)
			if err := p.Publish(context.Background(), msgs[:n]...); err != nil {
				b.Fatal(err)
			}
			msgs = msgs[n:]
		}
	}
}
