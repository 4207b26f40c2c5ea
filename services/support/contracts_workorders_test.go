package support_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/contracts"
)

// createWorkOrder creates a work order as u from body.
func (e *env) createWorkOrder(u user, body map[string]any) contracts.WorkOrder {
	e.t.Helper()
	return contracttest.Decode[contracts.WorkOrder](e.want(e.do(u, "POST", "/v1/work-orders", body), http.StatusCreated))
}

// TestWorkOrderLifecycle: a work order of a case with its totals, moved
// through its statuses as they allow, its labour counted against the
// account's hours contract once completed, and signed off once.
func TestWorkOrderLifecycle(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	account, tech, product := uuid.NewString(), uuid.NewString(), uuid.NewString()
	hours := e.createContract(u, contractBody(account, "hours", 10))
	c := e.createCase(u, map[string]any{"subject": "Compressor noise", "accountId": account})
	w := e.createWorkOrder(u, map[string]any{"caseId": c.ID, "productId": product, "serialNumber": " SN-42 ", "address": "1 Rue de la Paix, Paris",
		"parts": []map[string]any{
			{"description": "Fuse", "quantity": "2.5", "unitPriceMinor": 199, "currency": "EUR"},
			{"productId": product, "quantity": "1", "unitPriceMinor": 1000, "currency": "EUR"},
			{"description": "Washer", "quantity": "0.0625", "unitPriceMinor": 4, "currency": "EUR"},
		},
		"labour": []map[string]any{{"technicianId": tech, "minutes": 90}, {"technicianId": tech, "minutes": 45, "description": "test run"}}})
	// 2.5 × 199 = 497.5 → 498 and 0.0625 × 4 = 0.25 → 0, half to even.
	if w.Number != 1 || w.Status != contracts.WorkNew || w.AccountID != account || w.SerialNumber != "SN-42" || w.CreatedBy != u.id ||
		w.Parts[0].TotalMinor != 498 || w.Parts[1].TotalMinor != 1000 || w.Parts[2].TotalMinor != 0 ||
		w.Totals != (contracts.Totals{Currency: "EUR", PartsMinor: 1498, LabourMinutes: 135}) {
		t.Fatalf("created %+v", w)
	}
	if got := contracttest.Decode[contracts.WorkOrder](e.want(e.do(u, "GET", "/v1/work-orders/"+w.ID, nil), http.StatusOK)); got.Totals != w.Totals {
		t.Fatalf("read %+v", got)
	}
	list := contracttest.Decode[contracts.WorkOrderPage](e.want(e.do(u, "GET", "/v1/work-orders?caseId="+c.ID, nil), http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].ID != w.ID {
		t.Fatalf("listed %+v", list.Items)
	}

	// Not signed off before it is completed; nor completed straight away.
	r := e.want(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Ann", "typedName": "Ann Lee"}), http.StatusUnprocessableEntity)
	if f := r.fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}
	r, _ = e.patchWorkOrder(u, w, map[string]any{"status": "completed"}, http.StatusUnprocessableEntity)
	if f := r.fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}
	r, _ = e.patchWorkOrder(u, w, map[string]any{"status": "scheduled"}, http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"technicianId", "scheduledStart"}) {
		t.Fatalf("fields %v", f)
	}
	start := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	_, w = e.patchWorkOrder(u, w, map[string]any{"status": "scheduled", "technicianId": tech, "scheduledStart": start,
		"scheduledEnd": start.Add(2 * time.Hour)}, http.StatusOK)
	if w.Status != contracts.WorkScheduled || w.Version != 2 || !w.ScheduledStart.Equal(start) {
		t.Fatalf("scheduled %+v", w)
	}
	_, w = e.patchWorkOrder(u, w, map[string]any{"status": "in_progress"}, http.StatusOK)
	_, w = e.patchWorkOrder(u, w, map[string]any{"status": "completed"}, http.StatusOK)
	if w.Status != contracts.WorkCompleted || w.CompletedAt == nil || w.Version != 4 {
		t.Fatalf("completed %+v", w)
	}
	e.patchWorkOrder(u, w, map[string]any{"address": "elsewhere"}, http.StatusUnprocessableEntity)
	uses := e.usage(u, hours.ID)
	if len(uses) != 1 || uses[0].Source != contracts.SourceWorkOrder || uses[0].SourceID != w.ID || uses[0].Units != 135 {
		t.Fatalf("uses %+v", uses)
	}
	if got := e.getContract(u, hours.ID).Entitlement; got.Used != 2.25 || got.Remaining != 7.75 {
		t.Fatalf("hours entitlement %+v", got)
	}

	// Signed with a typed name or an image attached to the case, not both,
	// and once.
	e.wantFields(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": " ", "typedName": "Ann Lee",
		"signatureAttachmentId": uuid.NewString()}), "name", "signatureAttachmentId")
	e.wantFields(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Ann",
		"signedAt": time.Now().Add(time.Hour).UTC()}), "signatureAttachmentId", "signedAt")
	text := contracttest.Decode[attachments.Meta](e.want(e.upload(u, c.ID, "notes.txt", "text/plain", []byte("not a signature")), http.StatusCreated))
	e.wantFields(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Ann", "signatureAttachmentId": text.ID}),
		"signatureAttachmentId")
	elsewhere := e.createCase(u, map[string]any{"subject": "Another case"})
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	foreign := contracttest.Decode[attachments.Meta](e.want(e.upload(u, elsewhere.ID, "sig.png", "image/png", img.Bytes()), http.StatusCreated))
	e.wantFields(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Ann", "signatureAttachmentId": foreign.ID}),
		"signatureAttachmentId")
	sig := contracttest.Decode[attachments.Meta](e.want(e.upload(u, c.ID, "sig.png", "image/png", img.Bytes()), http.StatusCreated))
	e.want(e.do(other, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Ann", "typedName": "Ann Lee"}), http.StatusNotFound)
	signed := contracttest.Decode[contracts.WorkOrder](e.want(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off",
		map[string]any{"name": " Ann Lee ", "signatureAttachmentId": sig.ID}, "If-Match", kitx.ETag(w.Version)), http.StatusOK))
	if signed.SignOff == nil || signed.SignOff.Name != "Ann Lee" || signed.SignOff.SignatureAttachmentID != sig.ID || signed.SignOff.SignedAt.IsZero() ||
		signed.Version != 5 {
		t.Fatalf("signed %+v", signed)
	}
	e.want(e.do(u, "POST", "/v1/work-orders/"+w.ID+"/sign-off", map[string]any{"name": "Bob", "typedName": "Bob"}), http.StatusConflict)

	// A cancelled work order is final; its labour counts nothing.
	typed := e.createWorkOrder(u, map[string]any{"caseId": c.ID, "assetId": uuid.NewString(), "labour": []map[string]any{{"technicianId": tech, "minutes": 30}}})
	if typed.Number != 2 || typed.Totals.Currency != "" || typed.Totals.PartsMinor != 0 {
		t.Fatalf("second %+v", typed)
	}
	_, typed = e.patchWorkOrder(u, typed, map[string]any{"status": "cancelled"}, http.StatusOK)
	e.patchWorkOrder(u, typed, map[string]any{"status": "new"}, http.StatusUnprocessableEntity)
	if uses := e.usage(u, hours.ID); len(uses) != 1 {
		t.Fatalf("uses after a cancellation %+v", uses)
	}

	// Another tenant's work orders are not found.
	e.want(e.do(other, "GET", "/v1/work-orders/"+w.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "PATCH", "/v1/work-orders/"+typed.ID, map[string]any{"address": "x"}, "If-Match", kitx.ETag(typed.Version)), http.StatusNotFound)
	if list := contracttest.Decode[contracts.WorkOrderPage](e.want(e.do(other, "GET", "/v1/work-orders", nil), http.StatusOK)); len(list.Items) != 0 {
		t.Fatalf("another tenant lists %+v", list.Items)
	}
	e.wantFields(e.do(other, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString()}), "caseId")

	want := []string{"work_order.created", "work_order.updated", "work_order.status_changed", "work_order.updated", "work_order.status_changed",
		"work_order.updated", "work_order.status_changed", "work_order.signed_off"}
	if got := e.eventTypes(w.ID); !slices.Equal(got, want) {
		t.Fatalf("events %v", got)
	}
	for _, ev := range e.published() {
		if ev.Subject == w.ID && ev.Type == "dev.rapport.support.work_order.status_changed.v1" && !bytes.Contains(ev.Data, []byte(`"fromStatus":"new"`)) &&
			!bytes.Contains(ev.Data, []byte(`"fromStatus":"scheduled"`)) && !bytes.Contains(ev.Data, []byte(`"fromStatus":"in_progress"`)) {
			t.Fatalf("status_changed without fromStatus: %s", ev.Data)
		}
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// TestWorkOrderBadInput: every bad field is named, nothing is stored.
func TestWorkOrderBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := e.createCase(u, map[string]any{"subject": "Broken"})
	start := time.Now().UTC().Add(time.Hour)
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": "case-1", "assetId": "a", "technicianId": strings.Repeat("t", 101),
		"scheduledStart": start, "scheduledEnd": start.Add(-time.Minute), "status": "done",
		"parts": []map[string]any{
			{"quantity": "1", "unitPriceMinor": 1, "currency": "EUR"},
			{"description": "Bolt", "quantity": "-1", "unitPriceMinor": -5, "currency": "euro"},
			{"description": "Nut", "quantity": "1.23456", "unitPriceMinor": 1, "currency": "USD"},
		},
		"labour": []map[string]any{{"technicianId": " ", "minutes": 0}}}),
		"caseId", "assetId", "technicianId", "scheduledEnd", "status", "parts/0/description", "parts/1/quantity", "parts/1/unitPriceMinor",
		"parts/1/currency", "parts/2/quantity", "labour/0/technicianId", "labour/0/minutes")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID}), "assetId")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString(), "scheduledStart": start}), "scheduledEnd")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": uuid.NewString(), "assetId": uuid.NewString()}), "caseId")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString(),
		"parts": []map[string]any{{"description": "A", "quantity": "1", "unitPriceMinor": 1, "currency": "EUR"},
			{"description": "B", "quantity": "1", "unitPriceMinor": 1, "currency": "CNY"}}}), "parts/1/currency")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString(), "number": 3}), "number")
	e.wantFields(e.do(u, "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString(),
		"parts": []map[string]any{{"description": "Gold", "quantity": "999999999999", "unitPriceMinor": 9223372036854775807, "currency": "EUR"}}}),
		"parts/0/unitPriceMinor")
	w := e.createWorkOrder(u, map[string]any{"caseId": c.ID, "assetId": uuid.NewString()})
	if w.Number != 1 {
		t.Fatalf("a refused work order took a number: %+v", w)
	}
	e.wantFields(e.do(u, "PATCH", "/v1/work-orders/"+w.ID, map[string]any{"caseId": uuid.NewString()}, "If-Match", kitx.ETag(w.Version)), "caseId")
	e.want(e.do(u, "PATCH", "/v1/work-orders/"+w.ID, map[string]any{"address": "x"}), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/work-orders/"+w.ID, map[string]any{"address": "x"}, "If-Match", kitx.ETag(w.Version+1)), http.StatusPreconditionFailed)
	e.wantFields(e.do(u, "GET", "/v1/work-orders?caseId=1&status=done", nil), "caseId", "status")
	e.want(e.do(u.as("support:read"), "POST", "/v1/work-orders", map[string]any{"caseId": c.ID, "assetId": uuid.NewString()}), http.StatusForbidden)
}
