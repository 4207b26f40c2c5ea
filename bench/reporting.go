package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

// The sizes of part 14 (issue 20), which flags scale down for a trial.
var (
	reportingRate       = flag.Int("reporting-rate", 2_000, "reporting part: source events a second published to the service's topics")
	reportingEventsFor  = flag.Duration("reporting-events", time.Minute, "reporting part: how long source events are published")
	reportingReplay     = flag.Int("reporting-replay", 100_000, "reporting part: events of the rebuilt tenant on the topics")
	reportingHistory    = flag.Int("reporting-history", 1_000_000, "reporting part: events' worth of read-model rows seeded for the reports' tenant")
	reportingRequests   = flag.Int("reporting-requests", 20, "reporting part: timed requests of each report")
	reportingExportRows = flag.Int("reporting-export-rows", 100_000, "reporting part: rows of the XLSX export (accounts of customer-value)")
	reportingTrainOpps  = flag.Int("reporting-train-opps", 100_000, "reporting part: closed opportunities of the win model's tenant")
)

// Targets of issue 20's performance section.
const (
	goalEventLagP99 = 200 * time.Millisecond
	goalReplayRate  = 20_000.0
	goalReportP99   = 100 * time.Millisecond
	goalExport      = 30 * time.Second
	goalTrain       = 30 * time.Second
)

// reportingRun holds the results of part 14.
type reportingRun struct {
	LoadBefore, LoadAfter string
	Rate                  int
	Fresh                 freshRun
	FreshCPU              time.Duration // the service's CPU during the raw baseline and while the events were published and applied
	Replay                replayRun
	Shape                 reportingShape
	History               int
	Seed, Settle          time.Duration
	Reports               []reportCase
	ExportRows            int
	Export                exportRun
	Train                 trainRun
}

// measureReporting starts the reporting binary and measures, in order:
// the rebuild of a tenant whose events the live consumers applied first,
// source events followed into the read models at a sustained rate, then,
// over read models seeded straight into the rm_* tables, every report,
// an XLSX export and the training of the prediction models.
func measureReporting(ctx context.Context, root string) (r reportingRun, err error) {
	r.Rate, r.History, r.ExportRows = *reportingRate, *reportingHistory, *reportingExportRows
	s, err := startReportingStack(ctx, root)
	if err != nil {
		return r, err
	}
	defer s.Close()
	admin, err := pg.Open(s.db.AdminURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer admin.Close()
	app, err := pg.Open(s.db.AppURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer app.Close()
	r.LoadBefore = loadAverage()
	defer func() { r.LoadAfter = loadAverage() }()

	fmt.Fprintf(os.Stderr, "bench: reporting: replay of %d events\n", *reportingReplay)
	if r.Replay, err = measureReplay(ctx, s, admin, uuid.NewString(), *reportingReplay); err != nil {
		return r, fmt.Errorf("replay: %w", err)
	}
	cpu1, _ := processCPU(ctx, s.base)
	if r.Fresh, err = measureFreshness(ctx, s, admin, uuid.NewString(), r.Rate, *reportingEventsFor); err != nil {
		return r, fmt.Errorf("event → read model: %w", err)
	}
	cpu2, _ := processCPU(ctx, s.base)
	r.FreshCPU = cpu2 - cpu1

	anchor := time.Now().UTC().Truncate(time.Hour)
	reportsTenant, exportTenant, smallTenant, trainTenant := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	r.Shape = shapeOf(r.History)
	began := time.Now()
	if err := seedReports(ctx, admin, reportsTenant, anchor, r.Shape); err != nil {
		return r, err
	}
	if err := seedExport(ctx, admin, exportTenant, anchor, r.ExportRows); err != nil {
		return r, err
	}
	if err := seedExport(ctx, admin, smallTenant, anchor, max(1, r.ExportRows/10)); err != nil {
		return r, err
	}
	if err := seedTraining(ctx, admin, trainTenant, anchor, *reportingTrainOpps); err != nil {
		return r, err
	}
	r.Seed = time.Since(began)
	if r.Settle, err = settle(ctx, admin); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: seeded in %s, settled in %s; reports\n", r.Seed.Round(time.Millisecond), r.Settle.Round(time.Millisecond))
	if r.Reports, err = measureReports(ctx, s, app, reportsTenant, *reportingRequests); err != nil {
		return r, fmt.Errorf("reports: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: export of %d rows\n", r.ExportRows)
	if r.Export, err = measureExport(ctx, s, app, exportTenant, smallTenant, max(1, r.ExportRows/10), s.procs[0].Pid()); err != nil {
		return r, fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: training over %d closed opportunities\n", *reportingTrainOpps)
	if r.Train, err = measureTraining(ctx, s, app, trainTenant, *reportingTrainOpps); err != nil {
		return r, fmt.Errorf("training: %w", err)
	}
	return r, nil
}

// runReportingOnly measures part 14 alone and prints its section;
// results.md is left as it is.
func runReportingOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureReporting(ctx, root)
	if err != nil {
		return err
	}
	writeReportingSection(os.Stdout, r)
	return nil
}
