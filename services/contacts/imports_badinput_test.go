package contacts_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/rapport-crm/rapport/libs/importjob"
)

// TestImportRefusesBadInput sends what an upload can get wrong, each
// answered by a problem naming what is wrong, before anything is stored.
func TestImportRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	mapping := map[string]any{"mapping": map[string]string{"Name": "displayName", "Email": "emails"}}
	good := []byte("Name,Email\nAda,ada@x.io\n")
	gb := encoded(t, strings.Repeat(chineseFile("gb"), 3), simplifiedchinese.GB18030.NewEncoder())
	tests := []struct {
		name    string
		options any
		file    []byte
		status  int
		slug    string // the problem's type ends with it
		field   string // an invalid field it names, if any
		reason  string
	}{
		{"an empty file", mapping, nil, 400, "empty-file", "", ""},
		{"blank lines only", mapping, []byte("\r\n\n  \n"), 400, "empty-file", "", ""},
		{"a header and no rows", mapping, []byte("Name,Email\n"), 400, "empty-file", "", ""},
		{"a mapping to nothing", map[string]any{"mapping": map[string]string{"Name": ""}}, good, 400, "nothing-mapped", "", ""},
		{"no mapping", map[string]any{}, good, 400, "nothing-mapped", "", ""},
		{"a column not in the header", map[string]any{"mapping": map[string]string{"Nmae": "displayName", "Email": "emails"}}, good, 400, "", "mapping/Nmae", `no column of the header is called "Nmae"`},
		{"an unknown field", map[string]any{"mapping": map[string]string{"Name": "fullName", "Email": "emails"}}, good, 400, "", "mapping/Name", `"fullName" is no field`},
		{"an unknown policy", map[string]any{"mapping": mapping["mapping"], "duplicatePolicy": "merge"}, good, 400, "", "duplicatePolicy", "must be one of skip, update, create"},
		{"an unknown encoding", map[string]any{"mapping": mapping["mapping"], "encoding": "klingon"}, good, 400, "", "encoding", "WHATWG"},
		{"windows-1252 not named", mapping, encoded(t, "Name,Email\nJürgen Müller,j@x.de\nSöhne Straße,s@x.de\n", charmap.Windows1252.NewEncoder()), 400, "unknown-encoding", "", ""},
		{"utf-8 and gb18030 mixed", mapping, append([]byte(strings.Repeat(chineseFile("u"), 3)), gb...), 400, "mixed-encodings", "", ""},
		{"an excel workbook", mapping, []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"), 400, "not-csv", "", ""},
		{"utf-16 without a byte order mark", mapping, encoded(t, "Name,Email\nAda,ada@x.io\n", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()), 400, "not-csv", "", ""},
		{"a header with a quote left open", mapping, []byte("\"Name,Email\nAda,ada@x.io\n"), 400, "bad-header", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := upload(t, tt.options, tt.file)
			r := e.want(e.do(u, "POST", "/v1/imports", body, "Content-Type", ct), tt.status)
			p := r.problem()
			if !strings.HasSuffix(p.Type, tt.slug) || tt.field != "" && !strings.Contains(r.field(tt.field), tt.reason) {
				t.Errorf("problem %s, want %s naming %s: %q", r.Raw, tt.slug, tt.field, tt.reason)
			}
		})
	}

	t.Run("not multipart", func(t *testing.T) {
		r := e.want(e.do(u, "POST", "/v1/imports", "Name,Email\n", "Content-Type", "text/csv"), http.StatusUnsupportedMediaType)
		if !strings.HasSuffix(r.problem().Type, "not-multipart") {
			t.Errorf("problem %s", r.Raw)
		}
	})
	for name, body := range map[string]string{
		"no file part": "--b\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n{\"mapping\":{}}\r\n--b--\r\n",
		"the options after the file": "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nName\r\nAda\r\n--b\r\n" +
			"Content-Disposition: form-data; name=\"options\"\r\n\r\n{}\r\n--b--\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/imports", body, "Content-Type", "multipart/form-data; boundary=b"), http.StatusBadRequest)
			if p := r.problem(); !strings.HasSuffix(p.Type, "bad-upload") || len(p.Errors) != 1 {
				t.Errorf("problem %s, want bad-upload naming the part", r.Raw)
			}
		})
	}
	t.Run("a file over the limit", func(t *testing.T) {
		if status, body := e.announceUpload(u, importjob.MaxFileBytes+3<<20); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "file-too-large") {
			t.Errorf("an upload announcing %d bytes: %d %s, want 413 file-too-large", importjob.MaxFileBytes+3<<20, status, body)
		}
	})
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM imports`); err != nil || n != 0 {
		t.Errorf("%d imports stored (%v), want none", n, err)
	}

}

// announceUpload sends the head of an upload announcing size bytes and
// returns the answer: one the service gives before reading the body.
func (e *env) announceUpload(u user, size int64) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.base, nil)
	e.authorize(req, u)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/imports HTTP/1.1\r\nHost: contacts\r\nAuthorization: %s\r\nContent-Type: multipart/form-data; boundary=b\r\n"+
		"Content-Length: %d\r\n\r\n--b\r\n", req.Header.Get("Authorization"), size)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, b.String()
}
