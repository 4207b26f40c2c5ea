package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

// The sizes of part 12 (issue 18), which flags scale down for a trial.
var (
	supportCases    = flag.Int("support-cases", 1_000_000, "support part: cases in the big tenant")
	supportArticles = flag.Int("support-articles", 10_000, "support part: knowledge-base articles, half Chinese")
	supportClocks   = flag.Int("support-clocks", 100_000, "support part: open cases with SLA clocks recomputed by a calendar edit")
	supportSMTP     = flag.Duration("support-smtp", 30*time.Second, "support part: how long mail is sent at 50 messages/s")
)

// supportRun holds the results of part 12.
type supportRun struct {
	Cases, Open  int
	Load, Settle time.Duration
	Queue        []queueCase
	QueueExplain string
	Articles     int
	KBLoad       time.Duration
	KB           []kbRow
	KBAll, KBRaw latency
	KBFloor      latency
	KBExplain    string
	// LoadBefore and LoadAfter are /proc/loadavg when the part began and
	// ended: the machine is shared.
	LoadBefore, LoadAfter string
	Inbound               inboundRun // the service
	InboundRaw            inboundRun // a go-smtp server that discards the mail
	InboundOne            inboundRun // the service, one mail at a time
	EmailCases            int        // cases the service opened from the mails
	// CommitsPerMail and WALPerMail are the service database's
	// transactions committed and WAL written during the paced run, per
	// mail (the relay's, the consumers' and the jobs' included).
	CommitsPerMail, WALPerMail float64
	// CPUPerMail is the service process's CPU time during the paced run,
	// per mail (its consumers' and jobs' included).
	CPUPerMail time.Duration
	SLA        slaRun
}

// measureSupport starts the support binary with its SMTP listener, loads
// the cases of one tenant as the database owner and its articles through
// the API, and times the queue view, the KB search, inbound mail over
// SMTP (beside a raw SMTP server) and the SLA recomputation of a calendar
// edit (beside the same SQL through database/sql), in that order (the
// edit rewrites the due times the queue view sorts by).
func measureSupport(ctx context.Context, root string) (r supportRun, err error) {
	stack, err := startSupportStack(ctx, root)
	if err != nil {
		return r, err
	}
	defer stack.Close()
	admin, err := pg.Open(stack.db.AdminURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer admin.Close()
	client := &http.Client{Timeout: 30 * time.Second}
	tenant := newTenant()
	token := stack.tokens(supportAgent(tenant, "manager-1"))
	r.LoadBefore = loadAverage()
	defer func() { r.LoadAfter = loadAverage() }()

	// The cases (SQL as the owner) and the articles (the API) load side
	// by side: each is timed on its own, on a machine the other shares.
	r.Cases, r.Articles = *supportCases, *supportArticles
	corpus := newKBCorpus()
	var load errgroup.Group
	load.Go(func() error {
		began := time.Now()
		err := loadCases(ctx, admin, tenant, r.Cases)
		r.Load = time.Since(began)
		return err
	})
	load.Go(func() error {
		began := time.Now()
		err := loadArticles(ctx, client, token, stack.base, corpus, r.Articles)
		r.KBLoad = time.Since(began)
		if err != nil {
			return fmt.Errorf("load articles: %w", err)
		}
		return nil
	})
	if err := load.Wait(); err != nil {
		return r, err
	}
	if err := admin.GetContext(ctx, &r.Open, `SELECT count(*) FROM cases WHERE tenant_id = $1 AND status NOT IN ('solved', 'closed')`, tenant); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: support: %d cases loaded in %s, %d articles in %s; vacuum\n", r.Cases, r.Load.Round(time.Millisecond),
		r.Articles, r.KBLoad.Round(time.Millisecond))
	if r.Settle, err = settle(ctx, admin); err != nil {
		return r, err
	}

	fmt.Fprintf(os.Stderr, "bench: support: queue view\n")
	if r.Queue, r.QueueExplain, err = measureQueueView(ctx, stack, tenant); err != nil {
		return r, fmt.Errorf("queue view: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: support: KB search\n")
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer app.Close()
	if r.KB, r.KBAll, r.KBRaw, err = measureKBSearch(ctx, client, token, stack.base, app, tenant, corpus); err != nil {
		return r, fmt.Errorf("KB search: %w", err)
	}
	if r.KBFloor, err = kbFloor(ctx, client, token, stack.base); err != nil {
		return r, err
	}
	if r.KBExplain, err = kbExplain(ctx, app, tenant, corpus); err != nil {
		return r, fmt.Errorf("KB explain: %w", err)
	}

	fmt.Fprintf(os.Stderr, "bench: support: inbound mail, raw SMTP server then the service\n")
	if err := createMailbox(ctx, client, token, stack.base); err != nil {
		return r, err
	}
	rs, err := startRawSMTP()
	if err != nil {
		return r, err
	}
	defer rs.srv.Close()
	if r.InboundRaw, err = sendInbound(ctx, rs.ln.Addr().String(), supportMailbox, "raw", inboundRate, *supportSMTP, nil); err != nil {
		return r, fmt.Errorf("raw SMTP: %w", err)
	}
	if r.InboundOne, err = sendOneByOne(ctx, stack.smtpAddr, supportMailbox, "one", inboundOneByOne, stack.relay); err != nil {
		return r, fmt.Errorf("mail one at a time: %w", err)
	}
	before, err := dbActivity(ctx, admin)
	if err != nil {
		return r, err
	}
	cpuBefore, err := processCPU(ctx, stack.base)
	if err != nil {
		return r, err
	}
	if r.Inbound, err = sendInbound(ctx, stack.smtpAddr, supportMailbox, "svc", inboundRate, *supportSMTP, stack.relay); err != nil {
		return r, fmt.Errorf("inbound mail: %w", err)
	}
	after, err := dbActivity(ctx, admin)
	if err != nil {
		return r, err
	}
	cpuAfter, err := processCPU(ctx, stack.base)
	if err != nil {
		return r, err
	}
	r.CPUPerMail = (cpuAfter - cpuBefore) / time.Duration(r.Inbound.Sent)
	r.CommitsPerMail = float64(after.Commits-before.Commits) / float64(r.Inbound.Sent)
	r.WALPerMail = float64(after.WAL-before.WAL) / float64(r.Inbound.Sent)
	if err := admin.GetContext(ctx, &r.EmailCases, `SELECT count(*) FROM cases WHERE tenant_id = $1 AND number > $2`, tenant, r.Cases); err != nil {
		return r, err
	}

	fmt.Fprintf(os.Stderr, "bench: support: SLA recomputation\n")
	if r.SLA, err = measureSLA(ctx, stack, admin, tenant, *supportClocks); err != nil {
		return r, fmt.Errorf("SLA: %w", err)
	}
	return r, nil
}

// supportMailbox is the tenant's support mailbox, its default.
const supportMailbox = "help@bench-support.test"

// inboundOneByOne is how many mails the service takes one at a time
// before the paced run (which they warm up).
const inboundOneByOne = 50

// createMailbox creates the tenant's mailbox, acknowledging new cases.
func createMailbox(ctx context.Context, client *http.Client, token func() (string, error), base string) error {
	_, err := benchRequest(ctx, client, token, http.MethodPost, base+"/v1/support-mailboxes",
		`{"address": "`+supportMailbox+`", "autoAcknowledge": true, "isDefault": true, "fromName": "Bench Support"}`)
	return err
}

// dbCounters is a database's commits and the server's WAL position.
type dbCounters struct{ Commits, WAL int64 }

// dbActivity reads the counters of admin's database, after waiting for
// the statistics of the last second's transactions to be flushed.
func dbActivity(ctx context.Context, admin *sqlx.DB) (a dbCounters, err error) {
	time.Sleep(1500 * time.Millisecond)
	err = admin.QueryRowContext(ctx, `SELECT xact_commit, pg_current_wal_lsn() - '0/0'::pg_lsn FROM pg_stat_database WHERE datname = current_database()`).
		Scan(&a.Commits, &a.WAL)
	return a, err
}

// kbFloor times GET /v1/kb/articles/{id} of the first article listed.
func kbFloor(ctx context.Context, client *http.Client, token func() (string, error), base string) (latency, error) {
	b, err := benchRequest(ctx, client, token, http.MethodGet, base+"/v1/kb/articles?limit=1", "")
	if err != nil {
		return latency{}, err
	}
	var page struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.Unmarshal(b, &page); err != nil || len(page.Items) == 0 {
		return latency{}, fmt.Errorf("GET /v1/kb/articles: no article in %s", b)
	}
	return timeRequests(ctx, client, token, base+"/v1/kb/articles/"+page.Items[0].ID, func([]byte) error { return nil })
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// runSupportOnly measures part 12 alone and prints its section; results.md
// is left as it is.
func runSupportOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureSupport(ctx, root)
	if err != nil {
		return err
	}
	writeSupportSection(os.Stdout, r)
	return nil
}
