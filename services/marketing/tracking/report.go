package tracking

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// HeaderMessage is the header naming the message (its id in messages) on
// every mail messaging sends; a bounce or complaint quoting the mail's
// headers names it back. Message-ID (messages.smtp_id) is the fallback.
const HeaderMessage = "X-Rapport-Message"

// The kinds of reports (multipart/report's report-type).
const (
	ReportDSN = "delivery-status" // RFC 3464 delivery status notification
	ReportARF = "feedback-report" // RFC 5965 abuse report (a complaint)
)

// The outcomes of a report (feedback_reports.outcome).
const (
	OutcomeDelivered  = "delivered"
	OutcomeHardBounce = "hard_bounce"
	OutcomeSoftBounce = "soft_bounce"
	OutcomeComplaint  = "complaint"
	OutcomeUnmatched  = "unmatched"
	OutcomeIgnored    = "ignored"
)

// maxReport bounds a report read (the SMTP listener and the upload).
const maxReport = 10 << 20

// Report is a delivery status notification or an abuse report, read:
// its kind; for a DSN its first recipient's action, status, address and
// diagnostic; for an ARF report its feedback type; and the message it is
// about, by the original's X-Rapport-Message (MessageID) and Message-ID
// (SMTPID, without angle brackets).
type Report struct {
	Kind                                  string
	Action, Status, Recipient, Diagnostic string
	FeedbackType                          string
	MessageID, SMTPID                     string
}

// Outcome is what r means for its message: delivered, a hard bounce (a
// failure with a 5.x.x status), a soft one (a delay, or a 4.x.x status),
// a complaint, or ignored (a DSN relayed or expanded).
func (r Report) Outcome() string {
	switch {
	case r.Kind == ReportARF:
		return OutcomeComplaint
	case r.Action == "delivered":
		return OutcomeDelivered
	case r.Action == "delayed" || strings.HasPrefix(r.Status, "4"):
		return OutcomeSoftBounce
	case r.Action == "failed":
		return OutcomeHardBounce
	}
	return OutcomeIgnored
}

// Detail is r's detail as feedback_reports and a bounce's reason keep it:
// a DSN's status and diagnostic, an ARF report's feedback type.
func (r Report) Detail() string {
	if r.Kind == ReportARF {
		return r.FeedbackType
	}
	return strings.TrimSpace(strings.TrimSpace(r.Status + " " + r.Diagnostic))
}

// ParseReport reads raw, a whole mail, as a multipart/report (RFC 6522)
// with go-message: a delivery-status one (RFC 3464; message/global-
// delivery-status too) or a feedback-report one (RFC 5965). The original
// message's headers come from its message/rfc822 or text/rfc822-headers
// part. Anything else is ErrNotAReport.
func ParseReport(raw []byte) (Report, error) {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil && !gomessage.IsUnknownCharset(err) && !gomessage.IsUnknownEncoding(err) {
		return Report{}, ErrNotAReport
	}
	mt, params, err := e.Header.ContentType()
	if err != nil || mt != "multipart/report" {
		return Report{}, ErrNotAReport
	}
	r := Report{Kind: strings.ToLower(params["report-type"])}
	if r.Kind != ReportDSN && r.Kind != ReportARF {
		return Report{}, ErrNotAReport
	}
	mr := e.MultipartReader()
	if mr == nil {
		return Report{}, ErrNotAReport
	}
	found := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !gomessage.IsUnknownCharset(err) && !gomessage.IsUnknownEncoding(err) {
			return Report{}, ErrNotAReport
		}
		pt, _, _ := part.Header.ContentType()
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			found = r.Kind == ReportDSN && r.readDSN(part.Body) == nil
		case "message/feedback-report":
			found = r.Kind == ReportARF && r.readARF(part.Body) == nil
		case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers":
			r.readOriginal(part.Body)
		}
	}
	if !found {
		return Report{}, ErrNotAReport
	}
	return r, nil
}

// readDSN reads a message/delivery-status body: the per-message fields,
// then a block per recipient, of which the first is kept.
func (r *Report) readDSN(body io.Reader) error {
	br := bufio.NewReader(body)
	if _, err := textproto.ReadHeader(br); err != nil {
		return err
	}
	h, err := textproto.ReadHeader(br)
	if err != nil && h.Len() == 0 {
		return err
	}
	r.Action = strings.ToLower(strings.TrimSpace(h.Get("Action")))
	r.Status = strings.TrimSpace(strings.SplitN(h.Get("Status"), " ", 2)[0])
	r.Recipient = typedAddress(h.Get("Final-Recipient"))
	if r.Recipient == "" {
		r.Recipient = typedAddress(h.Get("Original-Recipient"))
	}
	r.Diagnostic = typedAddress(h.Get("Diagnostic-Code"))
	if r.Action == "" {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// readARF reads a message/feedback-report body: one block of fields.
func (r *Report) readARF(body io.Reader) error {
	h, err := textproto.ReadHeader(bufio.NewReader(body))
	if err != nil && h.Len() == 0 {
		return err
	}
	r.FeedbackType = strings.ToLower(strings.TrimSpace(h.Get("Feedback-Type")))
	if r.FeedbackType == "" {
		r.FeedbackType = "abuse"
	}
	return nil
}

// readOriginal reads the original message's headers for the message they
// name.
func (r *Report) readOriginal(body io.Reader) {
	h, err := textproto.ReadHeader(bufio.NewReader(body))
	if err != nil && h.Len() == 0 {
		return
	}
	r.MessageID = strings.TrimSpace(h.Get(HeaderMessage))
	r.SMTPID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
}

// typedAddress is the value of a DSN field "type; value" ("rfc822;
// a@example.com", "smtp; 550 5.1.1 no such user"), trimmed.
func typedAddress(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.Join(strings.Fields(v), " ")
}
