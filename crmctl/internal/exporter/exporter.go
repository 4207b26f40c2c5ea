// Package exporter is `crmctl export`: every record a list query finds,
// streamed from the service's export (GET /v1/<kind>/export, CSV) into a
// temporary file beside the target, renamed once whole, so that a file
// that is there is never a cut-off export. An .xlsx target is written from
// the CSV stream with excelize's stream writer, row by row.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// Kinds are the records crmctl exports.
var Kinds = []string{"contacts", "accounts"}

// The errors of exports.
var (
	// ErrFormat is a target that is neither .csv nor .xlsx.
	ErrFormat = errors.New("the file must end in .csv or .xlsx")
	// ErrUnknownKind is a kind of record crmctl does not export.
	ErrUnknownKind = errors.New("crmctl exports contacts or accounts")
)

// Options are one export's settings.
type Options struct {
	// Kind is contacts or accounts; File the target, .csv or .xlsx.
	Kind, File string
	// Filter (the filter language, JSON), Q (search text), Sort and View
	// are the list query's, as GET /v1/<kind> takes them.
	Filter, Q, Sort, View string
	// Deleted exports the deleted records instead of the live ones.
	Deleted bool
	// Progress is where the bar is drawn; nil draws none.
	Progress io.Writer
}

// Result is what an export wrote.
type Result struct {
	File  string `json:"file"`
	Bytes int64  `json:"bytes"` // of the export as the service sent it
	Rows  int64  `json:"rows"`  // records, the header aside
	// Took is how long the export took.
	Took time.Duration `json:"took"`
}

// Run exports what o asks into o.File.
func Run(ctx context.Context, c *session.Client, o Options) (Result, error) {
	res := Result{File: o.File}
	if !slices.Contains(Kinds, o.Kind) {
		return res, fmt.Errorf("%w: %q", ErrUnknownKind, o.Kind)
	}
	ext := strings.ToLower(filepath.Ext(o.File))
	if ext != ".csv" && ext != ".xlsx" {
		return res, fmt.Errorf("%w: %s", ErrFormat, o.File)
	}
	began := time.Now()
	q := url.Values{"format": {"csv"}}
	for k, v := range map[string]string{"filter": o.Filter, "q": o.Q, "sort": o.Sort, "view": o.View} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Deleted {
		q.Set("deleted", "true")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/v1/"+o.Kind+"/export?"+q.Encode(), nil)
	if err != nil {
		return res, err
	}
	req.Header.Set("Accept", "text/csv")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return res, session.Check(resp.StatusCode, b)
	}
	bar := newBar(o.Progress)
	defer bar.Exit()
	body := &counter{r: resp.Body, bar: bar}
	tmp, err := os.CreateTemp(filepath.Dir(o.File), "."+filepath.Base(o.File)+".*.part")
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if ext == ".xlsx" {
		res.Rows, err = writeXLSX(tmp, body)
	} else {
		res.Rows, err = copyCSV(tmp, body)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("interrupted: nothing was written to %s", o.File)
		}
		return res, err
	}
	_ = bar.Finish()
	res.Bytes, res.Took = body.n, time.Since(began)
	return res, os.Rename(tmp.Name(), o.File)
}

// counter counts the bytes read through it on a bar.
type counter struct {
	r   io.Reader
	bar *progressbar.ProgressBar
	n   int64
}

// Read implements io.Reader.
func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	_ = c.bar.Add(n)
	return n, err
}

// newBar returns a bar of bytes of unknown length drawn on w, with the
// rate (none when w is nil).
func newBar(w io.Writer) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.NewOptions64(-1, progressbar.OptionSetVisibility(false), progressbar.OptionSetWriter(io.Discard))
	}
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetDescription("exporting"),
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
	)
}
