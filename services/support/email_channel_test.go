package support_test

import (
	"encoding/base64"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/google/uuid"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// encoded is s in enc.
func encoded(t *testing.T, enc encoding.Encoding, s string) string {
	out, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// word is s in enc as an RFC 2047 encoded word declaring charset.
func word(t *testing.T, charset string, enc encoding.Encoding, s string) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString([]byte(encoded(t, enc, s))) + "?="
}

// tokenIn finds a case token in a subject.
var tokenIn = regexp.MustCompile(`\[#(\d+)-[0-9a-f]{10}\]`)

// TestEmailThroughSMTP drives the SMTP listener: a GBK mail opens a case,
// acknowledged in its thread with the case token; a reply to the
// acknowledgement and a mail with the token thread into it; a spoofed token
// opens a new case; an auto-reply is stored, never acknowledged; scripts,
// header injections, unknown recipients and a 50 MB mail are dealt with.
func TestEmailThroughSMTP(t *testing.T) {
	e := newMailEnv(t)
	u := e.newTenant("help@acme.test")
	first := mid(1)
	raw := msg(encoded(t, simplifiedchinese.GBK, "您好，打印机无法开机。\n"), "From", word(t, "GBK", simplifiedchinese.GBK, "张三")+" <Zhang@Customer.Example>",
		"To", "help@acme.test", "Subject", word(t, "GB2312", simplifiedchinese.GBK, "打印机无法开机"), "Message-ID", "<"+first+">",
		"Content-Type", "text/plain; charset=GB2312")
	if err := e.smtpSend("zhang@customer.example", []string{"help@acme.test"}, raw); err != nil {
		t.Fatal(err)
	}
	caseID := e.caseOf(first)
	c := e.getCase(u, caseID)
	if c.Subject != "打印机无法开机" || c.Channel != "email" {
		t.Errorf("case %+v", c)
	}
	thread := e.entries(u, caseID)
	if len(thread) != 1 || thread[0].AuthorType != "customer" || thread[0].AuthorEmail != "zhang@customer.example" ||
		thread[0].AuthorName != "张三" || thread[0].BodyText != "您好，打印机无法开机。" || thread[0].MessageID != first {
		t.Errorf("thread %+v", thread)
	}

	ack := e.nextSent()
	subject, _ := ack.Header.Subject()
	ackID, _ := ack.Header.MessageID()
	inReplyTo, _ := ack.Header.MsgIDList("In-Reply-To")
	from, _ := ack.Header.AddressList("From")
	token := tokenIn.FindStringSubmatch(subject)
	if token == nil || token[1] != strconv.FormatInt(c.Number, 10) || !strings.HasPrefix(subject, "打印机无法开机 ") ||
		ack.Header.Get("Auto-Submitted") != "auto-replied" || len(inReplyTo) != 1 || inReplyTo[0] != first ||
		!strings.HasSuffix(ackID, "@rapport.test") || len(from) != 1 || from[0].Address != "help@acme.test" || from[0].Name != "Acme Support" {
		t.Errorf("acknowledgement: subject %q, Auto-Submitted %q, In-Reply-To %q, Message-ID %q, From %v", subject,
			ack.Header.Get("Auto-Submitted"), inReplyTo, ackID, from)
	}

	// A reply to the acknowledgement, then a mail with the token only.
	reply, tokened := mid(2), mid(3)
	send := func(id string, headers ...string) {
		t.Helper()
		h := append([]string{"From", "zhang@customer.example", "To", "help@acme.test", "Message-ID", "<" + id + ">"}, headers...)
		if err := e.smtpSend("zhang@customer.example", []string{"help@acme.test"}, msg("more\n", h...)); err != nil {
			t.Fatal(err)
		}
	}
	send(reply, "Subject", "Re: 打印机", "In-Reply-To", "<"+ackID+">")
	send(tokened, "Subject", "another question "+token[0])
	if e.caseOf(reply) != caseID || e.caseOf(tokened) != caseID {
		t.Errorf("the reply landed on %s, the token's mail on %s, want %s", e.caseOf(reply), e.caseOf(tokened), caseID)
	}
	e.noneSent() // a reply to a case is not acknowledged

	// A token whose signature does not hold opens a new case.
	spoofed := mid(4)
	send(spoofed, "Subject", "[#"+token[1]+"-0123456789] let me in")
	if e.caseOf(spoofed) == caseID {
		t.Error("a spoofed token threaded the mail into the case")
	}
	e.nextSent()

	// An auto-reply is stored on a case, never acknowledged (the
	// acknowledgement is sent before the listener answers the mail).
	auto := mid(5)
	send(auto, "Subject", "Out of office", "Auto-Submitted", "auto-replied")
	if len(e.entries(u, e.caseOf(auto))) != 1 {
		t.Error("the auto-reply is not on its case")
	}
	e.noneSent()

	// Scripts are sanitised away; a header injection stays in the subject.
	html := mid(6)
	send(html, "Subject", "=?utf-8?Q?Hello=0D=0ABcc:_victim@evil.example?=", "Content-Type", "text/html; charset=utf-8")
	if err := e.smtpSend("zhang@customer.example", []string{"help@acme.test"}, msg(`<p>Hi <b>there</b></p><script>alert(1)</script><img src=x onerror="alert(2)">`,
		"From", "zhang@customer.example", "Message-ID", "<"+html+"-2>", "Subject", "=?utf-8?Q?Hello=0D=0ABcc:_victim@evil.example?=",
		"Content-Type", "text/html; charset=utf-8")); err != nil {
		t.Fatal(err)
	}
	htmlCase := e.caseOf(html + "-2")
	got := e.entries(u, htmlCase)[0]
	if strings.Contains(got.BodyHTML, "script") || strings.Contains(got.BodyHTML, "onerror") || !strings.Contains(got.BodyHTML, "<b>there</b>") ||
		got.BodyText != "Hi there" {
		t.Errorf("HTML %q, text %q", got.BodyHTML, got.BodyText)
	}
	if s := e.getCase(u, htmlCase).Subject; s != "Hello  Bcc: victim@evil.example" {
		t.Errorf("subject %q", s)
	}
	for range 2 {
		if m := e.nextSent(); m.Header.Get("Bcc") != "" {
			t.Errorf("an acknowledgement has Bcc %q", m.Header.Get("Bcc"))
		}
	}

	// No such mailbox: 550 at RCPT. A 50 MB mail: 552 at DATA.
	if err := e.smtpSend("x@customer.example", []string{"nobody@acme.test"}, msg("hi")); smtpCode(err) != 550 {
		t.Errorf("an unknown recipient: %v, want 550", err)
	}
	big := msg(strings.Repeat(strings.Repeat("A", 76)+"\n", 50<<20/77), "From", "x@customer.example", "Subject", "big")
	if err := e.smtpSend("x@customer.example", []string{"help@acme.test"}, big); smtpCode(err) != 552 {
		t.Errorf("a 50 MB mail: %v, want 552", err)
	}
}

// TestEmailAgentReplyGoesOut checks that an agent's public reply on a case
// opened by mail goes to the requester in the thread, with the case token,
// and that the customer's answer to it threads back; notes stay inside.
func TestEmailAgentReplyGoesOut(t *testing.T) {
	e := newMailEnv(t)
	u := e.newTenant("help@acme.test")
	first := mid(1)
	if err := e.smtpSend("ann@customer.example", []string{"help@acme.test"}, msg("It broke.\n", "From", "Ann <ann@work.example>",
		"Reply-To", "Ann <ann@customer.example>", "To", "help@acme.test", "Subject", "Broken screen", "Message-ID", "<"+first+">")); err != nil {
		t.Fatal(err)
	}
	caseID := e.caseOf(first)
	e.nextSent() // the acknowledgement
	e.want(e.do(u, "POST", "/v1/cases/"+caseID+"/notes", map[string]any{"bodyText": "internal"}), 201)
	file := contracttest.Decode[struct{ ID string }](e.want(e.upload(u, caseID, "steps.txt", "text/plain", []byte("1. restart\n")), 201))
	e.want(e.do(u, "POST", "/v1/cases/"+caseID+"/replies", map[string]any{"bodyText": "Please restart it.", "attachmentIds": []string{file.ID}}), 201)
	out := e.nextSent()
	subject, _ := out.Header.Subject()
	outID, _ := out.Header.MessageID()
	refs, _ := out.Header.MsgIDList("References")
	inReplyTo, _ := out.Header.MsgIDList("In-Reply-To")
	to, _ := out.Header.AddressList("To")
	if !strings.HasPrefix(subject, "Re: Broken screen [#") || !tokenIn.MatchString(subject) || len(to) != 1 || to[0].Address != "ann@customer.example" ||
		len(refs) < 1 || refs[0] != first || len(inReplyTo) != 1 || inReplyTo[0] != refs[len(refs)-1] ||
		out.Header.Get("Auto-Submitted") != "" || !strings.HasSuffix(outID, "@rapport.test") {
		t.Errorf("reply: subject %q, To %v, References %q, In-Reply-To %q, Auto-Submitted %q", subject, to, refs, inReplyTo,
			out.Header.Get("Auto-Submitted"))
	}
	part, err := out.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(part.Body); strings.TrimSpace(string(body)) != "Please restart it." {
		t.Errorf("reply body %q", body)
	}
	var files []string
	for {
		p, err := out.NextPart()
		if err != nil {
			break
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			data, _ := io.ReadAll(p.Body)
			files = append(files, name+": "+string(data))
		}
	}
	if len(files) != 1 || files[0] != "steps.txt: 1. restart\n" {
		t.Errorf("the reply's attachments: %q", files)
	}
	e.recorded(outID)
	answer := mid(2)
	if err := e.smtpSend("ann@customer.example", []string{"help@acme.test"}, msg("Done, thanks.\n", "From", "ann@customer.example",
		"To", "help@acme.test", "Subject", "Re: whatever", "Message-ID", "<"+answer+">", "In-Reply-To", "<"+outID+">")); err != nil {
		t.Fatal(err)
	}
	if e.caseOf(answer) != caseID {
		t.Error("the customer's answer to the agent's reply opened another case")
	}
	if n := len(e.entries(u, caseID)); n != 4 {
		t.Errorf("the thread has %d entries, want 4", n)
	}
	e.noneSent() // the note went nowhere
}

// TestEmailWebhook posts raw mail: a Big5 body into the mailbox its To
// names, else the default one; a broken MIME structure and a zip kept; a
// 50 MB mail 413, another type 415, a tenant without mailbox 422; a
// sender's mails past the rate are taken for a loop; a mail kept but not
// delivered is delivered by the replay job.
func TestEmailWebhook(t *testing.T) {
	t.Setenv("SUPPORT_MAIL_SENDER_PER_MINUTE", "3")
	e := newMailEnv(t)
	u := e.newTenant("help@shop.test")
	returns := createMailbox(e.env, u, map[string]any{"address": "returns@shop.test"})
	// A mail kept but not delivered (an instance stopped while delivering
	// it) is delivered by the replay job.
	kept := mid(0)
	if _, err := e.admin.Exec(`INSERT INTO inbound_messages (tenant_id, id, mailbox_id, entrance, sender, message_id, raw, status, received_at)
		VALUES ($1, $2, $3, 'smtp', 'late@customer.example', $4, $5, 'received', now() - interval '2 minutes')`, u.tenant, uuid.NewString(),
		returns.ID, kept, []byte(msg("kept\n", "From", "late@customer.example", "Subject", "late", "Message-ID", "<"+kept+">"))); err != nil {
		t.Fatal(err)
	}
	post := func(u user, raw string, status int) receipt {
		t.Helper()
		return contracttest.Decode[receipt](e.want(e.do(u, "POST", "/v1/inbound-email", raw, "Content-Type", "message/rfc822"), status))
	}
	big5 := mid(1)
	r := post(u, msg(encoded(t, traditionalchinese.Big5, "我要退貨，謝謝。"), "From", "chen@customer.example", "To", "Returns <returns@shop.test>",
		"Subject", "退貨", "Message-ID", "<"+big5+">", "Content-Type", "text/plain; charset=big5"), 202)
	if r.Status != "delivered" || r.CaseID == "" || e.entries(u, r.CaseID)[0].BodyText != "我要退貨，謝謝。" {
		t.Errorf("receipt %+v", r)
	}
	var mailbox string
	if err := e.admin.Get(&mailbox, `SELECT m.address FROM inbound_messages i JOIN support_mailboxes m ON m.id = i.mailbox_id
		WHERE i.id = $1`, r.ID); err != nil || mailbox != "returns@shop.test" {
		t.Errorf("the mail went to %q (%v)", mailbox, err)
	}
	broken := "From: bob@customer.example\r\nSubject: help\r\nContent-Type: multipart/mixed; boundary=\"nowhere\"\r\n\r\n" +
		"--elsewhere\r\nContent-Type: text/plain\r\n\r\nNobody closes this boundary.\r\n"
	r = post(u, broken, 202)
	if r.Status != "delivered" || !strings.Contains(e.entries(u, r.CaseID)[0].BodyText, "Nobody closes this boundary.") {
		t.Errorf("broken mail: %+v", r)
	}
	zip := "From: bob@customer.example\r\nTo: nobody@shop.test\r\nSubject: photos\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee the zip\r\n--b\r\n" +
		"Content-Type: application/zip\r\nContent-Disposition: attachment; filename=bomb.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"UEsDBBQAAAAIAAAAIQAAAAAAAAAAAAAAAAAFAAAAYS50eHQDAFBLAQIUABQAAAAIAAAAIQAAAAAAAAAAAAAAAAAFAAAAAAAAAAAAAAAAAAAAAABhLnR4dFBLBQYAAAAAAQABADMAAAAjAAAAAAA=\r\n--b--\r\n"
	r = post(u, zip, 202)
	if got := e.entries(u, r.CaseID)[0]; r.Status != "delivered" || len(got.Attachments) != 1 || got.Attachments[0].Name != "bomb.zip" {
		t.Errorf("zip: %+v, %+v", r, got)
	}
	e.want(e.do(u, "POST", "/v1/inbound-email", msg(strings.Repeat("A", 50<<20)), "Content-Type", "message/rfc822"), 413)
	e.want(e.do(u, "POST", "/v1/inbound-email", `{"raw": "x"}`, "Content-Type", "application/json"), 415)
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/inbound-email", msg("hi", "From", "a@customer.example"), "Content-Type", "message/rfc822"), 422)
	e.want(e.do(u.as("support:read"), "POST", "/v1/inbound-email", msg("hi"), "Content-Type", "message/rfc822"), 403)

	// The loop guard: a sender's mails past SUPPORT_MAIL_SENDER_PER_MINUTE
	// (3 here) in a minute are automatic.
	for i := range 4 {
		r := post(u, msg("again\n", "From", "robot@customer.example", "Subject", "again", "Message-ID", "<"+mid(10+i)+">"), 202)
		if loop := strings.Contains(r.Automatic, "a loop"); loop != (i == 3) {
			t.Errorf("mail %d: automatic %q", i+1, r.Automatic)
		}
	}

	for i := 0; ; i++ { // the replay job runs every minute
		var status string
		if err := e.admin.Get(&status, `SELECT status FROM inbound_messages WHERE message_id = $1`, kept); err != nil {
			t.Fatal(err)
		}
		if status == "delivered" {
			break
		}
		if i == 150 {
			t.Fatalf("the kept mail is still %s", status)
		}
		time.Sleep(time.Second)
	}
	if got := e.entries(u, e.caseOf(kept)); len(got) != 1 || got[0].BodyText != "kept" {
		t.Errorf("the replayed mail's thread: %+v", got)
	}
}

// receipt is the webhook's answer.
type receipt struct {
	ID        string   `json:"id"`
	Status    string   `json:"status"`
	CaseID    string   `json:"caseId"`
	Automatic string   `json:"automatic"`
	Notes     []string `json:"notes"`
}
