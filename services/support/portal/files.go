package portal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
)

// file is an attachment being downloaded.
type file struct {
	Meta attachments.Meta
	Data io.ReadCloser
}

// File returns the attachment fileID of a public entry of the case id,
// with its bytes, for the holder of the case's link's token; a file of an
// internal note, or of no entry, is attachments.ErrAttachmentNotFound.
// The caller closes the reader.
func (s *Service) File(ctx context.Context, id, token, fileID string) (attachments.Meta, io.ReadCloser, error) {
	c, err := s.Case(ctx, id, token)
	if err != nil {
		return attachments.Meta{}, nil, err
	}
	public := slices.ContainsFunc(c.Entries, func(e Entry) bool {
		return slices.ContainsFunc(e.Attachments, func(a cases.Attachment) bool { return a.ID == fileID })
	})
	if !public {
		return attachments.Meta{}, nil, attachments.ErrAttachmentNotFound
	}
	return s.files.Download(ctx, id, fileID)
}

// encodeFile serves a file as the attachments' download does: always as
// a download under its name, with its sniffed type (attachments.ServedType),
// never sniffed again by the browser nor rendered with scripts.
func encodeFile(_ context.Context, w http.ResponseWriter, resp any) error {
	f, ok := resp.(file)
	if !ok {
		return fmt.Errorf("portal: %T is no file", resp)
	}
	defer f.Data.Close()
	h := w.Header()
	h.Set("Content-Type", attachments.ServedType(f.Meta.ContentType))
	h.Set("Content-Disposition", attachments.ContentDisposition(f.Meta.Name))
	h.Set("Content-Length", strconv.FormatInt(f.Meta.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, f.Data); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}
