package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// segmentRun is the dynamic segment evaluated from scratch and kept up to
// date as contacts' events arrive.
type segmentRun struct {
	Members      int           // contacts meeting the filter
	Create       time.Duration // POST /v1/segments answered (members, history and events written)
	MemberCount  int64         // the memberCount it answered
	Raw          time.Duration // the raw INSERT … SELECT of the same filter
	RawRows      int64
	Drain        time.Duration // create answered → the outbox empty (its segment.entered events on Kafka)
	Events       int           // contact.updated events published
	Published    time.Duration // how long publishing them took
	Applied      int           // of them, seen in the membership's history
	Entered      int           // of them, moving the contact in (the rest out)
	ToMembership latency       // publish → the membership's change (its history's at, the projection's clock)
	ToEvent      latency       // publish → segment.entered|left on rapport.marketing.v1 (its record's time)
	ApplyRate    float64       // events applied a second, first to last membership change
	// RawConsume is a group reader's fetch and synchronous offset commit
	// of the same events, one at a time without a handler (events.Consumer's
	// loop and settings), a second.
	RawConsume float64
	EventsSeen int // of them, with their segment event found on the topic
	// RawApply is the floor of applying the events one at a time: a
	// tenant transaction per moved contact through database/sql, its
	// projection row updated and its membership of a static list moved,
	// one after the other, a second (RawApplied of them).
	RawApply   float64
	RawApplied int
	rawList    string // the static list of the raw baselines
}

// rawApplyMax bounds the transactions of the RawApply floor.
const rawApplyMax = 2000

// Flag-free shape of the incremental run.
const (
	updateTick   = 10 * time.Millisecond // one batch of events every tick
	appliedStall = 30 * time.Second      // the wait for the events to be applied ends after so long without one
)

// measureSegmentScratch times the raw INSERT … SELECT of segmentFilter
// into a static list's members (then removed), then the creation of the
// dynamic segment by the API; it returns the segment's id.
func measureSegmentScratch(ctx context.Context, s *marketingStack, admin, app *sqlx.DB, client *http.Client,
	token func() (string, error), tenant string, r *segmentRun) (string, error) {
	if err := admin.GetContext(ctx, &r.Members, `SELECT count(*) FROM audience_contacts c WHERE c.tenant_id = $1 AND `+segmentSQL, tenant); err != nil {
		return "", err
	}
	list, err := createSegment(ctx, client, token, s.base, `{"name": "Raw baseline", "kind": "static"}`)
	if err != nil {
		return "", err
	}
	r.rawList = list.ID
	r.rawList = list.ID
	began := time.Now()
	err = pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at)
			SELECT $1, $2, c.id, now() FROM audience_contacts c WHERE `+segmentSQL, tenant, list.ID)
		if err == nil {
			r.RawRows, err = res.RowsAffected()
		}
		return err
	})
	r.Raw = time.Since(began)
	if err != nil {
		return "", fmt.Errorf("raw INSERT … SELECT: %w", err)
	}
	if _, err := admin.ExecContext(ctx, `DELETE FROM segment_members WHERE segment_id = $1`, list.ID); err != nil {
		return "", err
	}
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE segment_members`); err != nil {
		return "", err
	}
	began = time.Now()
	seg, err := createSegment(ctx, client, token, s.base, `{"name": "France, leads and customers", "kind": "dynamic", "filter": `+segmentFilter+`}`)
	r.Create = time.Since(began)
	if err != nil {
		return "", err
	}
	r.MemberCount = seg.MemberCount
	fmt.Fprintf(os.Stderr, "bench: marketing: segment of %d created in %s (raw %s); waiting for its events to be relayed\n",
		seg.MemberCount, r.Create.Round(time.Millisecond), r.Raw.Round(time.Millisecond))
	r.Drain, err = waitOutboxEmpty(ctx, admin)
	r.Drain += r.Create
	return seg.ID, err
}

// segmentReply is what the bench reads of a segment.
type segmentReply struct {
	ID          string `json:"id"`
	MemberCount int64  `json:"memberCount"`
}

// createSegment creates a segment or list from body.
func createSegment(ctx context.Context, client *http.Client, token func() (string, error), base, body string) (segmentReply, error) {
	b, err := benchRequest(ctx, client, token, http.MethodPost, base+"/v1/segments", body)
	if err != nil {
		return segmentReply{}, err
	}
	var out segmentReply
	return out, json.Unmarshal(b, &out)
}

// measureSegmentUpdates publishes contact.updated on contacts' topic at
// rate a second for d, each moving a contact of its own into the segment
// or out of it (contacts beyond the newsletter ones at stage lead or
// customer: the French ones move to Germany, the others to France), then
// reads each one's lag from its membership history and from the segment
// event the service published.
func measureSegmentUpdates(ctx context.Context, s *marketingStack, admin, app *sqlx.DB, tenant, segment string, n, newsletter, rate int, d time.Duration, r *segmentRun) error {
	var movers []int
	for g := newsletter + 1; g <= n && len(movers) < int(d.Seconds()*float64(rate)); g++ {
		if st := audienceStages[g%4]; st == "lead" || st == "customer" {
			movers = append(movers, g)
		}
	}
	if len(movers) == 0 {
		return errors.New("no contact to move: load more contacts")
	}
	msgs, wantVerb := make([]kafka.Message, len(movers)), map[string]string{}
	topic := registry.MustTopic("", registry.Contacts)
	for i, g := range movers {
		country, verb := "FR", "entered"
		if inSegment(g) {
			country, verb = "DE", "left"
			r.Entered--
		}
		r.Entered++
		ev, err := contactUpdated(tenant, g, 2, country, newsletter)
		if err != nil {
			return err
		}
		msgs[i], wantVerb[ev.Subject] = ev.Message(topic), verb
	}
	pub := events.NewPublisher(s.brokers)
	defer pub.Close()
	perTick := max(1, rate*int(updateTick)/int(time.Second))
	sent := make(map[string]time.Time, len(msgs))
	start := time.Now()
	for i := 0; i < len(msgs); i += perTick {
		time.Sleep(time.Until(start.Add(time.Duration(i/perTick) * updateTick)))
		batch := msgs[i:min(i+perTick, len(msgs))]
		at := time.Now()
		if err := pub.Publish(ctx, batch...); err != nil {
			return err
		}
		for _, m := range batch {
			sent[string(m.Key)] = at
		}
	}
	r.Events, r.Published = len(msgs), time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: marketing: %d contact.updated published in %s; waiting for the segment to follow\n", r.Events, r.Published.Round(time.Millisecond))

	var rows []struct {
		ContactID string    `db:"contact_id"`
		Action    string    `db:"action"`
		At        time.Time `db:"at"`
	}
	for last, progress := -1, time.Now(); ; time.Sleep(time.Second) {
		rows = rows[:0]
		if err := admin.SelectContext(ctx, &rows, `SELECT contact_id, action, at FROM segment_membership_history
			WHERE tenant_id = $1 AND segment_id = $2 AND at >= $3`, tenant, segment, start); err != nil {
			return err
		}
		if len(rows) > last {
			last, progress = len(rows), time.Now()
		}
		if len(rows) >= len(msgs) || time.Since(progress) > appliedStall {
			break
		}
	}
	var lags []time.Duration
	var first, last time.Time
	for _, row := range rows {
		if at, ok := sent[row.ContactID]; ok && wantVerb[row.ContactID] == row.Action {
			lags = append(lags, row.At.Sub(at))
			if first.IsZero() || row.At.Before(first) {
				first = row.At
			}
			if row.At.After(last) {
				last = row.At
			}
		}
	}
	r.Applied = len(lags)
	if len(lags) == 0 {
		return errors.New("no contact moved in or out of the segment")
	}
	r.ToMembership = distribution(lags)
	if r.Applied > 1 {
		r.ApplyRate = float64(r.Applied-1) / last.Sub(first).Seconds()
	}
	var err error
	if r.ToEvent, r.EventsSeen, err = segmentEventLags(ctx, s.brokers, segment, sent, wantVerb); err != nil {
		return err
	}
	if r.RawConsume, err = rawConsumeRate(ctx, s.brokers, topic, len(msgs)); err != nil {
		return err
	}
	r.RawApplied = min(len(movers), rawApplyMax)
	r.RawApply, err = rawApplyRate(ctx, app, tenant, r.rawList, movers[:r.RawApplied])
	return err
}

// rawApplyRate moves each of movers back to its loaded country and into
// the static list (out of it, French ones), a tenant transaction each
// through database/sql as the application role, one after the other, and
// returns the transactions a second.
func rawApplyRate(ctx context.Context, app *sqlx.DB, tenant, list string, movers []int) (float64, error) {
	began := time.Now()
	for _, g := range movers {
		err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			id := audienceID(tenant, g)
			if _, err := tx.ExecContext(ctx, `UPDATE audience_contacts SET country = $2, version = version + 1, updated_at = now() WHERE id = $1`,
				id, audienceCountries[g%5]); err != nil {
				return err
			}
			q := `INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`
			if !inSegment(g) {
				q = `DELETE FROM segment_members WHERE tenant_id = $1 AND segment_id = $2 AND contact_id = $3`
			}
			_, err := tx.ExecContext(ctx, q, tenant, list, id)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("raw apply: %w", err)
		}
	}
	return float64(len(movers)) / time.Since(began).Seconds(), nil
}

// rawConsumeRate reads the n records of topic with a reader of a new group
// set as events.Consumer sets its own (MaxWait 100 ms, synchronous
// commits), fetching and committing one at a time, and returns the
// records a second after the first (the group's join left out).
func rawConsumeRate(ctx context.Context, brokers []string, topic string, n int) (float64, error) {
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "bench-raw-" + randomHex(4), GroupTopics: []string{topic},
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond, CommitInterval: 0, StartOffset: kafka.FirstOffset,
		HeartbeatInterval: time.Second, SessionTimeout: 6 * time.Second, RebalanceTimeout: 6 * time.Second,
		ReadBackoffMin: 10 * time.Millisecond, ReadBackoffMax: 100 * time.Millisecond})
	defer rd.Close()
	var began time.Time
	for i := range n {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			return 0, err
		}
		if err := rd.CommitMessages(ctx, m); err != nil {
			return 0, err
		}
		if i == 0 {
			began = time.Now()
		}
	}
	return float64(n-1) / time.Since(began).Seconds(), nil
}

// segmentEventLags reads rapport.marketing.v1 from its beginning for the
// segment's entered|left events of the contacts in sent (the verb
// wantVerb says) and returns the distribution of their records' time −
// the contact's publish time; it stops when it has them all, or after
// 10 s without one.
func segmentEventLags(ctx context.Context, brokers []string, segment string, sent map[string]time.Time, wantVerb map[string]string) (latency, int, error) {
	rd := kafka.NewReader(readerConfig(brokers, registry.MustTopic("", registry.Marketing), 100*time.Millisecond))
	defer rd.Close()
	seen := map[string]bool{}
	var lags []time.Duration
	for len(seen) < len(sent) {
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := rd.FetchMessage(fctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			return latency{}, 0, err
		}
		ev, err := events.Parse(m)
		if err != nil || ev.Subject != segment {
			continue
		}
		var data struct {
			ContactID string `json:"contactId"`
		}
		if json.Unmarshal(ev.Data, &data) != nil || seen[data.ContactID] {
			continue
		}
		at, ok := sent[data.ContactID]
		if !ok || ev.Type != "dev.rapport.marketing.segment."+wantVerb[data.ContactID]+".v1" || m.Time.Before(at) {
			continue
		}
		seen[data.ContactID] = true
		lags = append(lags, m.Time.Sub(at))
	}
	if len(lags) == 0 {
		return latency{}, 0, errors.New("no segment event of the moved contacts on the topic")
	}
	return distribution(lags), len(lags), nil
}
