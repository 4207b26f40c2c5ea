// Package attachments keeps the files of cases' threads: uploaded by
// agents (POST /v1/cases/{id}/attachments), received with mail, sent in
// from the portal. A file is size-limited (DefaultLimit), its content type
// is sniffed from its bytes (the declared type is only a hint), its name is
// sanitised, executables are refused, and types a browser would run (HTML,
// SVG, scripts) are served only as an application/octet-stream download.
//
// Package cases references attachments by id in its thread's entries and
// stores the files of an entry through Store in the entry's transaction.
package attachments

import (
	"context"
	"io"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// DefaultLimit is the largest attachment a Store keeps unless told
// otherwise: 25 MiB, what mail providers let through.
const DefaultLimit = 25 << 20

// Upload is a file to store: its name as the sender gave it (sanitised on
// the way in), the content type it was declared with (a hint only) and its
// bytes.
type Upload struct {
	Name, ContentType string
	Data              []byte
}

// Meta is a stored attachment: its case, sanitised name, sniffed content
// type, size in bytes and SHA-256 (hex).
type Meta struct {
	ID          string    `json:"id" db:"id"`
	CaseID      string    `json:"caseId" db:"case_id"`
	Name        string    `json:"name" db:"name"`
	ContentType string    `json:"contentType" db:"content_type"`
	Size        int64     `json:"size" db:"size"`
	SHA256      string    `json:"sha256" db:"sha256"`
	CreatedAt   time.Time `json:"createdAt" db:"created_at"`
}

// Store keeps attachments' bytes and metadata, always in the caller's
// tenant transaction, so that a file is stored with the entry that
// references it or not at all. NewDBStore keeps them in the service's
// database; an object store can take its place behind this interface later
// (its Put writing the object before the row, its Open streaming it).
type Store interface {
	// Put checks and stores u as an attachment of the case caseID:
	// ErrTooLarge over the limit, ErrEmpty for no bytes, ErrRefusedType for
	// an executable.
	Put(ctx context.Context, tx *outbox.Tx, caseID string, u Upload) (Meta, error)
	// Open returns the attachment id with its bytes, or
	// ErrAttachmentNotFound. The caller closes the reader.
	Open(ctx context.Context, tx *outbox.Tx, id string) (Meta, io.ReadCloser, error)
	// Move gives every attachment of fromCase to toCase (a merge).
	Move(ctx context.Context, tx *outbox.Tx, fromCase, toCase string) error
	// Limit is the largest file Put takes, in bytes: what an upload route
	// reads at most.
	Limit() int64
}

// The errors of attachments.
var (
	ErrTooLarge           = errs.New(errs.TooLarge, "attachment-too-large", "the file is larger than the attachments' limit")
	ErrEmpty              = errs.New(errs.Invalid, "attachment-empty", "the file is empty")
	ErrRefusedType        = errs.New(errs.Unprocessable, "attachment-type-refused", "files of this type are not accepted")
	ErrAttachmentNotFound = errs.New(errs.NotFound, "attachment-not-found", "attachment not found")
	ErrCaseNotFound       = errs.New(errs.NotFound, "case-not-found", "case not found")
	ErrNotMultipart       = errs.New(errs.UnsupportedMediaType, "upload-not-multipart", "send the file as multipart/form-data in a part named file")
	ErrBadUpload          = errs.New(errs.Invalid, "invalid-upload", "the upload is not valid")
)

// fieldError is e naming the field at fault, with reason.
func fieldError(e *errs.Error, field, reason string) *errs.Error {
	c := e.WithDetail("%s", reason)
	c.Fields = []errs.FieldError{{Field: field, Reason: reason}}
	return c
}
