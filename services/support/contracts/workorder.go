package contracts

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// WorkOrder is a repair work order (维修服务) of a case: the asset or
// product and its serial number, where and when a technician works on it,
// the parts used and the labour done, and the customer's sign-off once it
// is completed. Number, AccountID (the case's), SignOff, Totals,
// CompletedAt and the bookkeeping are read-only to the API; CaseID is
// given once, on create.
type WorkOrder struct {
	ID           string `json:"id"`
	Number       int64  `json:"number"`
	CaseID       string `json:"caseId"`
	AccountID    string `json:"accountId,omitempty"`
	AssetID      string `json:"assetId,omitempty"`
	ProductID    string `json:"productId,omitempty"`
	SerialNumber string `json:"serialNumber"`
	Address      string `json:"address"`
	// TechnicianID is the user who does the work.
	TechnicianID   string     `json:"technicianId"`
	ScheduledStart *time.Time `json:"scheduledStart,omitempty"`
	ScheduledEnd   *time.Time `json:"scheduledEnd,omitempty"`
	Parts          []Part     `json:"parts"`
	Labour         []Labour   `json:"labour"`
	Status         string     `json:"status"`
	SignOff        *SignOff   `json:"signOff,omitempty"`
	Totals         Totals     `json:"totals"`
	CompletedAt    *time.Time `json:"completedAt,omitempty"`
	CreatedBy      string     `json:"createdBy"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	Version        int64      `json:"version"`
}

// Part is a parts line: a product or a description, a quantity (a decimal
// string, up to 4 places) at a unit price in minor units of a currency
// (ISO 4217). TotalMinor is computed: quantity × unit price, rounded half
// to even.
type Part struct {
	ProductID      string `json:"productId,omitempty"`
	Description    string `json:"description"`
	Quantity       string `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency"`
	TotalMinor     int64  `json:"totalMinor"`
}

// Labour is a labour line: minutes of a technician's work.
type Labour struct {
	TechnicianID string `json:"technicianId"`
	Minutes      int    `json:"minutes"`
	Description  string `json:"description"`
}

// SignOff is the customer's sign-off of a completed work order: who signed
// and when, with a signature image (an attachment of the case) or the
// name typed as the signature.
type SignOff struct {
	Name                  string    `json:"name"`
	SignedAt              time.Time `json:"signedAt"`
	SignatureAttachmentID string    `json:"signatureAttachmentId,omitempty"`
	TypedName             string    `json:"typedName,omitempty"`
}

// Totals are a work order's: its parts' total in their currency, and its
// labour's minutes.
type Totals struct {
	Currency      string `json:"currency,omitempty"`
	PartsMinor    int64  `json:"partsMinor"`
	LabourMinutes int    `json:"labourMinutes"`
}

// The statuses of a work order.
const (
	WorkNew        = "new"
	WorkScheduled  = "scheduled"
	WorkInProgress = "in_progress"
	WorkCompleted  = "completed"
	WorkCancelled  = "cancelled"
)

// WorkStatuses are a work order's statuses, in the order of its life.
var WorkStatuses = []string{WorkNew, WorkScheduled, WorkInProgress, WorkCompleted, WorkCancelled}

// WorkTransitions are the statuses a work order may move to from each:
// scheduled (and back to new, unscheduled), in progress, completed, or
// cancelled before it is completed; completed and cancelled are final.
var WorkTransitions = map[string][]string{
	WorkNew:        {WorkScheduled, WorkCancelled},
	WorkScheduled:  {WorkNew, WorkInProgress, WorkCancelled},
	WorkInProgress: {WorkCompleted, WorkCancelled},
}

// The bounds of a work order.
const (
	maxLines   = 100
	maxShort   = 100 // characters of a serial number, a user id
	maxText    = 1000
	maxMinutes = 7 * 24 * 60
)

// workOrderReadOnly are the fields of a WorkOrder the service sets;
// workOrderFixed adds those set on create only.
var (
	workOrderReadOnly = []string{"id", "number", "accountId", "signOff", "totals", "completedAt", "createdBy", "createdAt", "updatedAt", "version"}
	workOrderFixed    = append(slices.Clone(workOrderReadOnly), "caseId")
)

// The errors of work orders.
var (
	ErrWorkOrderNotFound = errs.New(errs.NotFound, "work-order-not-found", "work order not found")
	ErrWorkOrderStatus   = errs.New(errs.Unprocessable, "work-order-status-transition", "the work order cannot move to that status")
	ErrWorkOrderFinal    = errs.New(errs.Unprocessable, "work-order-final", "the work order is completed or cancelled; it is kept as it was")
	ErrNotCompleted      = errs.New(errs.Unprocessable, "work-order-not-completed", "only a completed work order is signed off")
	ErrSignedOff         = errs.New(errs.Conflict, "work-order-signed-off", "the work order is signed off already")
)

// currencyCode is an ISO 4217 code.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// normalize validates w's own fields, trimming texts, with the defaults
// of a new work order (status new), and computes its totals. The status's
// requirements and moves are checkStatus's.
func (w *WorkOrder) normalize() error {
	v := errs.NewValidator()
	v.Check(ids.Valid(w.CaseID), "caseId", "must be a UUID")
	for _, f := range []struct{ id, field string }{{w.AssetID, "assetId"}, {w.ProductID, "productId"}} {
		v.Check(f.id == "" || ids.Valid(f.id), f.field, "must be a UUID")
	}
	v.Check(w.AssetID != "" || w.ProductID != "", "assetId", "an assetId or a productId is required")
	text(v, &w.SerialNumber, "serialNumber", maxShort, false)
	text(v, &w.Address, "address", maxText, false)
	text(v, &w.TechnicianID, "technicianId", maxShort, false)
	v.Check((w.ScheduledStart == nil) == (w.ScheduledEnd == nil), "scheduledEnd", "scheduledStart and scheduledEnd go together")
	if w.ScheduledStart != nil && w.ScheduledEnd != nil {
		v.Check(w.ScheduledEnd.After(*w.ScheduledStart), "scheduledEnd", "must be after scheduledStart")
	}
	if w.Status == "" {
		w.Status = WorkNew
	}
	v.Check(slices.Contains(WorkStatuses, w.Status), "status", "must be one of "+strings.Join(WorkStatuses, ", "))
	if w.Parts == nil {
		w.Parts = []Part{}
	}
	if w.Labour == nil {
		w.Labour = []Labour{}
	}
	v.Check(len(w.Parts) <= maxLines, "parts", fmt.Sprintf("at most %d lines", maxLines))
	v.Check(len(w.Labour) <= maxLines, "labour", fmt.Sprintf("at most %d lines", maxLines))
	for i := range w.Parts {
		w.Parts[i].check(v, fmt.Sprintf("parts/%d/", i))
	}
	for i := range w.Labour {
		l, at := &w.Labour[i], fmt.Sprintf("labour/%d/", i)
		text(v, &l.TechnicianID, at+"technicianId", maxShort, true)
		text(v, &l.Description, at+"description", maxText, false)
		v.Check(l.Minutes >= 1 && l.Minutes <= maxMinutes, at+"minutes", fmt.Sprintf("must be 1 to %d", maxMinutes))
	}
	if err := v.Err(); err != nil {
		return err
	}
	return w.total()
}

// check validates p's fields, naming them after at ("parts/0/").
func (p *Part) check(v *errs.Validator, at string) {
	v.Check(p.ProductID == "" || ids.Valid(p.ProductID), at+"productId", "must be a UUID")
	text(v, &p.Description, at+"description", maxText, p.ProductID == "")
	_, err := parseQuantity(p.Quantity)
	v.Check(err == nil, at+"quantity", "must be a decimal greater than 0 with at most 4 decimal places, as a string")
	v.Check(p.UnitPriceMinor >= 0, at+"unitPriceMinor", "must be 0 or more")
	v.Check(currencyCode.MatchString(p.Currency), at+"currency", "must be an ISO 4217 code (EUR, CNY, …)")
}

// total computes the lines' totals and w's: the parts are in one currency.
func (w *WorkOrder) total() error {
	v := errs.NewValidator()
	t := Totals{}
	for i := range w.Parts {
		p, at := &w.Parts[i], fmt.Sprintf("parts/%d/", i)
		if t.Currency == "" {
			t.Currency = p.Currency
		}
		v.Check(p.Currency == t.Currency, at+"currency", "must be the currency of the other parts ("+t.Currency+")")
		q, _ := parseQuantity(p.Quantity)
		line, ok := lineTotal(q, p.UnitPriceMinor)
		v.Check(ok, at+"unitPriceMinor", "the line's total is too large")
		p.TotalMinor = line
		sum, ok := addMinor(t.PartsMinor, line)
		v.Check(ok, at+"unitPriceMinor", "the parts' total is too large")
		t.PartsMinor = sum
	}
	for _, l := range w.Labour {
		t.LabourMinutes += l.Minutes
	}
	w.Totals = t
	return v.Err()
}

// checkStatus checks w's move from status from to w.Status against
// WorkTransitions, and what the status needs: a technician and a window
// once scheduled. A refused move is ErrWorkOrderStatus naming status.
func (w *WorkOrder) checkStatus(from string) error {
	if from != w.Status && !slices.Contains(WorkTransitions[from], w.Status) {
		reason := "it may become " + strings.Join(WorkTransitions[from], ", ")
		e := ErrWorkOrderStatus.WithDetail("a %s work order cannot become %s: %s", from, w.Status, reason)
		e.Fields = []errs.FieldError{{Field: "status", Reason: reason}}
		return e
	}
	if w.Status == WorkNew || w.Status == WorkCancelled {
		return nil
	}
	v := errs.NewValidator()
	v.Check(w.TechnicianID != "", "technicianId", "is required once the work order is "+w.Status)
	v.Check(w.ScheduledStart != nil, "scheduledStart", "is required once the work order is "+w.Status)
	return v.Err()
}

// check validates a sign-off at now: a name, and a signature image or a
// typed name (not both), signed no later than now.
func (s *SignOff) check(now time.Time) error {
	v := errs.NewValidator()
	text(v, &s.Name, "name", maxName, true)
	text(v, &s.TypedName, "typedName", maxName, false)
	v.Check(s.SignatureAttachmentID == "" || ids.Valid(s.SignatureAttachmentID), "signatureAttachmentId", "must be a UUID")
	v.Check((s.SignatureAttachmentID == "") != (s.TypedName == ""), "signatureAttachmentId",
		"give either a signature image's attachment id or a typedName")
	if s.SignedAt.IsZero() {
		s.SignedAt = now
	}
	v.Check(!s.SignedAt.After(now.Add(time.Minute)), "signedAt", "must not be in the future")
	s.SignedAt = s.SignedAt.UTC()
	return v.Err()
}
