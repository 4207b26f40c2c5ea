package portal

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/attachments"
)

// The bounds of the portal's forms.
const (
	// FormLimit is the largest body of a form, its files included.
	FormLimit = attachments.DefaultLimit + 1<<20
	// MaxFiles is how many files a form may carry.
	MaxFiles       = 5
	maxName        = 200
	maxEmail       = 254
	maxSubject     = 500
	maxDescription = 20_000
	maxTextPart    = 128 << 10 // bytes of a text field of a multipart form
	filesField     = "attachments"
)

// CaseForm is a case a customer submits. Website is the honeypot: a field
// the portal's page hides, which only robots fill in.
type CaseForm struct {
	Name        string               `json:"name"`
	Email       string               `json:"email"`
	Subject     string               `json:"subject"`
	Description string               `json:"description"`
	Website     string               `json:"website"`
	Attachments []attachments.Upload `json:"-"`
}

// ReplyForm is a customer's reply to their case.
type ReplyForm struct {
	Body        string               `json:"body"`
	Attachments []attachments.Upload `json:"-"`
}

// jsonFile is a file of a JSON form, its bytes in base64.
type jsonFile struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Data        []byte `json:"data"`
}

// DecodeCaseForm reads a case's form from body, of contentType: JSON
// (application/json, files as {name, contentType, data (base64)} under
// attachments) or multipart/form-data (fields name, email, subject,
// description, website; files in parts named attachments). Every bad
// field is named (errs.Invalid); a body over limit is ErrFormTooLarge.
func DecodeCaseForm(contentType string, body io.Reader, limit int64) (CaseForm, error) {
	var f CaseForm
	err := decodeForm(contentType, body, limit, func(data []byte) ([]jsonFile, error) {
		var in struct {
			CaseForm
			Attachments []jsonFile `json:"attachments"`
		}
		err := kitx.DecodeJSON(data, &in)
		f = in.CaseForm
		return in.Attachments, err
	}, map[string]*string{"name": &f.Name, "email": &f.Email, "subject": &f.Subject, "description": &f.Description, "website": &f.Website},
		&f.Attachments)
	if err != nil {
		return CaseForm{}, err
	}
	return f, f.check()
}

// DecodeReplyForm reads a reply's form as DecodeCaseForm reads a case's:
// the field body and the files.
func DecodeReplyForm(contentType string, body io.Reader, limit int64) (ReplyForm, error) {
	var f ReplyForm
	err := decodeForm(contentType, body, limit, func(data []byte) ([]jsonFile, error) {
		var in struct {
			ReplyForm
			Attachments []jsonFile `json:"attachments"`
		}
		err := kitx.DecodeJSON(data, &in)
		f = in.ReplyForm
		return in.Attachments, err
	}, map[string]*string{"body": &f.Body}, &f.Attachments)
	if err != nil {
		return ReplyForm{}, err
	}
	return f, f.check()
}

// check validates f, trimming its texts.
func (f *CaseForm) check() error {
	v := errs.NewValidator()
	f.Name, f.Email, f.Subject, f.Description = strings.TrimSpace(f.Name), strings.TrimSpace(f.Email), strings.TrimSpace(f.Subject),
		strings.TrimSpace(f.Description)
	runes(v, f.Name, "name", 0, maxName)
	a, err := mail.ParseAddress(f.Email)
	v.Check(err == nil && a.Address == f.Email && len(f.Email) <= maxEmail, "email", "must be an email address")
	runes(v, f.Subject, "subject", 1, maxSubject)
	runes(v, f.Description, "description", 1, maxDescription)
	checkFiles(v, f.Attachments)
	return v.Err()
}

// check validates f, trimming its body.
func (f *ReplyForm) check() error {
	v := errs.NewValidator()
	f.Body = strings.TrimSpace(f.Body)
	min := 1
	if len(f.Attachments) > 0 {
		min = 0
	}
	runes(v, f.Body, "body", min, maxDescription)
	checkFiles(v, f.Attachments)
	return v.Err()
}

// runes checks that s has min to max characters.
func runes(v *errs.Validator, s, field string, min, max int) {
	n := utf8.RuneCountInString(s)
	v.Check(n >= min && n <= max, field, fmt.Sprintf("must be %d to %d characters", min, max))
}

// checkFiles checks a form's files: at most MaxFiles, none empty.
func checkFiles(v *errs.Validator, files []attachments.Upload) {
	v.Check(len(files) <= MaxFiles, filesField, fmt.Sprintf("at most %d files", MaxFiles))
	for i, u := range files {
		v.Check(len(u.Data) > 0, fmt.Sprintf("%s/%d", filesField, i), "the file is empty")
	}
}

// decodeForm reads a JSON body through decodeJSON, or a multipart one into
// texts (by field name) and files.
func decodeForm(contentType string, body io.Reader, limit int64, decodeJSON func([]byte) ([]jsonFile, error),
	texts map[string]*string, files *[]attachments.Upload) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ErrUnsupportedForm
	}
	lr := &limitReader{r: body, left: limit}
	switch {
	case mediaType == "application/json":
		data, err := io.ReadAll(lr)
		if err != nil {
			return readError(err)
		}
		jf, err := decodeJSON(data)
		if err != nil {
			return err
		}
		for _, f := range jf {
			*files = append(*files, attachments.Upload{Name: f.Name, ContentType: f.ContentType, Data: f.Data})
		}
		return nil
	case mediaType == "multipart/form-data" && params["boundary"] != "":
		return readMultipart(multipart.NewReader(lr, params["boundary"]), texts, files)
	default:
		return ErrUnsupportedForm
	}
}

// readMultipart reads the parts of a multipart form: each text field once,
// files under filesField.
func readMultipart(mr *multipart.Reader, texts map[string]*string, files *[]attachments.Upload) error {
	seen := map[string]bool{}
	v := errs.NewValidator()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return readError(err)
		}
		name := p.FormName()
		switch dst, ok := texts[name]; {
		case name == filesField:
			if len(*files) == MaxFiles {
				return fieldError(filesField, fmt.Sprintf("at most %d files", MaxFiles))
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return readError(err)
			}
			*files = append(*files, attachments.Upload{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		case ok && !seen[name]:
			seen[name] = true
			data, err := io.ReadAll(io.LimitReader(p, maxTextPart+1))
			if err != nil {
				return readError(err)
			}
			s := string(data)
			v.Check(len(data) <= maxTextPart, name, fmt.Sprintf("at most %d bytes", maxTextPart))
			v.Check(plainText(s), name, "must be UTF-8 text without control characters")
			*dst = s
		case ok:
			return fieldError(name, "the field appears more than once")
		default:
			return fieldError(fieldName(name), "no such field")
		}
	}
	return v.Err()
}

// plainText reports whether s is UTF-8 without control characters other
// than tab, line feed and carriage return.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

// fieldName is a client's field name fit to be named back: valid text of
// at most 100 bytes.
func fieldName(s string) string {
	if len(s) > 100 {
		s = s[:100]
	}
	if !plainText(s) {
		return "?"
	}
	return s
}

// fieldError is an Invalid error naming field.
func fieldError(field, reason string) error {
	v := errs.NewValidator()
	v.Check(false, field, reason)
	return v.Err()
}

// readError is the answer to a body that could not be read.
func readError(err error) error {
	if errors.Is(err, errTooLarge) {
		return ErrFormTooLarge.WithDetail("the form may be at most %d bytes", FormLimit)
	}
	return ErrBadForm.WithDetail("the form could not be read: %s", err.Error())
}

// errTooLarge is a limitReader's error past its limit.
var errTooLarge = errors.New("form over its limit")

// limitReader reads r until left bytes are read, then fails with
// errTooLarge should r hold more.
type limitReader struct {
	r    io.Reader
	left int64
}

// Read implements io.Reader.
func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
