package tracking

import (
	"strings"
	"testing"
)

func TestParseReportReadsDSNFieldsAndTheOriginal(t *testing.T) {
	raw := strings.ReplaceAll(`From: MAILER-DAEMON@relay.example.net
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="b"

--b
Content-Type: text/plain

Undeliverable.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net

Final-Recipient: rfc822; ada@example.com
Action: failed
Status: 5.7.1 (delivery not authorized)
Diagnostic-Code: smtp; 550 5.7.1
 message refused
--b
Content-Type: message/rfc822

Message-ID: <abc@mail.rapport.test>
X-Rapport-Message: 0193a0f2-9a3c-7d1e-8f00-000000000001
Subject: hi

hi
--b--
`, "\n", "\r\n")
	r, err := ParseReport([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := Report{Kind: ReportDSN, Action: "failed", Status: "5.7.1", Recipient: "ada@example.com", Diagnostic: "550 5.7.1 message refused",
		MessageID: "0193a0f2-9a3c-7d1e-8f00-000000000001", SMTPID: "abc@mail.rapport.test"}
	if r != want || r.Outcome() != OutcomeHardBounce {
		t.Fatalf("report %+v (%s), want %+v", r, r.Outcome(), want)
	}
	for name, bad := range map[string]string{
		"plain mail":        "Subject: hi\r\n\r\nhi\r\n",
		"another report":    "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"no status part":    "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
		"not even a header": "\x00\x01",
	} {
		if _, err := ParseReport([]byte(bad)); err != ErrNotAReport {
			t.Errorf("%s: %v, want ErrNotAReport", name, err)
		}
	}
}
