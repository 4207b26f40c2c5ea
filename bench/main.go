// Command bench measures the transactional outbox (libs/outbox) and the
// contacts service's create path against raw kafka-go and raw PostgreSQL
// baselines on this machine, and writes bench/results.md. Run it with `make bench` or `go run ./bench` from the
// repository root; it needs PostgreSQL (BENCH_DATABASE_URL, else
// TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) and
// starts its own in-process Kafka (kfake).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

func main() {
	out := flag.String("out", "", "markdown file to write (default <repo root>/bench/results.md)")
	only := flag.String("only", "", `run one step and print its section instead of writing the report: "gateway", "contacts", "scale", "operator", "reminders", "timeline", "import", "sales", "console", "support", "marketing", "reporting", "webhooks", "crmctl" or "restore"`)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fn := func() error { return run(ctx, *out) }
	switch *only {
	case "":
	case "gateway":
		fn = func() error { return runGatewayOnly(ctx) }
	case "contacts":
		fn = func() error { return runContactsOnly(ctx) }
	case "scale":
		fn = func() error { return runScaleOnly(ctx) }
	case "operator":
		fn = func() error { return runOperatorOnly(ctx) }
	case "reminders":
		fn = func() error { return runRemindersOnly(ctx) }
	case "timeline":
		fn = func() error { return runTimelineOnly(ctx) }
	case "import":
		fn = func() error { return runImportOnly(ctx) }
	case "sales":
		fn = func() error { return runSalesOnly(ctx) }
	case "console":
		fn = func() error { return runConsoleOnly(ctx) }
	case "support":
		fn = func() error { return runSupportOnly(ctx) }
	case "marketing":
		fn = func() error { return runMarketingOnly(ctx) }
	case "reporting":
		fn = func() error { return runReportingOnly(ctx) }
	case "webhooks":
		fn = func() error { return runWebhooksOnly(ctx) }
	case "crmctl":
		fn = func() error { return runCrmctlOnly(ctx) }
	case "restore":
		fn = func() error { return runRestoreOnly(ctx) }
	default:
		fmt.Fprintf(os.Stderr, "bench: -only %q: the steps that run alone are \"gateway\", \"contacts\", \"scale\", \"operator\", \"reminders\", \"timeline\", \"import\", \"sales\", \"console\", \"support\", \"marketing\", \"reporting\", \"webhooks\", \"crmctl\" and \"restore\"\n", *only)
		os.Exit(2)
	}
	if err := fn(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// run sets up a scratch database, measures, and writes the report to out.
func run(ctx context.Context, out string) (err error) {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "bench", "results.md")
	}
	began := time.Now()
	sdb, err := newScratchDB(ctx, serverURL())
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	defer func() {
		if derr := sdb.Drop(); derr != nil && err == nil {
			err = fmt.Errorf("drop database: %w", derr)
		}
	}()
	admin, err := pg.Open(sdb.AdminURL, pg.Options{})
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, plainTableDDL); err != nil {
		return err
	}
	if err := pg.Migrate(ctx, admin.DB, quiet, sdb.AppRole, outbox.Migrations()); err != nil {
		return err
	}
	app, err := pg.Open(sdb.AppURL, pg.Options{})
	if err != nil {
		return err
	}
	defer app.Close()
	if err := pg.CheckRole(ctx, app.DB); err != nil {
		return err
	}

	r := results{Date: began, Machine: describeMachine(ctx, admin.DB)}
	run := func(name string, fn func() error) error {
		fmt.Fprintf(os.Stderr, "bench: %s…\n", name)
		t := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s took %s\n", name, time.Since(t).Round(time.Millisecond))
		// Leave each run a clean table, as a steadily relayed outbox is.
		_, err := admin.ExecContext(ctx, `VACUUM ANALYZE outbox`)
		return err
	}
	t := &r.Through
	steps := []step{
		{"raw produce", func() (err error) { t.RawProduce, err = rawProduce(ctx); return }},
		{"outbox drain", func() (err error) { t.Drain, err = outboxDrain(ctx, app, sdb.AppURL, 0); return }},
		{"outbox drain, big batches", func() (err error) { t.BigDrain, err = outboxDrain(ctx, app, sdb.AppURL, bigBatch); return }},
		{"raw inserts", func() (err error) { t.RawInserts, err = rawInserts(ctx, app, plainInsert, false); return }},
		{"tenant inserts", func() (err error) { t.TenantInserts, err = rawInserts(ctx, app, plainInsert, true); return }},
		{"notify inserts", func() (err error) { t.NotifyInserts, err = rawInserts(ctx, app, notifyInsert, false); return }},
		{"end-to-end", func() (err error) { t.E2ECommitted, t.E2EPublished, err = endToEnd(ctx, app, sdb.AppURL); return }},
	}
	r.Latency = make([]latencyPair, len(maxWaits))
	for i, mw := range maxWaits {
		lp := &r.Latency[i]
		lp.MaxWait = mw
		steps = append(steps,
			step{"raw latency, MaxWait " + mw.String(), func() (err error) { lp.Raw, err = rawLatency(ctx, mw); return }},
			step{"outbox latency, MaxWait " + mw.String(), func() (err error) { lp.Outbox, err = outboxLatency(ctx, app, sdb.AppURL, mw); return }},
		)
	}
	steps = append(steps, step{"contacts create over HTTP", func() (err error) {
		r.Contacts, err = measureContactsCreate(ctx, root, app)
		return
	}})
	steps = append(steps, step{"gateway overhead", func() (err error) {
		r.Gateway, err = measureGatewayOverhead(ctx, root)
		return
	}})
	steps = append(steps, step{"contacts at scale", func() (err error) {
		r.Scale, err = measureContactsScale(ctx, root)
		return
	}})
	steps = append(steps, step{"operator", func() (err error) {
		r.Operator, err = measureOperator(ctx, root)
		return
	}})
	steps = append(steps, step{"reminders", func() (err error) {
		r.Reminders, err = measureReminders(ctx, root)
		return
	}})
	steps = append(steps, step{"timeline", func() (err error) {
		r.Timeline, err = measureTimeline(ctx, root)
		return
	}})
	steps = append(steps, step{"import", func() (err error) {
		r.Import, err = measureImport(ctx, root)
		return
	}})
	steps = append(steps, step{"sales", func() (err error) {
		r.Sales, err = measureSales(ctx, root)
		return
	}})
	steps = append(steps, step{"console", func() (err error) {
		r.Console, err = measureConsole(ctx, root)
		return
	}})
	steps = append(steps, step{"support", func() (err error) {
		r.Support, err = measureSupport(ctx, root)
		return
	}})
	steps = append(steps, step{"marketing", func() (err error) {
		r.Marketing, err = measureMarketing(ctx, root)
		return
	}})
	steps = append(steps, step{"reporting", func() (err error) {
		r.Reporting, err = measureReporting(ctx, root)
		return
	}})
	steps = append(steps, step{"webhooks", func() (err error) {
		r.Webhooks, err = measureWebhooks(ctx, root)
		return
	}})
	steps = append(steps, step{"crmctl", func() (err error) {
		r.Crmctl, err = measureCrmctl(ctx, root)
		return
	}})
	for _, s := range steps {
		if err := run(s.name, s.fn); err != nil {
			return err
		}
	}
	r.Took = time.Since(began)

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	writeMarkdown(f, r)
	if err := f.Close(); err != nil {
		return err
	}
	writeSummary(os.Stdout, r)
	fmt.Printf("wrote %s\n", out)
	return nil
}

// runGatewayOnly measures part 4 alone and prints its section; results.md
// is left as it is.
func runGatewayOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	g, err := measureGatewayOverhead(ctx, root)
	if err != nil {
		return err
	}
	writeGatewaySection(os.Stdout, g)
	return nil
}

// runContactsOnly measures part 3 alone (with its own raw baseline) and
// prints its section; results.md is left as it is.
func runContactsOnly(ctx context.Context) (err error) {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	sdb, err := newScratchDB(ctx, serverURL())
	if err != nil {
		return err
	}
	defer func() {
		if derr := sdb.Drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	admin, err := pg.Open(sdb.AdminURL, pg.Options{})
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, plainTableDDL+"; GRANT ALL ON ALL TABLES IN SCHEMA public TO "+sdb.AppRole+"; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "+sdb.AppRole); err != nil {
		return err
	}
	app, err := pg.Open(sdb.AppURL, pg.Options{})
	if err != nil {
		return err
	}
	defer app.Close()
	c, err := measureContactsCreate(ctx, root, app)
	if err != nil {
		return err
	}
	writeContactsSection(os.Stdout, c)
	return nil
}

// step is one named measurement.
type step struct {
	name string
	fn   func() error
}

// bigBatch is the relay BatchSize of the second drain, which shows what a
// larger batch buys.
const bigBatch = 5000

// runScaleOnly measures part 5 alone and prints its section; results.md is
// left as it is.
func runScaleOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	s, err := measureContactsScale(ctx, root)
	if err != nil {
		return err
	}
	writeScaleSection(os.Stdout, s)
	return nil
}
