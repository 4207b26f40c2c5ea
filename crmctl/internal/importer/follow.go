package importer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// job is an import job as GET <path>/{id} shows it.
type job struct {
	Result
	Progress float64 `json:"progress"`
}

// final reports whether a job in state has ended.
func final(state string) bool {
	return state == "completed" || state == "failed" || state == "cancelled"
}

// follow reads the job every o.Poll until it has ended, drawing its rows
// read on a bar whose length is estimated from the share of the file read.
func follow(ctx context.Context, c *session.Client, path, id string, o Options) (Result, error) {
	bar := newBar(o.Progress, -1, "importing", "rows")
	defer bar.Exit()
	for {
		var j job
		if err := call(ctx, c, http.MethodGet, path+"/"+id, nil, "", http.StatusOK, &j); err != nil {
			if ctx.Err() != nil {
				return j.Result, &Interrupted{Kind: o.Kind, File: o.File, ID: id, Path: path}
			}
			return j.Result, err
		}
		if j.Progress > 0 && j.RowsRead > 0 {
			bar.ChangeMax64(max(j.RowsRead, int64(float64(j.RowsRead)/j.Progress)))
		}
		bar.Describe(fmt.Sprintf("importing (%d failed)", j.Failed))
		_ = bar.Set64(j.RowsRead)
		if final(j.State) {
			_ = bar.Finish()
			j.ID = id
			if j.State != "completed" {
				return j.Result, fmt.Errorf("%w: %s", ErrJobEnded, j.Summary())
			}
			return j.Result, nil
		}
		select {
		case <-ctx.Done():
			return j.Result, &Interrupted{Kind: o.Kind, File: o.File, ID: id, Path: path}
		case <-time.After(o.Poll):
		}
	}
}

// saveReport downloads the error report at path into file, through a
// temporary file renamed once whole.
func saveReport(ctx context.Context, c *session.Client, path, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/csv")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return check(resp)
	}
	return writeFileFrom(file, resp.Body)
}

// writeFileFrom copies r into path through a temporary file beside it,
// renamed over path once r has been read to its end.
func writeFileFrom(path string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
