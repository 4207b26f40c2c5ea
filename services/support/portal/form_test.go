package portal

import (
	"bytes"
	"errors"
	"mime/multipart"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// multipartForm is a multipart body of fields (name, value pairs) and a
// file, and its Content-Type.
func multipartForm(t testing.TB, file string, data []byte, fields ...string) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = w.WriteField(fields[i], fields[i+1])
	}
	if file != "" {
		p, _ := w.CreateFormFile(filesField, file)
		_, _ = p.Write(data)
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func TestDecodeCaseForm(t *testing.T) {
	body, ct := multipartForm(t, "a.txt", []byte("hello"), "name", " Ada ", "email", "ada@example.com", "subject", "Jammed",
		"description", "It blinks.")
	f, err := DecodeCaseForm(ct, bytes.NewReader(body), FormLimit)
	if err != nil || f.Name != "Ada" || f.Email != "ada@example.com" || len(f.Attachments) != 1 || string(f.Attachments[0].Data) != "hello" {
		t.Fatalf("multipart: %+v, %v", f, err)
	}
	f, err = DecodeCaseForm("application/json", strings.NewReader(`{"email":"ada@example.com","subject":"s","description":"d",
		"attachments":[{"name":"a.txt","data":"aGVsbG8="}]}`), FormLimit)
	if err != nil || len(f.Attachments) != 1 || string(f.Attachments[0].Data) != "hello" {
		t.Fatalf("JSON: %+v, %v", f, err)
	}
	for what, c := range map[string]struct {
		ct, body string
		kind     errs.Kind
		field    string
	}{
		"no email":       {"application/json", `{"subject":"s","description":"d"}`, errs.Invalid, "email"},
		"an unknown one": {"application/json", `{"email":"a@b.c","subject":"s","description":"d","role":"admin"}`, errs.Invalid, "role"},
		"a NUL":          {"application/json", `{"email":"a@b.c","subject":"s\u0000","description":"d"}`, errs.Invalid, "subject"},
		"urlencoded":     {"application/x-www-form-urlencoded", "email=a", errs.UnsupportedMediaType, ""},
		"no boundary":    {"multipart/form-data", "x", errs.UnsupportedMediaType, ""},
		"too large":      {"application/json", `{"email":"` + strings.Repeat("a", 200) + `"}`, errs.TooLarge, ""},
	} {
		_, err := DecodeCaseForm(c.ct, strings.NewReader(c.body), 100)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != c.kind || c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
			t.Errorf("%s: %v, want %v naming %q", what, err, c.kind, c.field)
		}
	}
	many := []string{"email", "a@b.c", "subject", "s", "description", "d"}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(many); i += 2 {
		_ = w.WriteField(many[i], many[i+1])
	}
	for range MaxFiles + 1 {
		p, _ := w.CreateFormFile(filesField, "a.txt")
		_, _ = p.Write([]byte("x"))
	}
	_ = w.Close()
	if _, err := DecodeCaseForm(w.FormDataContentType(), &b, FormLimit); errs.KindOf(err) != errs.Invalid {
		t.Errorf("%d files: %v, want Invalid", MaxFiles+1, err)
	}
}

// FuzzDecodeCaseForm: whatever the body and its Content-Type, decoding
// answers a form that holds to its bounds or an error of the client's
// (400, 413, 415), never a panic.
func FuzzDecodeCaseForm(f *testing.F) {
	body, ct := multipartForm(f, "a.txt", []byte("hello"), "name", "Ada", "email", "ada@example.com", "subject", "s", "description", "d",
		"website", "")
	f.Add(ct, body)
	f.Add("application/json", []byte(`{"email":"ada@example.com","subject":"s","description":"d","attachments":[{"name":"a","data":"eA=="}]}`))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b.c\r\n--x--\r\n"))
	f.Add("application/json", []byte(`{"email":"a@b.c","email":"b@c.d"}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		form, err := DecodeCaseForm(contentType, bytes.NewReader(body), 1<<16)
		if err != nil {
			switch errs.KindOf(err) {
			case errs.Invalid, errs.TooLarge, errs.UnsupportedMediaType:
			default:
				t.Fatalf("error %v of kind %v", err, errs.KindOf(err))
			}
			return
		}
		for _, s := range []string{form.Name, form.Email, form.Subject, form.Description} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %+v", form)
			}
		}
		if form.Email == "" || form.Subject == "" || form.Description == "" || len(form.Attachments) > MaxFiles {
			t.Fatalf("an incomplete form passed: %+v", form)
		}
		for _, a := range form.Attachments {
			if len(a.Data) == 0 {
				t.Fatalf("an empty file passed")
			}
		}
	})
}
