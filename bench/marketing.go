package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

// The sizes of part 13 (issue 19), which flags scale down for a trial.
var (
	marketingContacts  = flag.Int("marketing-contacts", 1_000_000, "marketing part: projected contacts of the tenant")
	marketingRate      = flag.Int("marketing-rate", 2_000, "marketing part: contact.updated events a second moving contacts in and out of the segment")
	marketingEvents    = flag.Duration("marketing-events", time.Minute, "marketing part: how long contact.updated events are published")
	marketingSends     = flag.Int("marketing-sends", 100_000, "marketing part: personalised emails of the send")
	marketingTrackRate = flag.Int("marketing-track-rate", 1_000, "marketing part: tracking requests a second")
	marketingTrack     = flag.Duration("marketing-track", 30*time.Second, "marketing part: how long the tracking endpoints are requested")
)

// Goals of issue 19's performance section.
const (
	goalSegmentScratch = 2 * time.Second
	goalSegmentLagP99  = 5 * time.Second
	goalSendRatio      = 0.5
	goalTrackP99       = 5 * time.Millisecond
)

// marketingRun holds the results of part 13.
type marketingRun struct {
	Contacts   int
	Newsletter int // contacts tagged "newsletter": the send's segment
	Load       time.Duration
	Settle     time.Duration
	// LoadBefore and LoadAfter are /proc/loadavg when the part began and
	// ended: the machine is shared.
	LoadBefore, LoadAfter string
	Rate                  int
	Segment               segmentRun
	Send                  sendRun
	Track                 trackRun
}

// newsletterSize is how many contacts the send's segment holds for sends
// mails: one in ten of them has denied email consent.
func newsletterSize(sends int) int { return sends + sends/9 }

// measureMarketing starts the marketing binary, loads the projected
// contacts of one tenant as the database owner and measures, in order, a
// dynamic segment from scratch and kept up to date from contacts' events,
// a send of personalised emails to the bench's SMTP sink beside the same
// mails sent raw, and the tracking endpoints beside a raw HTTP server.
func measureMarketing(ctx context.Context, root string) (r marketingRun, err error) {
	r.Contacts, r.Newsletter, r.Rate = *marketingContacts, newsletterSize(*marketingSends), *marketingRate
	if r.Newsletter > r.Contacts {
		return r, fmt.Errorf("-marketing-sends %d needs %d contacts, more than -marketing-contacts %d", *marketingSends, r.Newsletter, r.Contacts)
	}
	s, err := startMarketingStack(ctx, root)
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
	client := &http.Client{Timeout: 10 * time.Minute}
	tenant := s.tenant
	token := s.tokens(marketer(tenant))
	r.LoadBefore = loadAverage()
	defer func() { r.LoadAfter = loadAverage() }()

	began := time.Now()
	if err := loadAudience(ctx, admin, tenant, r.Contacts, r.Newsletter); err != nil {
		return r, err
	}
	r.Load = time.Since(began)
	if r.Settle, err = settle(ctx, admin); err != nil {
		return r, err
	}

	fmt.Fprintf(os.Stderr, "bench: marketing: dynamic segment from scratch\n")
	segment, err := measureSegmentScratch(ctx, s, admin, app, client, token, tenant, &r.Segment)
	if err != nil {
		return r, fmt.Errorf("segment from scratch: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: marketing: segment kept up to date at %d events/s\n", r.Rate)
	if err := measureSegmentUpdates(ctx, s, admin, app, tenant, segment, r.Contacts, r.Newsletter, r.Rate, *marketingEvents, &r.Segment); err != nil {
		return r, fmt.Errorf("segment updates: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: marketing: send\n")
	if r.Send, err = measureSend(ctx, s, admin, client, token, r.Newsletter); err != nil {
		return r, fmt.Errorf("send: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: marketing: tracking at %d requests/s\n", *marketingTrackRate)
	if r.Track, err = measureTracking(ctx, s, admin, *marketingTrackRate, *marketingTrack); err != nil {
		return r, fmt.Errorf("tracking: %w", err)
	}
	return r, nil
}

// runMarketingOnly measures part 13 alone and prints its section;
// results.md is left as it is.
func runMarketingOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureMarketing(ctx, root)
	if err != nil {
		return err
	}
	writeMarketingSection(os.Stdout, r)
	return nil
}
