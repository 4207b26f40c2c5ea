package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is the SMTP server of the marketing part: a go-smtp server
// that reads each mail, counts it by recipient and Message-ID against the
// recipients a run expects, and forgets it, or (a capturing run) appends
// it to a file, for the raw baseline to send the same messages again.
type mailSink struct {
	ln   net.Listener
	srv  *smtp.Server
	path string // the capture file
	mu   sync.Mutex
	run  *sinkRun
	file *os.File
	w    *bufio.Writer
}

// sinkRun is what the sink received during one run.
type sinkRun struct {
	expected    map[string]bool
	byRcpt      map[string]int
	byID        map[string]int
	Mails       int // recipients' mails taken (one per RCPT of a DATA)
	Duplicates  int // mails to a recipient, or of a Message-ID, already taken
	Unexpected  int // mails to an address the run did not expect (no consent, …)
	Missing     int // expected recipients without a mail
	First, Last time.Time
}

// startMailSink listens on a free local port; captures go to dir.
func startMailSink(dir string) (*mailSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &mailSink{ln: ln, path: filepath.Join(dir, "mails.capture")}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	s.srv.Domain, s.srv.MaxRecipients, s.srv.MaxMessageBytes = "sink.bench.test", 100, 1<<20
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Addr is the sink's host:port.
func (s *mailSink) Addr() string { return s.ln.Addr().String() }

// Close stops the sink.
func (s *mailSink) Close() {
	s.srv.Close()
	if s.file != nil {
		s.file.Close()
	}
}

// begin starts a run expecting a mail for each of expected; with capture,
// the mails are appended to the capture file (emptied first).
func (s *mailSink) begin(expected map[string]bool, capture bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.run = &sinkRun{expected: expected, byRcpt: map[string]int{}, byID: map[string]int{}}
	if !capture {
		return nil
	}
	f, err := os.Create(s.path)
	if err != nil {
		return err
	}
	s.file, s.w = f, bufio.NewWriterSize(f, 1<<20)
	return nil
}

// end closes the run, its capture flushed, and returns its counts.
func (s *mailSink) end() (sinkRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := *s.run
	for a := range r.expected {
		if r.byRcpt[a] == 0 {
			r.Missing++
		}
	}
	s.run = nil
	if s.file == nil {
		return r, nil
	}
	err := s.w.Flush()
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	s.file, s.w = nil, nil
	return r, err
}

// received is how many mails the current run took.
func (s *mailSink) received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return 0
	}
	return s.run.Mails
}

// take counts a mail from from to rcpts, of Message-ID id, taken at at.
func (s *mailSink) take(from string, rcpts []string, id string, raw []byte, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.run
	if r == nil {
		return nil
	}
	for _, a := range rcpts {
		a = strings.ToLower(a)
		r.Mails++
		if r.First.IsZero() {
			r.First = at
		}
		r.Last = at
		r.byRcpt[a]++
		r.byID[id]++
		if r.byRcpt[a] > 1 || r.byID[id] > 1 {
			r.Duplicates++
		}
		if !r.expected[a] {
			r.Unexpected++
		}
		if s.w != nil {
			if from == "" {
				from = "<>"
			}
			fmt.Fprintf(s.w, "%s %s %d\n", from, a, len(raw))
			if _, err := s.w.Write(raw); err != nil {
				return err
			}
		}
	}
	return nil
}

// sinkSession is one SMTP session of the sink.
type sinkSession struct {
	s     *mailSink
	from  string
	rcpts []string
}

// Mail notes the envelope's sender.
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

// Rcpt notes a recipient.
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// Reset forgets the envelope.
func (ss *sinkSession) Reset() { ss.from, ss.rcpts = "", nil }

// Logout ends the session.
func (ss *sinkSession) Logout() error { return nil }

// Data reads the mail and counts it by its Message-ID.
func (ss *sinkSession) Data(body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return &smtp.SMTPError{Code: 554, Message: "no header: " + err.Error()}
	}
	return ss.s.take(ss.from, ss.rcpts, strings.TrimSpace(h.Get("Message-Id")), raw, time.Now())
}

// capturedMail is a mail of the capture file.
type capturedMail struct {
	From, To string
	Raw      []byte
}

// readCaptured calls fn with each mail of the capture file, in order.
func (s *mailSink) readCaptured(fn func(capturedMail) error) error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		var m capturedMail
		var n int
		if _, err := fmt.Fscanf(r, "%s %s %d\n", &m.From, &m.To, &n); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("capture file: %w", err)
		}
		m.Raw = make([]byte, n)
		if _, err := io.ReadFull(r, m.Raw); err != nil {
			return fmt.Errorf("capture file: %w", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
}

// replayRaw sends every captured mail to the SMTP server at addr over one
// connection of one go-smtp client, one after the other (MAIL, RCPT,
// DATA each), and returns how many it sent and how long that took (the
// file read included; it sits in the page cache).
func replayRaw(ctx context.Context, s *mailSink, addr string) (int, time.Duration, error) {
	began := time.Now()
	c, err := smtp.Dial(addr)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	n := 0
	err = s.readCaptured(func(m capturedMail) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if m.From == "<>" {
			m.From = ""
		}
		if err := c.Mail(m.From, nil); err != nil {
			return err
		}
		if err := c.Rcpt(m.To, nil); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(m.Raw); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, time.Since(began), err
	}
	took := time.Since(began)
	return n, took, c.Quit()
}
