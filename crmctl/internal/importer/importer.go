// Package importer is `crmctl import`: a CSV file streamed to a service's
// import endpoint (never held in memory), the job followed to its end with
// a live progress bar, and the job's error report saved beside the file.
//
// Contacts and leads are imported by their services' import jobs
// (libs/importjob: POST /v1/imports, POST /v1/lead-imports). Accounts have
// no import job in the contacts service; crmctl imports them itself, row by
// row through POST /v1/accounts (accounts.go), and writes the same error
// report.
package importer

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// Kinds are the records crmctl imports, in the order help lists them.
var Kinds = []string{"contacts", "accounts", "leads"}

// paths are the import jobs' collections of the kinds that have one.
var paths = map[string]string{"contacts": "/v1/imports", "leads": "/v1/lead-imports"}

// Options are one import's settings.
type Options struct {
	// Kind is contacts, accounts or leads.
	Kind string
	// File is the CSV file's path.
	File string
	// Mapping maps the header's names to fields; nil takes the service's
	// suggestion (contacts, leads) or the header's names as they are
	// (accounts).
	Mapping map[string]string
	// DuplicatePolicy is skip, update or create ("" for the service's
	// default).
	DuplicatePolicy string
	// Job, when set, follows an import already started instead of
	// uploading File (after an interrupted run).
	Job string
	// Progress is where the bar is drawn; nil draws none.
	Progress io.Writer
	// Poll is how often the job is read (default 500 ms).
	Poll time.Duration
}

// Result is how an import ended.
type Result struct {
	// ID is the import job's id ("" for accounts).
	ID string `json:"id,omitempty"`
	// State is the job's final state: completed, failed or cancelled.
	State         string  `json:"state"`
	FailureReason string  `json:"failureReason,omitempty"`
	RowsRead      int64   `json:"rowsRead"`
	Created       int64   `json:"created"`
	Updated       int64   `json:"updated"`
	Skipped       int64   `json:"skipped"`
	Failed        int64   `json:"failed"`
	RowsPerSecond float64 `json:"rowsPerSecond"`
	// ErrorFile is the error report's path, set when rows failed.
	ErrorFile string `json:"errorFile,omitempty"`
}

// Summary is the one line that says how the import ended.
func (r Result) Summary() string {
	s := fmt.Sprintf("%s: %d rows read, %d created, %d updated, %d skipped, %d failed (%.0f rows/s)",
		r.State, r.RowsRead, r.Created, r.Updated, r.Skipped, r.Failed, r.RowsPerSecond)
	if r.FailureReason != "" {
		s += ": " + r.FailureReason
	}
	if r.ErrorFile != "" {
		s += "; errors in " + r.ErrorFile
	}
	return s
}

// ErrorFile is the path of the error report of file: FILE.errors.csv beside
// it.
func ErrorFile(file string) string {
	return strings.TrimSuffix(file, filepath.Ext(file)) + ".errors.csv"
}

// Run imports o.File into o.Kind and returns how it ended. When ctx ends
// before the job has, the error is an *Interrupted naming the job.
func Run(ctx context.Context, c *session.Client, o Options) (Result, error) {
	if o.Poll == 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Kind == "accounts" {
		return importAccounts(ctx, c, o)
	}
	path, ok := paths[o.Kind]
	if !ok {
		return Result{}, fmt.Errorf("%w: %q; one of %s", ErrUnknownKind, o.Kind, strings.Join(Kinds, ", "))
	}
	id := o.Job
	if id == "" {
		mapping := o.Mapping
		if mapping == nil {
			var err error
			if mapping, err = suggest(ctx, c, path, o.File); err != nil {
				return Result{}, err
			}
		}
		var err error
		if id, err = upload(ctx, c, path, o, mapping); err != nil {
			return Result{}, err
		}
	}
	res, err := follow(ctx, c, path, id, o)
	if err != nil {
		return res, err
	}
	if res.Failed > 0 {
		res.ErrorFile = ErrorFile(o.File)
		if err := saveReport(ctx, c, path+"/"+id+"/errors", res.ErrorFile); err != nil {
			return res, err
		}
	}
	return res, nil
}
