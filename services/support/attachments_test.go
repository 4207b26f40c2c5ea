package support_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/attachments"
)

// attachmentCase inserts a case of tenant as the cases' store would and
// returns its id.
func (e *env) attachmentCase(tenant string) string {
	e.t.Helper()
	id := uuid.NewString()
	e.admin.MustExec(`INSERT INTO cases (tenant_id, id, number, subject, channel, priority, status, created_by, created_at, updated_at)
		VALUES ($1, $2, (SELECT count(*) + 1 FROM cases WHERE tenant_id = $1), 'printer jammed', 'email', 'normal', 'new', 'test', now(), now())`,
		tenant, id)
	return id
}

// attachmentBody is a multipart body with a part named part holding data
// as the file name with contentType, and the body's Content-Type.
func attachmentBody(t *testing.T, part, name, contentType string, data []byte) (string, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition(part, name))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	p, err := w.CreatePart(h)
	if err == nil {
		_, err = p.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return body.String(), w.FormDataContentType()
}

// upload sends data as the file name with contentType to the case caseID
// as u.
func (e *env) upload(u user, caseID, name, contentType string, data []byte) reply {
	e.t.Helper()
	body, ct := attachmentBody(e.t, "file", name, contentType, data)
	return e.do(u, "POST", "/v1/cases/"+caseID+"/attachments", body, "Content-Type", ct)
}

// attachmentCount is how many attachments the database holds, of every
// tenant.
func (e *env) attachmentCount() int {
	e.t.Helper()
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM attachments`); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestAttachmentRoundTrip uploads a file and downloads it: the same bytes,
// under its name (in UTF-8 and in ASCII), with its sniffed type, as a
// download the browser does not sniff.
func TestAttachmentRoundTrip(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	caseID := e.attachmentCase(u.tenant)
	data := []byte("打印机卡纸，型号 LJ-2200。\nThe printer jams.\n")
	r := e.want(e.upload(u, caseID, "维修 说明.txt", "application/octet-stream", data), http.StatusCreated)
	m := contracttest.Decode[attachments.Meta](r)
	sum := sha256.Sum256(data)
	if m.CaseID != caseID || m.Name != "维修 说明.txt" || m.ContentType != "text/plain; charset=utf-8" || m.Size != int64(len(data)) ||
		m.SHA256 != hex.EncodeToString(sum[:]) || m.ID == "" || m.CreatedAt.IsZero() {
		t.Errorf("uploaded %+v", m)
	}
	path := "/v1/cases/" + caseID + "/attachments/" + m.ID
	if loc := r.Header.Get("Location"); loc != path {
		t.Errorf("Location %q, want %q", loc, path)
	}

	got := e.want(e.do(u.as("support:read"), "GET", path, nil), http.StatusOK)
	if !bytes.Equal(got.Raw, data) {
		t.Errorf("downloaded %q, want %q", got.Raw, data)
	}
	for name, want := range map[string]string{
		"Content-Type":           "text/plain; charset=utf-8",
		"Content-Disposition":    `attachment; filename="__ __.txt"; filename*=UTF-8''%E7%BB%B4%E4%BF%AE%20%E8%AF%B4%E6%98%8E.txt`,
		"X-Content-Type-Options": "nosniff",
	} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("%s: %q, want %q", name, v, want)
		}
	}

	// A path in the name is dropped, and so are invisible characters.
	r = e.want(e.upload(u, caseID, "C:\\Users\\li\\invoice\u202Etxt.exe.pdf", "", []byte("%PDF-1.4\n")), http.StatusCreated)
	if m := contracttest.Decode[attachments.Meta](r); m.Name != "invoicetxt.exe.pdf" || m.ContentType != "application/pdf" {
		t.Errorf("uploaded %+v", m)
	}
}

// TestAttachmentTypeIsSniffed: a PNG named .txt and declared text/plain is
// an image/png, stored and served so.
func TestAttachmentTypeIsSniffed(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	caseID := e.attachmentCase(u.tenant)
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	m := contracttest.Decode[attachments.Meta](e.want(e.upload(u, caseID, "screenshot.txt", "text/plain", img.Bytes()), http.StatusCreated))
	if m.ContentType != "image/png" || m.Name != "screenshot.txt" {
		t.Errorf("uploaded %+v, want an image/png named screenshot.txt", m)
	}
	got := e.want(e.do(u, "GET", "/v1/cases/"+caseID+"/attachments/"+m.ID, nil), http.StatusOK)
	if ct := got.Header.Get("Content-Type"); ct != "image/png" || !bytes.Equal(got.Raw, img.Bytes()) {
		t.Errorf("served as %q (%d bytes)", ct, len(got.Raw))
	}
}

// TestAttachmentHTMLIsADownload: an HTML file (declared text/plain) is
// described as HTML but served as application/octet-stream, as an
// attachment, not sniffed, in a sandbox.
func TestAttachmentHTMLIsADownload(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	caseID := e.attachmentCase(u.tenant)
	page := []byte(`<!DOCTYPE html><html><body><script>fetch("/v1/cases").then(r => r.text()).then(alert)</script></body></html>`)
	m := contracttest.Decode[attachments.Meta](e.want(e.upload(u, caseID, "page.txt", "text/plain", page), http.StatusCreated))
	if m.ContentType != "text/html; charset=utf-8" {
		t.Errorf("an HTML file is described as %q", m.ContentType)
	}
	got := e.want(e.do(u, "GET", "/v1/cases/"+caseID+"/attachments/"+m.ID, nil), http.StatusOK)
	h := got.Header
	if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("an HTML file is served with %v", h)
	}
	if !bytes.Equal(got.Raw, page) {
		t.Errorf("downloaded %q", got.Raw)
	}
}

// TestAttachmentOverTheLimit: a file one byte over the limit is 413 and
// nothing is stored, whether the body announces its size or not.
func TestAttachmentOverTheLimit(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	caseID := e.attachmentCase(u.tenant)
	big := bytes.Repeat([]byte("x"), attachments.DefaultLimit+1)
	r := e.want(e.upload(u, caseID, "big.log", "text/plain", big), http.StatusRequestEntityTooLarge)
	if p := contracttest.Decode[problemBody](r); !strings.HasSuffix(p.Type, "/attachment-too-large") {
		t.Errorf("problem %+v", p)
	}
	// A body far over the limit is refused by its Content-Length, unread.
	bigger := bytes.Repeat([]byte("x"), attachments.DefaultLimit+1<<20)
	e.want(e.upload(u, caseID, "bigger.log", "text/plain", bigger), http.StatusRequestEntityTooLarge)
	if n := e.attachmentCount(); n != 0 {
		t.Errorf("%d attachments stored", n)
	}
}

// TestAttachmentOfAnotherTenant: another tenant neither downloads an
// attachment nor uploads to the case (404, as for no case); another case
// of the same tenant does not have it either, nor does a deleted case.
func TestAttachmentOfAnotherTenant(t *testing.T) {
	e := newEnv(t)
	u, stranger := newUser(uuid.NewString()), newUser(uuid.NewString())
	caseID, otherCase := e.attachmentCase(u.tenant), e.attachmentCase(u.tenant)
	m := contracttest.Decode[attachments.Meta](e.want(e.upload(u, caseID, "a.txt", "", []byte("secret")), http.StatusCreated))

	e.want(e.do(stranger, "GET", "/v1/cases/"+caseID+"/attachments/"+m.ID, nil), http.StatusNotFound)
	e.want(e.upload(stranger, caseID, "b.txt", "", []byte("planted")), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/cases/"+otherCase+"/attachments/"+m.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/cases/"+caseID+"/attachments/"+uuid.NewString(), nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/cases/"+caseID+"/attachments/not-an-id", nil), http.StatusNotFound)
	e.want(e.upload(u, uuid.NewString(), "c.txt", "", []byte("no case")), http.StatusNotFound)
	e.want(e.upload(u, "not-an-id", "c.txt", "", []byte("no case")), http.StatusNotFound)
	if n := e.attachmentCount(); n != 1 {
		t.Errorf("%d attachments stored, want 1", n)
	}

	// A deleted case's files are hidden with it, and it takes no more.
	e.admin.MustExec(`UPDATE cases SET deleted_at = now() WHERE tenant_id = $1 AND id = $2`, u.tenant, caseID)
	e.want(e.do(u, "GET", "/v1/cases/"+caseID+"/attachments/"+m.ID, nil), http.StatusNotFound)
	e.want(e.upload(u, caseID, "d.txt", "", []byte("late")), http.StatusNotFound)
}

// TestAttachmentBadUploads: what is refused, naming the field, storing
// nothing: no file part, another part, an empty file, a program, a body
// that is not multipart, and an upload by a reader.
func TestAttachmentBadUploads(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	caseID := e.attachmentCase(u.tenant)
	path := "/v1/cases/" + caseID + "/attachments"

	empty := multipart.NewWriter(&bytes.Buffer{})
	r := e.want(e.do(u, "POST", path, "--"+empty.Boundary()+"--\r\n", "Content-Type", empty.FormDataContentType()), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"file"}) {
		t.Errorf("no file part: fields %v", f)
	}
	body, ct := attachmentBody(t, "attachment", "a.txt", "", []byte("a"))
	r = e.want(e.do(u, "POST", path, body, "Content-Type", ct), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"attachment"}) {
		t.Errorf("another part: fields %v", f)
	}
	r = e.want(e.upload(u, caseID, "empty.txt", "", nil), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"file"}) {
		t.Errorf("an empty file: fields %v", f)
	}
	elf := make([]byte, 64)
	copy(elf, "\x7fELF\x02\x01\x01")
	elf[16] = 2
	r = e.want(e.upload(u, caseID, "readme.txt", "text/plain", elf), http.StatusUnprocessableEntity)
	if f := r.fields(); !slices.Equal(f, []string{"file"}) {
		t.Errorf("a program: fields %v", f)
	}
	e.want(e.do(u, "POST", path, map[string]string{"file": "a"}), http.StatusUnsupportedMediaType)
	e.want(e.upload(u.as("support:read"), caseID, "a.txt", "", []byte("a")), http.StatusForbidden)
	if n := e.attachmentCount(); n != 0 {
		t.Errorf("%d attachments stored", n)
	}
}
