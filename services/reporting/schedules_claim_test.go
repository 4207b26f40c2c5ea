package reporting_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/reporting/dashboards"
	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Deliverers racing over the same due schedules — the service's own job
// and four more running rounds back to back in parallel — mail each due
// time once: a schedule is claimed FOR UPDATE SKIP LOCKED and moved to
// its next due time in the claiming transaction.
func TestSchedulesClaimedOnceByRacingDeliverers(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	var tenants []user
	var ids []string
	for range 2 {
		u := newUser(uuid.NewString())
		tenants = append(tenants, u)
		for i := range 8 {
			s := e.createSchedule(u, map[string]any{"name": fmt.Sprintf("Race %s %d", u.tenant[:8], i), "report": "activity",
				"frequency": "daily", "hour": 6, "recipients": []string{"ada@example.com"}})
			ids = append(ids, s.ID)
		}
	}
	cfg, err := dashboards.FromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	db := outbox.NewDB(testkit.Open(t, e.app), rm.Events, registry.MustTopic("", registry.Reporting))
	for _, u := range tenants {
		if _, err := e.admin.Exec(`UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE tenant_id = $1`, u.tenant); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		d := dashboards.NewDeliverer(db, cfg, quiet)
		wg.Go(func() {
			for ctx.Err() == nil && len(sink.received()) < len(ids) {
				if err := d.Run(ctx); err != nil && ctx.Err() == nil {
					t.Errorf("a round: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, id := range ids {
		e.waitRun(tenants[i/8], id)
	}
	got := map[string]int{}
	for _, m := range sink.received() {
		subject, _ := readMail(t, m.Raw)
		got[subject]++
	}
	if len(got) != len(ids) {
		t.Errorf("%d schedules mailed, want %d", len(got), len(ids))
	}
	for subject, n := range got {
		if n != 1 {
			t.Errorf("%q mailed %d times", subject, n)
		}
	}
}
