package contacts_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// newImportEnv starts env and, unless runners is 0, replicas of the
// service running its jobs — the import runner among them — beside env's
// instance, which serves the API without them.
func newImportEnv(t *testing.T, runners int) *env {
	t.Helper()
	e := newEnv(t)
	for range runners {
		e.replica()
	}
	return e
}

// upload is a multipart body of an options part (JSON, none when nil) and
// a file part, and its Content-Type.
func upload(t *testing.T, options any, file []byte) (string, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if options != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="options"`)
		h.Set("Content-Type", "application/json")
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(part).Encode(options); err != nil {
			t.Fatal(err)
		}
	}
	part, err := w.CreateFormFile("file", "contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(file)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return body.String(), w.FormDataContentType()
}

// startImport uploads file with options as u and wants 202: the import,
// queued.
func (e *env) startImport(u user, options any, file []byte) importjob.Import {
	e.t.Helper()
	body, ct := upload(e.t, options, file)
	r := e.want(e.do(u, "POST", "/v1/imports", body, "Content-Type", ct), http.StatusAccepted)
	im := contracttest.Decode[importjob.Import](r)
	if loc := r.Header.Get("Location"); loc != "/v1/imports/"+im.ID || im.State != importjob.StateQueued {
		e.t.Fatalf("started import %+v at %q, want one queued at its own Location", im, loc)
	}
	return im
}

// importDone waits until import id has ended and returns it.
func (e *env) importDone(u user, id string) importjob.Import {
	e.t.Helper()
	var im importjob.Import
	testkit.Eventually(e.t, 2*time.Minute, "the import ends", func() (bool, string) {
		im = contracttest.Decode[importjob.Import](e.want(e.do(u, "GET", "/v1/imports/"+id, nil), http.StatusOK))
		return importjob.Final(im.State), fmt.Sprintf("%s, %d rows read", im.State, im.RowsRead)
	})
	return im
}

// importErrors downloads the error report of import id as u: its lines
// after the header.
func (e *env) importErrors(u user, id string) [][]string {
	e.t.Helper()
	r := e.want(e.do(u, "GET", "/v1/imports/"+id+"/errors", nil), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		e.t.Errorf("error report Content-Type %q", ct)
	}
	text, ok := strings.CutPrefix(string(r.Raw), "\uFEFF")
	if !ok {
		e.t.Errorf("the error report has no byte order mark")
	}
	lines, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(lines) == 0 || strings.Join(lines[0], ",") != "row,column,value,reason" {
		e.t.Fatalf("error report %q: %v", text, err)
	}
	return lines[1:]
}

// counts are an import's figures, for comparing.
func counts(im importjob.Import) [5]int64 {
	return [5]int64{im.RowsRead, im.Created, im.Updated, im.Skipped, im.Failed}
}
