package attachments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// uploadRequest is a file uploaded to a case.
type uploadRequest struct {
	CaseID string
	Upload Upload
}

// downloadRequest names an attachment of a case.
type downloadRequest struct{ CaseID, ID string }

// download is an attachment with its bytes, as encodeDownload serves it.
type download struct {
	Meta Meta
	Data io.ReadCloser
}

// Routes returns the attachments' routes on s: uploading needs
// support:write, downloading support:read. api/openapi.yaml documents
// each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "uploadCaseAttachment", Method: "POST", Path: "/v1/cases/{id}/attachments", Permission: supportdb.PermWrite,
			Decode: decodeUpload(s.Limit()),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(uploadRequest)
				m, err := s.Upload(ctx, req.CaseID, req.Upload)
				if err != nil {
					return nil, err
				}
				return resource.Created(m, 0, "/v1/cases/"+m.CaseID+"/attachments/"+m.ID, nil)
			}},
		starter.Route{Name: "getCaseAttachment", Method: "GET", Path: "/v1/cases/{id}/attachments/{attachmentId}", Permission: supportdb.PermRead,
			Decode: func(_ context.Context, r *http.Request) (any, error) {
				return downloadRequest{CaseID: r.PathValue("id"), ID: r.PathValue("attachmentId")}, nil
			},
			Encode: encodeDownload,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(downloadRequest)
				m, data, err := s.Download(ctx, req.CaseID, req.ID)
				if err != nil {
					return nil, err
				}
				return download{Meta: m, Data: data}, nil
			}},
	)
}

// multipartOverhead is what an upload's body may hold beside the file:
// the part's headers and the boundaries.
const multipartOverhead = 64 << 10

// decodeUpload returns the decoder of an upload of at most limit bytes: a
// multipart/form-data body with one part, named file, whose file name and
// Content-Type are the file's (the type a hint). A body announcing more
// than the limit allows is refused before it is read; a file found larger
// while it is read is refused there.
func decodeUpload(limit int64) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		if r.ContentLength > limit+multipartOverhead {
			return nil, ErrTooLarge.WithDetail("the upload is %d bytes: attachments may be at most %d bytes", r.ContentLength, limit)
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, ErrNotMultipart.WithDetail("send multipart/form-data with the file in a part named file: %s", err.Error())
		}
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return nil, fieldError(ErrBadUpload, "file", "the upload has no file part")
		case err != nil:
			return nil, ErrBadUpload.WithDetail("the multipart body could not be read: %s", err.Error())
		case part.FormName() != "file":
			return nil, fieldError(ErrBadUpload, part.FormName(), fmt.Sprintf("unknown part %q: send the file in a part named file", part.FormName()))
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		switch {
		case err != nil:
			return nil, ErrBadUpload.WithDetail("the file part could not be read: %s", err.Error())
		case int64(len(data)) > limit:
			return nil, ErrTooLarge.WithDetail("the file is larger than %d bytes, the attachments' limit", limit)
		}
		return uploadRequest{CaseID: r.PathValue("id"),
			Upload: Upload{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data}}, nil
	}
}

// encodeDownload serves an attachment as a download under its name, with
// its sniffed type (ServedType), never sniffed again by the browser nor
// rendered with scripts. Once the bytes have started an error can only
// cut the response off.
func encodeDownload(_ context.Context, w http.ResponseWriter, resp any) error {
	d, ok := resp.(download)
	if !ok {
		return fmt.Errorf("attachments: %T is no download", resp)
	}
	defer d.Data.Close()
	h := w.Header()
	h.Set("Content-Type", ServedType(d.Meta.ContentType))
	h.Set("Content-Disposition", ContentDisposition(d.Meta.Name))
	h.Set("Content-Length", strconv.FormatInt(d.Meta.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, d.Data); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// ContentDisposition is the Content-Disposition of a download of a file
// named name (RFC 6266): attachment, the name in UTF-8 (filename*, RFC
// 8187) and, for older clients, in ASCII with every other character as
// "_".
func ContentDisposition(name string) string {
	var ascii, utf strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			utf.WriteByte(c)
		} else {
			fmt.Fprintf(&utf, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + utf.String()
}
