package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// trackRun is the tracking endpoints paced at a rate, beside a raw HTTP
// server answering the same requests with constants.
type trackRun struct {
	Links            int // open and click links read from the mails
	Requests         int // per path
	Rate             int
	Raw              latency
	Direct           latency // the service's /public/v1 routes with the public principal's token
	Gateway          latency // the mails' links as they are: the gateway's /m/<tenant>/t/…
	Opens, Clicks    latency // through the gateway, by kind
	RawFailed        int
	Failed, GWFailed int // the service's failures, direct and through the gateway
	FirstError       string
	// Recorded are the service's message_events of the run, and Bots
	// those it took for a machine's.
	Recorded, Bots int
	// DirectCPU is the service process's CPU per request of the direct
	// run; GatewayCPU and ServiceCPU the gateway's and the service's per
	// request of the run through the gateway.
	DirectCPU, GatewayCPU, ServiceCPU time.Duration
}

// cpuOf reads the CPU time of the processes at bases (their /metrics).
func cpuOf(ctx context.Context, bases ...string) ([]time.Duration, error) {
	out := make([]time.Duration, len(bases))
	for i, b := range bases {
		var err error
		if out[i], err = processCPU(ctx, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// trackingMails is how many captured mails the tracking links are read
// from.
const trackingMails = 2000

// trackingLink matches an open or click link of a mail: its path from /m/.
var trackingLink = regexp.MustCompile(`https?://[^/"'\s]+(/m/[^/"'\s]+/t/([oc])/[A-Za-z0-9._~%-]+)`)

// trackingGIF is the raw server's pixel: a 1×1 transparent GIF.
var trackingGIF, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// measureTracking reads open and click links from the mails the send
// left in the capture and requests them at rate a second for d,
// alternately an open and a click, each at its due time on a client of a
// pool whatever the others do: as they are, through the gateway's
// /m/<tenant>/t/… (no credentials: the gateway mints the public
// principal's token), and straight on the service's /public/v1/t/… with
// that token, as the gateway forwards them. The raw baseline is the same
// schedule against an HTTP server of the bench answering a constant GIF
// or 302.
func measureTracking(ctx context.Context, s *marketingStack, admin *sqlx.DB, rate int, d time.Duration) (r trackRun, err error) {
	opens, clicks, err := trackingLinks(s.sink)
	if err != nil {
		return r, err
	}
	if len(opens) == 0 || len(clicks) == 0 {
		return r, fmt.Errorf("the mails hold %d open and %d click links", len(opens), len(clicks))
	}
	r.Links, r.Rate, r.Requests = len(opens)+len(clicks), rate, int(d.Seconds()*float64(rate))
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.URL.Path, "/t/c/") {
			http.Redirect(w, req, "https://www.example.com/offers/december?utm_source=newsletter&utm_medium=email&utm_campaign=december", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "image/gif")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(trackingGIF) //nolint:errcheck
	}))
	defer raw.Close()
	// urls maps a link's path (/m/<tenant>/t/o/<token>) to base, the
	// prefix /m/<tenant> replaced by upstream unless it is "".
	urls := func(base, upstream string) func(i int) string {
		return func(i int) string {
			p := clicks[(i/2)%len(clicks)]
			if i%2 == 0 {
				p = opens[(i/2)%len(opens)]
			}
			if upstream != "" {
				p = upstream + p[strings.Index(p, "/t/"):]
			}
			return base + p
		}
	}
	public := s.tokens(publicPrincipal(s.tenant))
	none := func() (string, error) { return "", nil }
	var before int
	if err := admin.GetContext(ctx, &before, `SELECT count(*) FROM message_events WHERE kind IN ('open', 'click')`); err != nil {
		return r, err
	}
	if r.Raw, _, _, r.RawFailed, _, err = pace(ctx, urls(raw.URL, ""), none, r.Requests, rate); err != nil {
		return r, fmt.Errorf("raw server: %w", err)
	}
	var first string
	c0, err := cpuOf(ctx, s.base, s.metrics)
	if err != nil {
		return r, err
	}
	if r.Direct, _, _, r.Failed, first, err = pace(ctx, urls(s.base, "/public/v1"), public, r.Requests, rate); err != nil {
		return r, err
	}
	c1, err := cpuOf(ctx, s.base, s.metrics)
	if err != nil {
		return r, err
	}
	if r.Gateway, r.Opens, r.Clicks, r.GWFailed, r.FirstError, err = pace(ctx, urls(s.gateway, ""), none, r.Requests, rate); err != nil {
		return r, err
	}
	c2, err := cpuOf(ctx, s.base, s.metrics)
	if err != nil {
		return r, err
	}
	// Each run's CPU includes its 200 warm-up requests.
	per := time.Duration(r.Requests + 200)
	r.DirectCPU, r.ServiceCPU, r.GatewayCPU = (c1[0]-c0[0])/per, (c2[0]-c1[0])/per, (c2[1]-c1[1])/per
	if r.FirstError == "" {
		r.FirstError = first
	}
	err = admin.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE bot) FROM message_events WHERE kind IN ('open', 'click')`).
		Scan(&r.Recorded, &r.Bots)
	r.Recorded -= before
	return r, err
}

// trackingLinks reads the paths (/m/<tenant>/t/o/<token>) of the open and
// click links of the first trackingMails captured mails.
func trackingLinks(sink *mailSink) (opens, clicks []string, err error) {
	n := 0
	errEnough := errors.New("enough")
	err = sink.readCaptured(func(m capturedMail) error {
		body, err := mailText(m.Raw)
		if err != nil {
			return err
		}
		for _, l := range trackingLink.FindAllStringSubmatch(body, -1) {
			if l[2] == "o" {
				opens = append(opens, l[1])
			} else {
				clicks = append(clicks, l[1])
			}
		}
		if n++; n == trackingMails {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return opens, clicks, err
}

// mailText is the decoded text of every part of the mail raw.
func mailText(raw []byte) (string, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	var out strings.Builder
	err = partText(&out, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return out.String(), err
}

// partText appends the decoded text of a part (multipart ones walked).
func partText(out *strings.Builder, ctype, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err == nil && strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := partText(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	_, err = io.Copy(out, body)
	return err
}

// pace requests url(i) for i < n, rate a second, each at its due time on
// a goroutine of its own, with the token (if any) and a browser's
// User-Agent from a documentation address (X-Forwarded-For, which the
// gateway replaces with the client's); it returns the latencies (all, even i, odd
// i), the failures (not 200 image/gif for even i, not 302 for odd i) and
// the first one.
func pace(ctx context.Context, url func(int) string, token func() (string, error), n, rate int) (all, even, odd latency, failed int, first string, err error) {
	client := &http.Client{Timeout: 10 * time.Second,
		Transport:     &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	tok, err := token()
	if err != nil {
		return
	}
	if tok != "" {
		tok = "Bearer " + tok
	}
	do := func(i int) (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url(i), nil)
		if err != nil {
			return 0, err
		}
		if tok != "" {
			req.Header.Set("Authorization", tok)
		}
		req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", 1+i%250))
		began := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		took := time.Since(began)
		switch {
		case err != nil:
			return took, err
		case i%2 == 0 && (res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/gif"):
			return took, fmt.Errorf("open: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		case i%2 == 1 && res.StatusCode != http.StatusFound:
			return took, fmt.Errorf("click: %d", res.StatusCode)
		}
		return took, nil
	}
	for i := range min(n, 200) { // warm-up: connections and caches
		if _, err = do(i); err != nil {
			return all, even, odd, 0, "", fmt.Errorf("warm-up: %w", err)
		}
	}
	took, errs := make([]time.Duration, n), make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		if ctx.Err() != nil {
			return all, even, odd, 0, "", ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			took[i], errs[i] = do(i)
		}()
	}
	wg.Wait()
	var as, es, os []time.Duration
	for i := range n {
		if errs[i] != nil {
			failed++
			if first == "" {
				first = errs[i].Error()
			}
			continue
		}
		as = append(as, took[i])
		if i%2 == 0 {
			es = append(es, took[i])
		} else {
			os = append(os, took[i])
		}
	}
	if len(es) == 0 || len(os) == 0 {
		return all, even, odd, failed, first, fmt.Errorf("every request failed: %s", first)
	}
	return distribution(as), distribution(es), distribution(os), failed, first, nil
}
