package portal

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// BaseHeader is the header in which the gateway tells the service where
// the tenant's portal is: an absolute URL on the tenant's own domain
// ("https://help.example.com/portal"), or a path on the gateway's public
// URL ("/portal/acme"). The gateway sets it after removing the client's.
const BaseHeader = "X-Portal-Base"

// linkTo returns the link of the case caseID for email on the portal at
// base (BaseHeader), valid for LinkTTL.
func (s *Service) linkTo(tenant, caseID, email, base string) string {
	switch {
	case strings.HasPrefix(base, "https://"), strings.HasPrefix(base, "http://"):
	case strings.HasPrefix(base, "/portal"):
		base = s.url + base
	default:
		base = s.url + "/portal"
	}
	tok := s.links.Sign(tenant, caseID, email, s.now().Add(LinkTTL))
	return strings.TrimRight(base, "/") + "/cases/" + caseID + "?token=" + url.QueryEscape(tok)
}

// mailLink sends the customer email the link of their case caseID. Mail
// that cannot go (no relay configured, the relay failing) is logged: the
// case is kept, and an agent's reply still reaches the customer.
func (s *Service) mailLink(ctx context.Context, tenant, caseID string, number int64, subject, name, to, base string) {
	link := s.linkTo(tenant, caseID, to, base)
	if s.mailer == nil || s.from.Email == "" {
		s.logger.InfoContext(ctx, "portal: no mail relay; the case's link was not sent", "tenant", tenant, "case", caseID)
		return
	}
	text := fmt.Sprintf("We have received your request #%d, %q.\n\nFollow it and reply through this link (valid for %d days; keep it private):\n%s\n",
		number, subject, int(LinkTTL/(24*time.Hour)), link)
	if _, err := s.mailer.Send(email.Outgoing{From: s.from, To: mailparse.Address{Name: name, Email: to},
		Subject: fmt.Sprintf("[#%d] %s", number, subject), Text: text, AutoReplied: true}); err != nil {
		s.logger.WarnContext(ctx, "portal: the case's link could not be mailed", "tenant", tenant, "case", caseID, "error", err.Error())
	}
}
