package load

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"
)

// Op is one kind of work of the load, with its weight in the mix.
type Op struct {
	Name   string
	Weight int
	Run    func(ctx context.Context, w *Worker, t *Tenant)
}

// Mix is the load's mix of operations: mostly contact creates and updates,
// with merges, lead conversions, opportunity stage moves, cases and their
// replies, public form submissions and CSV imports.
var Mix = []Op{
	{"contact create", 24, createContact},
	{"contact update", 20, updateContact},
	{"contact merge", 5, mergeContacts},
	{"lead conversion", 10, convertLead},
	{"opportunity create", 8, createOpportunity},
	{"opportunity stage move", 12, moveOpportunity},
	{"case create", 6, createCase},
	{"case reply", 8, replyCase},
	{"form submission", 6, submitForm},
	{"CSV import", 1, importContacts},
}

// ImportRows is how many contacts each CSV import holds.
const ImportRows = 5

// Worker sends the load's writes and records them in the ledger.
type Worker struct {
	Client *Client
	Ledger *Ledger
}

// write sends c as t's administrator and records its outcome as an entry
// of kind (target and value as given); a 401 signs in again and sends it
// once more, with the same key.
func (w *Worker) write(ctx context.Context, t *Tenant, kind string, c Call, target, value string) (Answer, Entry) {
	e := Entry{Tenant: t.Slug, Kind: kind, Key: c.Key, Target: target, Value: value, At: time.Now()}
	c.Token = t.Token()
	a := w.Client.Do(ctx, kind, c)
	if a.Status == http.StatusUnauthorized && c.Token != "" && t.Relogin(ctx, w.Client) == nil {
		c.Token = t.Token()
		b := w.Client.Do(ctx, kind, c)
		b.Tries += a.Tries
		b.Ambiguous = b.Ambiguous || a.Ambiguous
		a = b
	}
	e.Outcome, e.Status, e.Tries, e.Done = a.Outcome(), a.Status, a.Tries, time.Now()
	if a.OK() {
		var rec struct {
			ID        string `json:"id"`
			ContactID string `json:"contactId"`
		}
		if a.Decode(&rec) == nil {
			e.ID = rec.ID
			if kind == KindLeadConvert {
				e.ID = rec.ContactID
			}
		}
	}
	if ctx.Err() != nil && e.Outcome != Acked {
		e.Outcome = Unknown
	}
	w.Ledger.Add(e)
	return a, e
}

// pick takes a random record of list that no write is changing and marks
// it busy; nil when there is none.
func (t *Tenant) pick(list []*record) *record {
	if len(list) == 0 {
		return nil
	}
	start := rand.IntN(len(list))
	for i := range list {
		r := list[(start+i)%len(list)]
		if !r.busy {
			r.busy = true
			return r
		}
	}
	return nil
}

// release ends the write on r, with its new ETag when known.
func (t *Tenant) release(r *record, etag string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if etag != "" {
		r.ETag = etag
	}
	r.busy = false
}

// refresh reads the record at path again for its ETag after a write of
// unknown outcome; gone reports a 301 or 404 (merged or deleted).
func (w *Worker) refresh(ctx context.Context, t *Tenant, path string) (etag string, gone bool) {
	a := w.Client.Do(ctx, "read", Call{Method: http.MethodGet, Path: path, Token: t.Token()})
	switch {
	case a.OK():
		return a.Header.Get("ETag"), false
	case a.Status == http.StatusMovedPermanently || a.Status == http.StatusNotFound:
		return "", true
	}
	return "", false
}

func createContact(ctx context.Context, w *Worker, t *Tenant) {
	key := NewKey()
	email := "c-" + key[:12] + "@" + t.Slug + ".test"
	a, e := w.write(ctx, t, KindContactCreate, Call{Method: http.MethodPost, Path: "/v1/contacts", Key: key,
		Body: map[string]any{"firstName": "Chaos", "lastName": key[:8], "emails": []map[string]any{{"address": email, "primary": true}}}}, "", email)
	if e.Outcome == Acked && e.ID != "" {
		t.mu.Lock()
		t.contacts = append(t.contacts, &record{ID: e.ID, ETag: a.Header.Get("ETag")})
		t.mu.Unlock()
	}
}

func updateContact(ctx context.Context, w *Worker, t *Tenant) {
	t.mu.Lock()
	r := t.pick(t.contacts)
	t.mu.Unlock()
	if r == nil {
		createContact(ctx, w, t)
		return
	}
	title := "Title " + NewKey()[:10]
	a, e := w.write(ctx, t, KindContactUpdate, Call{Method: http.MethodPatch, Path: "/v1/contacts/" + r.ID, IfMatch: r.ETag,
		Body: map[string]any{"jobTitle": title}}, r.ID, title)
	etag := a.Header.Get("ETag")
	if e.Outcome != Acked {
		var gone bool
		if etag, gone = w.refresh(ctx, t, "/v1/contacts/"+r.ID); gone {
			t.drop(r)
			return
		}
	}
	t.release(r, etag)
}

func mergeContacts(ctx context.Context, w *Worker, t *Tenant) {
	t.mu.Lock()
	winner := t.pick(t.contacts)
	loser := t.pick(t.contacts)
	t.mu.Unlock()
	if winner == nil || loser == nil {
		if winner != nil {
			t.release(winner, "")
		}
		createContact(ctx, w, t)
		return
	}
	a, e := w.write(ctx, t, KindContactMerge, Call{Method: http.MethodPost, Path: "/v1/contacts/" + winner.ID + "/merge", Key: NewKey(),
		IfMatch: winner.ETag, Body: map[string]any{"loserId": loser.ID}}, winner.ID, loser.ID)
	etag := a.Header.Get("ETag")
	if e.Outcome != Acked {
		etag, _ = w.refresh(ctx, t, "/v1/contacts/"+winner.ID)
		if _, gone := w.refresh(ctx, t, "/v1/contacts/"+loser.ID); !gone {
			t.release(loser, "")
			t.release(winner, etag)
			return
		}
	}
	t.drop(loser)
	t.release(winner, etag)
}

// drop removes r from the live contacts (merged away).
func (t *Tenant) drop(r *record) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, c := range t.contacts {
		if c == r {
			t.contacts = append(t.contacts[:i], t.contacts[i+1:]...)
			return
		}
	}
}

func convertLead(ctx context.Context, w *Worker, t *Tenant) {
	key := NewKey()
	email := "l-" + key[:12] + "@" + t.Slug + ".test"
	_, e := w.write(ctx, t, KindLeadCreate, Call{Method: http.MethodPost, Path: "/v1/leads", Key: key,
		Body: map[string]any{"firstName": "Lead", "lastName": key[:8], "email": email}}, "", email)
	if e.Outcome != Acked || e.ID == "" {
		return
	}
	w.write(ctx, t, KindLeadConvert, Call{Method: http.MethodPost, Path: "/v1/leads/" + e.ID + "/convert", Key: NewKey(),
		Body: map[string]any{}}, e.ID, email)
}

func createOpportunity(ctx context.Context, w *Worker, t *Tenant) {
	key := NewKey()
	name := "Deal " + key[:12]
	a, e := w.write(ctx, t, KindOppCreate, Call{Method: http.MethodPost, Path: "/v1/opportunities", Key: key,
		Body: map[string]any{"name": name, "pipelineId": t.Pipeline, "stageId": t.Stages[0], "accountId": t.Account,
			"amount": map[string]any{"minor": 100000, "currency": "EUR"}}}, "", name)
	if e.Outcome == Acked && e.ID != "" {
		t.mu.Lock()
		t.opps = append(t.opps, &record{ID: e.ID, ETag: a.Header.Get("ETag")})
		t.mu.Unlock()
	}
}

func moveOpportunity(ctx context.Context, w *Worker, t *Tenant) {
	t.mu.Lock()
	r := t.pick(t.opps)
	t.mu.Unlock()
	if r == nil {
		createOpportunity(ctx, w, t)
		return
	}
	next := (r.Stage + 1) % len(t.Stages)
	a, e := w.write(ctx, t, KindOppMove, Call{Method: http.MethodPatch, Path: "/v1/opportunities/" + r.ID, IfMatch: r.ETag,
		Body: map[string]any{"stageId": t.Stages[next]}}, r.ID, t.Stages[next])
	etag := a.Header.Get("ETag")
	switch e.Outcome {
	case Acked:
		r.Stage = next
	case Unknown:
		etag = w.syncStage(ctx, t, r)
	}
	t.release(r, etag)
}

// syncStage reads opportunity r again after a move of unknown outcome and
// sets its stage index; it returns its ETag.
func (w *Worker) syncStage(ctx context.Context, t *Tenant, r *record) string {
	a := w.Client.Do(ctx, "read", Call{Method: http.MethodGet, Path: "/v1/opportunities/" + r.ID, Token: t.Token()})
	var o struct {
		StageID string `json:"stageId"`
	}
	if !a.OK() || a.Decode(&o) != nil {
		return ""
	}
	for i, s := range t.Stages {
		if s == o.StageID {
			r.Stage = i
		}
	}
	return a.Header.Get("ETag")
}

func createCase(ctx context.Context, w *Worker, t *Tenant) {
	subject := "Chaos case " + NewKey()[:12]
	body := map[string]any{"subject": subject}
	t.mu.Lock()
	if len(t.contacts) > 0 {
		body["contactId"] = t.contacts[rand.IntN(len(t.contacts))].ID
	}
	t.mu.Unlock()
	contact, _ := body["contactId"].(string)
	_, e := w.write(ctx, t, KindCaseCreate, Call{Method: http.MethodPost, Path: "/v1/cases", Key: NewKey(), Body: body}, contact, subject)
	if e.Outcome == Acked && e.ID != "" {
		t.mu.Lock()
		t.cases = append(t.cases, e.ID)
		t.mu.Unlock()
	}
}

func replyCase(ctx context.Context, w *Worker, t *Tenant) {
	t.mu.Lock()
	n := len(t.cases)
	var id string
	if n > 0 {
		id = t.cases[rand.IntN(n)]
	}
	t.mu.Unlock()
	if id == "" {
		createCase(ctx, w, t)
		return
	}
	w.write(ctx, t, KindCaseReply, Call{Method: http.MethodPost, Path: "/v1/cases/" + id + "/replies", Key: NewKey(),
		Body: map[string]any{"bodyText": "Reply " + NewKey()[:8]}}, id, "")
}

func submitForm(ctx context.Context, w *Worker, t *Tenant) {
	form := t.takeForm(time.Now())
	if form == "" {
		createContact(ctx, w, t)
		return
	}
	key := NewKey()
	email := "f-" + key[:12] + "@" + t.Slug + ".test"
	values := url.Values{"last": {"Form " + key[:6]}, "email": {email}, "website": {""}}
	e := Entry{Tenant: t.Slug, Kind: KindFormSubmit, Key: key, Target: form, Value: email, At: time.Now()}
	a := w.Client.Do(ctx, KindFormSubmit, Call{Method: http.MethodPost, Path: "/m/" + t.Slug + "/forms/" + form, Key: key,
		Raw: []byte(values.Encode()), ContentType: "application/x-www-form-urlencoded"})
	e.Outcome, e.Status, e.Tries, e.Done = a.Outcome(), a.Status, a.Tries, time.Now()
	w.Ledger.Add(e)
}

func importContacts(ctx context.Context, w *Worker, t *Tenant) {
	key := NewKey()
	var csv bytes.Buffer
	csv.WriteString("Name,Email\n")
	emails := make([]string, ImportRows)
	for i := range emails {
		emails[i] = fmt.Sprintf("i-%s-%d@%s.test", key[:10], i, t.Slug)
		fmt.Fprintf(&csv, "Imported %s %d,%s\n", key[:6], i, emails[i])
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	opts, _ := mw.CreateFormField("options")
	_, _ = opts.Write([]byte(`{"mapping":{"Name":"displayName","Email":"emails"}}`))
	file, _ := mw.CreateFormFile("file", "chaos.csv")
	_, _ = file.Write(csv.Bytes())
	_ = mw.Close()
	e := Entry{Tenant: t.Slug, Kind: KindImport, Key: key, Values: emails, At: time.Now()}
	c := Call{Method: http.MethodPost, Path: "/v1/imports", Key: key, Raw: b.Bytes(), ContentType: mw.FormDataContentType(), Token: t.Token()}
	a := w.Client.Do(ctx, KindImport, c)
	e.Outcome, e.Status, e.Tries, e.Done = a.Outcome(), a.Status, a.Tries, time.Now()
	var im struct{ ID string }
	if a.OK() && a.Decode(&im) == nil {
		e.ID = im.ID
	}
	w.Ledger.Add(e)
}
