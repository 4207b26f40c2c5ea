// Package duplicates finds and merges the duplicate records of the
// contacts service: the check every write of a record runs (Checker, through
// records.DuplicateChecker), a record's duplicate candidates, tenant-wide
// scans for duplicate pairs, and merges, which write through records'
// write path (records.Prepare).
package duplicates

import (
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// The errors of merges and duplicate scans.
var (
	ErrMergeSelf     = errs.New(errs.Invalid, "merge-self", "a record cannot be merged into itself")
	ErrAlreadyMerged = errs.New(errs.Conflict, "already-merged", "the loser has already been merged into another record")
	ErrScanNotFound  = errs.New(errs.NotFound, "duplicate-scan-not-found", "duplicate scan not found")
)

// NameSimilarity is the pg_trgm similarity from which two names are similar.
const NameSimilarity = 0.6

// The choices of MergeRequest.Fields.
const (
	KeepWinner = "winner"
	KeepLoser  = "loser"
)

// MergeRequest names the record merged into the winner and, per field, whose
// value the winner keeps: KeepWinner (the default) or KeepLoser. Keys are the
// top-level fields of mergeableFields or "customFields.<key>". Tags, emails
// and phones are always unioned; the loser's custom field values fill the
// winner's gaps.
type MergeRequest struct {
	LoserID string            `json:"loserId"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// mergeableFields are the fields a merge may take from the loser, per entity.
var mergeableFields = map[string][]string{
	customer.EntityContact: {"firstName", "lastName", "displayName", "jobTitle", "accountId", "lifecycleStage", "source",
		"address", "consent", "ownerId", "teamId"},
	customer.EntityAccount: {"name", "domain", "industry", "sizeBand", "annualRevenue", "parentAccountId",
		"billingAddress", "shippingAddress", "ownerId", "teamId"},
}

// The states of a duplicate scan.
const (
	ScanRunning = "running"
	ScanDone    = "done"
	ScanFailed  = "failed"
)

// The reasons a scan failed (DuplicateScan.FailureReason).
const (
	// ScanInterrupted: the process running it stopped (a restart, a crash).
	ScanInterrupted = "interrupted"
	// ScanTimedOut: it ran longer than scanTimeout.
	ScanTimedOut = "timedOut"
	// ScanError: the database refused its work; the service's log says why.
	ScanError = "error"
)

// scanTimeout bounds a scan's background work; failTimeout bounds marking
// it failed afterwards.
const (
	scanTimeout = time.Hour
	failTimeout = 10 * time.Second
)

// ScanRequest asks for a tenant-wide duplicate scan of Entity.
type ScanRequest struct {
	Entity string `json:"entity"`
}

// DuplicateScan is a tenant-wide search for duplicate pairs of one entity;
// it runs in the background and ends done (PairCount pairs) or failed, with
// a FailureReason (see readScan for scans whose process stopped).
type DuplicateScan struct {
	ID            string     `json:"id" db:"id"`
	Entity        string     `json:"entity" db:"entity"`
	Status        string     `json:"status" db:"status"`
	FailureReason string     `json:"failureReason,omitempty" db:"failure_reason"`
	PairCount     int        `json:"pairCount" db:"pair_count"`
	CreatedBy     string     `json:"createdBy" db:"created_by"`
	CreatedAt     time.Time  `json:"createdAt" db:"created_at"`
	FinishedAt    *time.Time `json:"finishedAt,omitempty" db:"finished_at"`
}

// DuplicatePair is two records a scan found alike (AID < BID), with their
// names as they are now (a record merged or deleted since keeps its name),
// the best score and every reason.
type DuplicatePair struct {
	AID       string         `json:"aId" db:"a_id"`
	AName     string         `json:"aName" db:"a_name"`
	BID       string         `json:"bId" db:"b_id"`
	BName     string         `json:"bName" db:"b_name"`
	Score     float64        `json:"score" db:"score"`
	MatchedOn pq.StringArray `json:"matchedOn" db:"matched_on"`
}

// pairPosition is a place in the (score desc, aId, bId) order of pairs.
type pairPosition struct {
	Score float64 `json:"s"`
	A     string  `json:"a"`
	B     string  `json:"b"`
}
