// Package mailparse reads inbound mail: the one parser behind the email
// channel's two entrances (the SMTP listener and the raw-MIME webhook).
// It never fails: what cannot be read is kept as text or noted, since a
// mail the parser does not understand is still a customer writing.
package mailparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	mmail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Limits bound what Parse reads of a message.
type Limits struct {
	Attachment int64 // an attachment larger than this is dropped, with a note
	Depth      int   // how deep multiparts nest at most; deeper parts are skipped, with a note
	Parts      int   // how many parts are read at most; the rest are skipped, with a note
	Text       int   // the bytes of text and of HTML kept; the rest is cut, with a note
}

// DefaultLimits are the limits of the email channel: the attachments'
// (25 MiB), and enough depth and parts for any real mail but not for a
// MIME bomb.
var DefaultLimits = Limits{Attachment: 25 << 20, Depth: 8, Parts: 200, Text: 1 << 20}

// Address is a mailbox: a display name and an address (lower case).
type Address struct{ Name, Email string }

// Attachment is a part of a mail that is a file: its name and declared
// content type (hints, as the sender says) and bytes. Archives stay bytes:
// nothing is decompressed.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Message is an inbound mail as Parse read it. Every string is valid UTF-8
// and the header fields hold no control characters.
type Message struct {
	From                  Address
	To, Cc, ReplyTo       []Address
	Subject               string
	MessageID             string // without angle brackets
	InReplyTo, References []string
	Date                  time.Time // zero when absent or unreadable
	AutoSubmitted         string
	Precedence            string
	XAutoreply            string
	XAutoResponseSuppress string
	ListID                string
	ReturnPath            string
	Text                  string // the text body, derived from the HTML when the mail has only HTML
	HTML                  string // the HTML body, sanitised
	Attachments           []Attachment
	Notes                 []string // what was dropped, cut or unreadable
	Malformed             bool     // the MIME structure was broken; Text holds what could be read
}

// Parse reads raw as a mail within lim. It takes what can be read: a broken
// header or MIME structure makes the raw text the body (Malformed), an
// unknown charset reads as UTF-8, undecodable bytes become U+FFFD.
func Parse(raw []byte, lim Limits) *Message {
	m := &Message{}
	r := bytes.NewReader(raw)
	br := bufio.NewReader(r)
	h, err := textproto.ReadHeader(br)
	body := raw[len(raw)-r.Len()-br.Buffered():]
	if err != nil {
		m.Malformed = true
		m.note("the header is malformed (%v): the whole mail is kept as text", err)
		body = raw
	}
	hdr := mmail.Header{Header: message.Header{Header: h}}
	_, ctParams, _ := hdr.ContentType()
	hint := ctParams["charset"]
	m.header(hdr, hint)
	if err == nil {
		p := &parser{lim: lim, m: m, hint: hint}
		e, eerr := message.New(hdr.Header, bytes.NewReader(body))
		p.entity(e, eerr, 0)
		p.finish()
	}
	if m.Malformed && m.Text == "" && m.HTML == "" {
		m.Text = m.cut(Decode(hint, body), lim.Text, "the text")
	}
	return m
}

// header reads the header fields of h, hint the mail's declared charset.
func (m *Message) header(h mmail.Header, hint string) {
	text := func(k string) string { return decodeHeader(h.Get(k), hint) }
	if from := addresses(h.Get("From"), hint); len(from) > 0 {
		m.From = from[0]
	}
	m.To, m.Cc, m.ReplyTo = addresses(h.Get("To"), hint), addresses(h.Get("Cc"), hint), addresses(h.Get("Reply-To"), hint)
	m.Subject = text("Subject")
	m.MessageID = msgID(h)
	m.InReplyTo, m.References = msgIDs(h, "In-Reply-To"), msgIDs(h, "References")
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d
	}
	m.AutoSubmitted, m.Precedence, m.XAutoreply = text("Auto-Submitted"), text("Precedence"), text("X-Autoreply")
	m.XAutoResponseSuppress, m.ListID, m.ReturnPath = text("X-Auto-Response-Suppress"), text("List-Id"), text("Return-Path")
}

// maxIDLen bounds a message id: a header line's length.
const maxIDLen = 998

// msgID is the Message-ID of h, read leniently.
func msgID(h mmail.Header) string {
	id, err := h.MessageID()
	if err != nil {
		id = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	return cleanID(id)
}

// msgIDs is the list of message ids of field k, read leniently.
func msgIDs(h mmail.Header, k string) []string {
	ids, err := h.MsgIDList(k)
	if err != nil {
		ids = nil
		for _, f := range strings.Fields(h.Get(k)) {
			ids = append(ids, strings.Trim(f, "<>,"))
		}
	}
	var out []string
	for _, id := range ids {
		if id = cleanID(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// cleanID is a message id without spaces or control characters, bounded.
func cleanID(id string) string {
	id = strings.Join(strings.Fields(clean(id)), "")
	if len(id) > maxIDLen {
		return ""
	}
	return id
}

// note records what the parser dropped, cut or could not read.
func (m *Message) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

// cut returns s cut to n bytes (on a rune boundary), noting it when it was.
func (m *Message) cut(s string, n int, what string) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	m.note("%s was cut to %d bytes", what, n)
	return strings.ToValidUTF8(s[:n], "")
}

// parser walks a mail's parts.
type parser struct {
	lim        Limits
	m          *Message
	hint       string
	parts      int
	text, html []string
}

// entity reads part e at depth (0 the mail itself); err is what
// message.New said of its encoding or charset.
func (p *parser) entity(e *message.Entity, err error, depth int) {
	p.parts++
	if p.parts > p.lim.Parts {
		if p.parts == p.lim.Parts+1 {
			p.m.note("the mail has more than %d parts: the rest were skipped", p.lim.Parts)
		}
		return
	}
	mt, params, cterr := e.Header.ContentType()
	if cterr != nil || mt == "" {
		mt, params = "text/plain", map[string]string{}
	}
	if mr := e.MultipartReader(); mr != nil {
		p.multipart(mr, depth)
		return
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name, p.hint)
	data, over, rerr := readAtMost(e.Body, p.lim.Attachment)
	if rerr != nil {
		p.m.Malformed = true
		p.m.note("part %d could not be read to its end (%v): kept what was read", p.parts, rerr)
	}
	inline := disp != "attachment" && (mt == "text/plain" || mt == "text/html")
	if !inline {
		p.attachment(name, mt, data, over)
		return
	}
	var s string
	if message.IsUnknownCharset(err) {
		s = Decode(params["charset"], data)
	} else {
		s = Decode("utf-8", data)
	}
	if over {
		p.m.note("a %s body over %d bytes was cut", mt, p.lim.Attachment)
	}
	if mt == "text/html" {
		p.html = append(p.html, s)
	} else {
		p.text = append(p.text, s)
	}
}

// multipart reads the parts of a multipart at depth.
func (p *parser) multipart(mr message.MultipartReader, depth int) {
	if depth >= p.lim.Depth {
		p.m.note("parts nested deeper than %d were skipped", p.lim.Depth)
		return
	}
	for p.parts <= p.lim.Parts {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if part == nil {
			p.m.Malformed = true
			p.m.note("the multipart structure is broken (%v): kept the parts before", err)
			return
		}
		p.entity(part, err, depth+1)
	}
}

// attachment keeps a file part, or notes it when it is over the limit.
func (p *parser) attachment(name, mt string, data []byte, over bool) {
	if name == "" {
		name = fmt.Sprintf("part-%d", p.parts)
		if mt == "message/rfc822" {
			name += ".eml"
		}
	}
	if over {
		p.m.note("the attachment %q is larger than %d bytes: dropped", name, p.lim.Attachment)
		return
	}
	p.m.Attachments = append(p.m.Attachments, Attachment{Name: name, ContentType: clean(mt), Data: data})
}

// finish sets the mail's bodies from the parts read: the HTML sanitised,
// a text version derived from it when the mail has no text.
func (p *parser) finish() {
	if len(p.html) > 0 {
		p.m.HTML = p.m.cut(Sanitize(strings.Join(p.html, "\n")), p.lim.Text, "the HTML body")
	}
	text := strings.Join(p.text, "\n\n")
	if strings.TrimSpace(text) == "" && p.m.HTML != "" {
		text = TextOf(p.m.HTML)
	}
	p.m.Text = p.m.cut(text, p.lim.Text, "the text body")
}

// readAtMost reads r up to limit bytes; over says there was more (what
// was read is then discarded). A read error returns what was read before.
func readAtMost(r io.Reader, limit int64) (data []byte, over bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit {
		_, _ = io.Copy(io.Discard, r)
		return nil, true, err
	}
	return data, false, err
}
