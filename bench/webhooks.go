package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The sizes of part 15 (issue 21): events a second times subscriptions is
// the offered rate of deliveries.
var (
	webhooksRate = flag.Int("webhooks-rate", 100, "webhooks part: contact events a second produced to rapport.contacts.v1")
	webhooksSubs = flag.Int("webhooks-subscriptions", 12, "webhooks part: subscriptions of the tenant, each to every contact event")
	webhooksFor  = flag.Duration("webhooks-for", 20*time.Second, "webhooks part: how long events are produced")
)

// Targets of issue 21's performance section, and how the part waits.
const (
	goalWebhookRate  = 1_000.0
	goalWebhookP99   = 500 * time.Millisecond
	webhooksStall    = 30 * time.Second // no new arrival for this long ends the wait
	webhooksWorkers  = 32               // the raw client's, as the dispatcher's default Workers
	contactEventType = "dev.rapport.contacts.contact.created.v1"
)

// webhooksRun holds the results of part 15.
type webhooksRun struct {
	LoadBefore, LoadAfter string
	Rate, Subscriptions   int
	For                   time.Duration
	Events                int
	Published             time.Duration
	Gateway               sinkStats
	GatewayRate           float64 // deliveries a second, first produce → last arrival
	GatewayCPU            time.Duration
	Raw                   sinkStats
	RawRate               float64 // requests a second, first tick → last arrival
	RawFailed             int
	Table                 map[string]int // the gateway's webhook_deliveries by status when the wait ended
}

// deliveriesByStatus counts the rows of webhook_deliveries by status in
// the gateway's database at url (its owner's, past RLS).
func deliveriesByStatus(ctx context.Context, url string) (map[string]int, error) {
	db, err := pg.Open(url, pg.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status`); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// Expected is the number of deliveries the run offered.
func (r webhooksRun) Expected() int { return r.Events * r.Subscriptions }

// measureWebhooks starts the gateway alone, makes a tenant with
// Subscriptions subscriptions to the bench's receiver, and measures the
// plain Go client's baseline, then the gateway's deliveries of contact
// events produced at Rate a second for For.
func measureWebhooks(ctx context.Context, root string) (r webhooksRun, err error) {
	r.Rate, r.Subscriptions, r.For = *webhooksRate, *webhooksSubs, *webhooksFor
	r.Events = r.Rate * int(r.For/time.Millisecond) / 1000
	s, err := startWebhooksStack(ctx, root)
	defer s.Close()
	if err != nil {
		return r, err
	}
	sink := newHookSink()
	defer sink.srv.Close()
	r.LoadBefore = loadAverage()
	defer func() { r.LoadAfter = loadAverage() }()
	tenant, err := s.createTenant(ctx)
	if err != nil {
		return r, err
	}
	token, err := s.login(ctx, tenant)
	if err != nil {
		return r, err
	}
	for i := range r.Subscriptions {
		body := map[string]any{"url": sink.srv.URL + "/hooks/" + strconv.Itoa(i), "eventTypes": []string{"dev.rapport.contacts.contact.*"}}
		if err := call(ctx, http.MethodPost, s.Gateway+"/v1/webhooks/subscriptions", token, body, http.StatusCreated, nil); err != nil {
			return r, err
		}
	}

	fmt.Fprintf(os.Stderr, "bench: webhooks: raw baseline, %d POSTs at %d/s\n", r.Expected(), r.Rate*r.Subscriptions)
	if err := rawHookPosts(ctx, sink, tenant.ID, &r); err != nil {
		return r, fmt.Errorf("raw baseline: %w", err)
	}
	pub := events.NewPublisher(s.brokers)
	defer pub.Close()
	fmt.Fprintf(os.Stderr, "bench: webhooks: warm-up, one event to %d subscriptions\n", r.Subscriptions)
	sink.reset()
	if err := produceContacts(ctx, pub, tenant.ID, 1, 1); err != nil {
		return r, err
	}
	if err := awaitArrivals(ctx, sink, r.Subscriptions); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	sink.reset()
	fmt.Fprintf(os.Stderr, "bench: webhooks: %d events at %d/s, %d deliveries\n", r.Events, r.Rate, r.Expected())
	cpu1, _ := processCPU(ctx, s.GatewayMetrics)
	start := time.Now()
	if err := produceContacts(ctx, pub, tenant.ID, r.Events, r.Rate); err != nil {
		return r, err
	}
	r.Published = time.Since(start)
	if err := awaitArrivals(ctx, sink, r.Expected()); err != nil {
		fmt.Fprintf(os.Stderr, "bench: webhooks: %v; the gateway's output ends:\n%s\n", err, s.proc.Tail(4000))
	}
	cpu2, _ := processCPU(ctx, s.GatewayMetrics)
	r.GatewayCPU = cpu2 - cpu1
	if r.Table, err = deliveriesByStatus(ctx, s.dbURL); err != nil {
		return r, err
	}
	r.Gateway = sink.stats()
	r.GatewayRate = float64(r.Gateway.Arrived) / r.Gateway.Last.Sub(start).Seconds()
	return r, nil
}

// contactEvent is a new contact's contact.created of tenant, its
// service's full state as the contacts service publishes it.
func contactEvent(tenant string) (events.Event, error) {
	id, now := uuid.NewString(), time.Now().UTC()
	return events.New("/rapport/"+registry.Contacts, contactEventType, id, tenant, map[string]any{
		"id": id, "ownerId": "bench-owner", "tags": []string{}, "customFields": map[string]any{}, "createdAt": now, "updatedAt": now,
		"version": 1, "firstName": "Hook", "lastName": "Bench", "displayName": "Hook Bench", "emails": []any{map[string]any{"address": "hook@bench.example", "primary": true}},
		"phones": []any{}, "lifecycleStage": "lead", "source": "web"})
}

// produceContacts produces n contact events of tenant at rate a second, a
// batch every updateTick, each made just before its batch is produced.
func produceContacts(ctx context.Context, pub *events.Publisher, tenant string, n, rate int) error {
	perTick := max(1, rate*int(updateTick)/int(time.Second))
	topic := registry.MustTopic("", registry.Contacts)
	start := time.Now()
	for i := 0; i < n; i += perTick {
		time.Sleep(time.Until(start.Add(time.Duration(i/perTick) * updateTick)))
		msgs := make([]kafka.Message, 0, perTick)
		for range min(perTick, n-i) {
			ev, err := contactEvent(tenant)
			if err != nil {
				return err
			}
			msgs = append(msgs, ev.Message(topic))
		}
		if err := pub.Publish(ctx, msgs...); err != nil {
			return err
		}
	}
	return nil
}

// awaitArrivals waits until n requests arrived at sink, or none arrived
// for webhooksStall.
func awaitArrivals(ctx context.Context, sink *hookSink, n int) error {
	last, progress := -1, time.Now()
	for {
		got := sink.count()
		if got >= n {
			return nil
		}
		if got != last {
			last, progress = got, time.Now()
		} else if time.Since(progress) > webhooksStall {
			return fmt.Errorf("%d of %d deliveries arrived, none in the last %s", got, n, webhooksStall)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rawHookPosts is the baseline: the same number of POSTs at the same rate
// to the same receiver by a plain Go client (webhooksWorkers goroutines,
// one http.Client), each a structured CloudEvent of a contact event made at
// its tick, so the receiver measures the same lag.
func rawHookPosts(ctx context.Context, sink *hookSink, tenant string, r *webhooksRun) error {
	sink.reset()
	type job struct {
		body []byte
		id   string
	}
	jobs := make(chan job, r.Expected())
	var wg sync.WaitGroup
	var mu sync.Mutex
	client := &http.Client{Timeout: 15 * time.Second}
	for range webhooksWorkers {
		wg.Go(func() {
			for j := range jobs {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, sink.srv.URL+"/raw", bytes.NewReader(j.body))
				if err == nil {
					req.Header.Set("Content-Type", "application/cloudevents+json")
					req.Header.Set("webhook-id", j.id)
					var res *http.Response
					if res, err = client.Do(req); err == nil {
						res.Body.Close()
					}
				}
				if err != nil {
					mu.Lock()
					r.RawFailed++
					mu.Unlock()
				}
			}
		})
	}
	perTick := max(1, r.Rate*int(updateTick)/int(time.Second))
	start := time.Now()
	var err error
	for i := 0; i < r.Events && err == nil; i += perTick {
		time.Sleep(time.Until(start.Add(time.Duration(i/perTick) * updateTick)))
		for range min(perTick, r.Events-i) {
			var ev events.Event
			if ev, err = contactEvent(tenant); err != nil {
				break
			}
			body, merr := json.Marshal(map[string]any{"specversion": events.SpecVersion, "id": ev.ID, "source": ev.Source, "type": ev.Type,
				"subject": ev.Subject, "time": ev.Time, "datacontenttype": "application/json", "tenantid": tenant, "data": ev.Data})
			err = errors.Join(err, merr)
			for k := range r.Subscriptions {
				jobs <- job{body: body, id: ev.ID + "-" + strconv.Itoa(k)}
			}
		}
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	r.Raw = sink.stats()
	r.RawRate = float64(r.Raw.Arrived) / r.Raw.Last.Sub(start).Seconds()
	return nil
}

// runWebhooksOnly measures part 15 alone and prints its section;
// results.md is left as it is.
func runWebhooksOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureWebhooks(ctx, root)
	if err != nil {
		return err
	}
	writeWebhooksSection(os.Stdout, r)
	return nil
}
