package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// previewBytes is how much of a file the service's preview reads.
const previewBytes = 64 << 10

// suggest sends the file's first 64 KiB to the import's preview and returns
// the mapping the service suggests for its header.
func suggest(ctx context.Context, c *session.Client, path, file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", filepath.Base(file))
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(part, io.LimitReader(f, previewBytes)); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var preview struct {
		SuggestedMapping map[string]string `json:"suggestedMapping"`
	}
	err = call(ctx, c, http.MethodPost, path+"/preview", &body, mw.FormDataContentType(), http.StatusOK, &preview)
	return preview.SuggestedMapping, err
}

// upload streams the file as the import's multipart body — the options
// part, then the file part read from disk as the request is sent — and
// returns the queued job's id. The bar counts the file's bytes sent.
func upload(ctx context.Context, c *session.Client, path string, o Options, mapping map[string]string) (string, error) {
	f, err := os.Open(o.File)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	options, err := json.Marshal(map[string]any{"mapping": mapping, "duplicatePolicy": o.DuplicatePolicy})
	if err != nil {
		return "", err
	}
	bar := newBar(o.Progress, info.Size(), "uploading", "")
	defer bar.Exit()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	reader := progressbar.NewReader(f, bar)
	go func() {
		pw.CloseWithError(writeUpload(mw, options, filepath.Base(o.File), &reader))
	}()
	var job struct {
		ID string `json:"id"`
	}
	err = call(ctx, c, http.MethodPost, path, pr, mw.FormDataContentType(), http.StatusAccepted, &job)
	pr.CloseWithError(io.ErrClosedPipe) // stops the writer when the answer came early
	if ctx.Err() != nil {
		return "", &Interrupted{Kind: o.Kind, File: o.File}
	}
	return job.ID, err
}

// writeUpload writes the multipart body: options, then file.
func writeUpload(mw *multipart.Writer, options []byte, name string, file io.Reader) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="options"`)
	h.Set("Content-Type", "application/json")
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := part.Write(options); err != nil {
		return err
	}
	if part, err = mw.CreateFormFile("file", name); err != nil {
		return err
	}
	if _, err := io.Copy(part, file); err != nil {
		return err
	}
	return mw.Close()
}

// call sends a request and decodes an answer of status want into out (nil
// discards it).
func call(ctx context.Context, c *session.Client, method, path string, body io.Reader, contentType string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return check(resp)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// newBar returns a bar of max units drawn on w (none when w is nil): bytes
// when unit is "", else that unit's count, with its rate and the time left.
func newBar(w io.Writer, max int64, desc, unit string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetRenderBlankState(true),
	}
	if unit == "" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionSetItsString(unit))
	}
	if w == nil {
		opts = append(opts, progressbar.OptionSetVisibility(false), progressbar.OptionSetWriter(io.Discard))
	} else {
		opts = append(opts, progressbar.OptionSetWriter(w), progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }))
	}
	return progressbar.NewOptions64(max, opts...)
}

// check returns the error an answer of an unexpected status describes
// (its problem+json, read up to 1 MiB).
func check(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := session.Check(resp.StatusCode, b); err != nil {
		return err
	}
	return fmt.Errorf("%s %s: unexpected status %s", resp.Request.Method, resp.Request.URL.Path, resp.Status)
}
