package contracts

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// checkSignature checks that the attachment id is an image attached to
// the case caseID (its type as sniffed), naming signatureAttachmentId
// when it is not.
func (s *Service) checkSignature(ctx context.Context, tx *outbox.Tx, caseID, id string) error {
	meta, body, err := s.files.Open(ctx, tx, id)
	if errs.KindOf(err) == errs.NotFound {
		return errs.Invalidf([]errs.FieldError{{Field: "signatureAttachmentId", Reason: "must be an attachment of the work order's case"}},
			"no attachment %s", id)
	}
	if err != nil {
		return err
	}
	if err := body.Close(); err != nil {
		return err
	}
	v := errs.NewValidator()
	v.Check(meta.CaseID == caseID, "signatureAttachmentId", "must be an attachment of the work order's case")
	v.Check(strings.HasPrefix(meta.ContentType, "image/"), "signatureAttachmentId", "must be an image (it is "+meta.ContentType+")")
	return v.Err()
}
