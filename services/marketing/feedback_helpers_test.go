package marketing_test

import (
	"fmt"
	"strings"
)

// dsn is a delivery status notification (RFC 3464) as a relay mails it
// back for m: action (failed, delayed, delivered) and status (5.1.1), the
// original's headers quoted with its Message-ID.
func dsn(m sentMessage, action, status, diagnostic string) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: Mail Delivery System <MAILER-DAEMON@relay.example.net>
To: bounces@mail.rapport.test
Subject: Undelivered Mail Returned to Sender
Date: Mon, 07 Dec 2026 09:00:00 +0000
Message-ID: <dsn-%[1]s@relay.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.example.net.
I'm sorry to have to inform you that your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net
Arrival-Date: Mon, 07 Dec 2026 08:59:58 +0000

Final-Recipient: rfc822; %[2]s
Original-Recipient: rfc822;%[2]s
Action: %[3]s
Status: %[4]s
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; %[5]s

--BOUNDARY
Content-Type: text/rfc822-headers

From: Acme <news@acme.example>
To: %[2]s
Subject: Spring sale
Message-ID: <%[6]s>
Date: Mon, 07 Dec 2026 08:59:50 +0000

--BOUNDARY--
`, m.id[:8], m.address, action, status, diagnostic, m.smtpID), "\n", "\r\n")
}

// arf is an abuse report (RFC 5965) a mailbox provider mails for m,
// quoting the whole original with its X-Rapport-Message.
func arf(m sentMessage) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: Feedback Loop <fbl@mailbox.example.com>
To: fbl@mail.rapport.test
Subject: FW: Spring sale
Date: Mon, 07 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP 192.0.2.1.

--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Rcpt-To: <%[1]s>

--ARF
Content-Type: message/rfc822
Content-Disposition: inline

From: Acme <news@acme.example>
To: %[1]s
Subject: Spring sale
Message-ID: <%[2]s>
X-Rapport-Message: %[3]s
MIME-Version: 1.0
Content-Type: text/plain

Spring sale!
--ARF--
`, m.address, m.smtpID, m.id), "\n", "\r\n")
}
