package main

import (
	"context"
	"fmt"
	"mime"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Shape of the inbound mail run (issue 18: 50 messages/s sustained over
// SMTP, case created and acknowledged, p99 ≤ 200 ms).
const (
	inboundRate      = 50
	goalInboundP99   = 200 * time.Millisecond
	inboundAckWaitUp = 30 * time.Second
)

// inboundRun is one paced run of mails over SMTP, a new connection each.
type inboundRun struct {
	Sent, Failed int
	Took         time.Duration // from the first due time to the last answer
	Data         latency       // DATA sent → 250 (for the service: kept, case opened, acknowledged)
	Session      latency       // dial → QUIT answered, from the mail's due time
	Ack          latency       // DATA sent → the acknowledgement at the relay (the service only)
	Acked        int
	FirstError   string
}

// Rate is the mails answered 250 per second.
func (r inboundRun) Rate() float64 { return float64(r.Sent-r.Failed) / r.Took.Seconds() }

// sendInbound sends rate mails a second for d to the SMTP server at addr,
// addressed to rcpt, each from a sender of its own (the service takes a
// sender's 21st mail in a minute for a loop), on a schedule: each mail
// starts at its due time on its own connection, whatever the others do.
// With relay, it waits for each mail's acknowledgement there.
func sendInbound(ctx context.Context, addr, rcpt, tag string, rate int, d time.Duration, relay *ackRelay) (inboundRun, error) {
	n := int(d.Seconds() * float64(rate))
	type result struct {
		data, session time.Duration
		dataAt        time.Time
		id            string
		err           error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(due))
		if ctx.Err() != nil {
			return inboundRun{}, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.id = fmt.Sprintf("%s-%d-%s@customer.bench.test", tag, i, randomHex(4))
			r.dataAt, r.err = sendMail(addr, rcpt, i, r.id, &r.data)
			r.session = time.Since(due)
		}()
	}
	wg.Wait()
	out := inboundRun{Sent: n, Took: time.Since(start)}
	var data, session []time.Duration
	for _, r := range results {
		if r.err != nil {
			out.Failed++
			if out.FirstError == "" {
				out.FirstError = r.err.Error()
			}
			continue
		}
		data, session = append(data, r.data), append(session, r.session)
	}
	if len(data) == 0 {
		return out, fmt.Errorf("no mail taken: %s", out.FirstError)
	}
	out.Data, out.Session = distribution(data), distribution(session)
	if relay == nil {
		return out, nil
	}
	var acks []time.Duration
	deadline := time.Now().Add(inboundAckWaitUp)
	for _, r := range results {
		if r.err != nil {
			continue
		}
		for {
			if at, ok := relay.received(r.id); ok {
				acks = append(acks, at.Sub(r.dataAt))
				break
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	out.Acked = len(acks)
	if len(acks) > 0 {
		out.Ack = distribution(acks)
	}
	return out, nil
}

// sendOneByOne sends n mails to rcpt at addr one after the other, each
// on a connection of its own once the last is answered: the service's
// time for a mail without the others' load. With relay, it waits for
// each mail's acknowledgement there before the next.
func sendOneByOne(ctx context.Context, addr, rcpt, tag string, n int, relay *ackRelay) (inboundRun, error) {
	var data, acks []time.Duration
	out := inboundRun{Sent: n}
	start := time.Now()
	for i := range n {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		id := fmt.Sprintf("%s-%d-%s@customer.bench.test", tag, i, randomHex(4))
		var took time.Duration
		at, err := sendMail(addr, rcpt, 100_000+i, id, &took)
		if err != nil {
			return out, err
		}
		data = append(data, took)
		for deadline := time.Now().Add(inboundAckWaitUp); relay != nil && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if got, ok := relay.received(id); ok {
				acks = append(acks, got.Sub(at))
				break
			}
		}
	}
	out.Took, out.Data, out.Acked = time.Since(start), distribution(data), len(acks)
	if len(acks) > 0 {
		out.Ack = distribution(acks)
	}
	return out, nil
}

// sendMail sends the i-th mail, of Message-ID id, to rcpt at addr on a
// connection of its own; took is DATA sent → 250, dataAt when DATA was
// sent.
func sendMail(addr, rcpt string, i int, id string, took *time.Duration) (time.Time, error) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return time.Time{}, err
	}
	defer c.Close()
	from := fmt.Sprintf("customer-%d@customer.bench.test", i)
	if err := c.Mail(from, nil); err != nil {
		return time.Time{}, err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return time.Time{}, err
	}
	at := time.Now()
	w, err := c.Data()
	if err != nil {
		return at, err
	}
	fmt.Fprintf(w, "From: Customer %d <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"+
		"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"+
		"您好，\r\n\r\nThe printer on floor %d stops after the first page since this morning; 打印机在第一页后停止。\r\nPlease help.\r\n",
		i, from, rcpt, mime.BEncoding.Encode("UTF-8", fmt.Sprintf("打印机无法打印 printer %d", i)), id, time.Now().Format(time.RFC1123Z), i%12)
	if err := w.Close(); err != nil {
		return at, err
	}
	*took = time.Since(at)
	return at, c.Quit()
}

// distribution is the p50, p99 and max of ds (sorted here).
func distribution(ds []time.Duration) latency {
	slices.Sort(ds)
	return latency{P50: quantile(ds, 0.50), P99: quantile(ds, 0.99), Max: ds[len(ds)-1], Samples: len(ds)}
}
