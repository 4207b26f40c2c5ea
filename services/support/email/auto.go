package email

import (
	"strings"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// automatic says why m is an automatic mail (an auto-reply, a bounce, a
// list's, or the service's own mail come back), "" when a person wrote
// it. Such a mail is stored on its case but never acknowledged or
// answered, which is what stops mail loops.
func automatic(m *mailparse.Message, ownDomain string) string {
	lower := strings.ToLower
	switch {
	case m.AutoSubmitted != "" && lower(m.AutoSubmitted) != "no":
		return "Auto-Submitted: " + m.AutoSubmitted
	case lower(m.Precedence) == "bulk" || lower(m.Precedence) == "junk" || lower(m.Precedence) == "list":
		return "Precedence: " + m.Precedence
	case m.XAutoreply != "":
		return "X-Autoreply: " + m.XAutoreply
	case m.XAutoResponseSuppress != "":
		return "X-Auto-Response-Suppress: " + m.XAutoResponseSuppress
	case m.ListID != "":
		return "List-Id: " + m.ListID
	case m.ReturnPath == "<>":
		return "a bounce (empty Return-Path)"
	case strings.HasPrefix(m.From.Email, "mailer-daemon@") || strings.HasPrefix(m.From.Email, "postmaster@"):
		return "a bounce (from " + m.From.Email + ")"
	case strings.HasSuffix(lower(m.MessageID), "@"+ownDomain):
		return "the service's own mail (Message-ID " + m.MessageID + ")"
	}
	return ""
}
