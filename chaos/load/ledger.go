// Package load drives a steady mixed load of Rapport's public API through
// the gateway, over several tenants, and keeps a ledger of every write it
// sent: acknowledged (2xx, with the id made), rejected (4xx) or unknown
// (the client never learnt the outcome). The fault suite and the soak run
// it; the reconciliation (package reconcile) reads the ledger afterwards.
package load

import (
	"fmt"
	"sync"
	"time"
)

// Outcome is what the client learnt of a write.
type Outcome string

// The outcomes of a write.
const (
	// Acked is a 2xx answer: the write happened, exactly once.
	Acked Outcome = "acknowledged"
	// Rejected is a 4xx answer (a 429 too, once the retries ran out) to a
	// request whose earlier tries (if any) were all answered: the write
	// did not happen.
	Rejected Outcome = "rejected"
	// Unknown is every other end: the retries ran out on connection errors
	// or 5xx, or a 4xx came after a try whose fate is unknown (a PATCH
	// whose first try went through answers 412 to its retry).
	Unknown Outcome = "unknown"
)

// The kinds of write the load sends.
const (
	KindContactCreate = "contact.create"
	KindContactUpdate = "contact.update"
	KindContactMerge  = "contact.merge"
	KindLeadCreate    = "lead.create"
	KindLeadConvert   = "lead.convert"
	KindOppCreate     = "opportunity.create"
	KindOppMove       = "opportunity.move"
	KindCaseCreate    = "case.create"
	KindCaseReply     = "case.reply"
	KindFormSubmit    = "form.submit"
	KindImport        = "import.create"
)

// Entry is one write of the ledger.
type Entry struct {
	Tenant  string // the tenant's slug
	Kind    string
	Key     string // its Idempotency-Key ("" for PATCH)
	Target  string // the record acted on (PATCH, merge winner, convert, reply), if any
	ID      string // the id the answer named (created record, reply entry, import)
	Value   string // what the write set: a contact's email, a job title, a stage id, a merged loser's id
	Values  []string
	Outcome Outcome
	Status  int // the last answer's status (0: none)
	Tries   int
	At      time.Time // when the write was first sent
	Done    time.Time // when its outcome was known
}

// Ledger is the record of every write, safe for concurrent use.
type Ledger struct {
	mu      sync.Mutex
	entries []Entry
}

// Add records e.
func (l *Ledger) Add(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

// Entries returns a copy of every entry so far, in the order they ended.
func (l *Ledger) Entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Entry(nil), l.entries...)
}

// Unsettled returns, per kind, how many writes ended rejected or unknown
// with each last status ("unknown 503", "rejected 409", "unknown 0" for no
// answer).
func (l *Ledger) Unsettled() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, e := range l.Entries() {
		if e.Outcome == Acked {
			continue
		}
		if out[e.Kind] == nil {
			out[e.Kind] = map[string]int{}
		}
		out[e.Kind][fmt.Sprintf("%s %d", e.Outcome, e.Status)]++
	}
	return out
}

// Counts returns, per kind, how many writes ended with each outcome.
func (l *Ledger) Counts() map[string]map[Outcome]int {
	out := map[string]map[Outcome]int{}
	for _, e := range l.Entries() {
		if out[e.Kind] == nil {
			out[e.Kind] = map[Outcome]int{}
		}
		out[e.Kind][e.Outcome]++
	}
	return out
}
