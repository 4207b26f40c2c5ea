package contracts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// WorkOrderPage is a page of work orders; NextCursor, when set, reads the
// next.
type WorkOrderPage struct {
	Items      []WorkOrder `json:"items"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

// statusChanged is the payload of work_order.status_changed: the work
// order's state with the status it left.
type statusChanged struct {
	*WorkOrder
	FromStatus string `json:"fromStatus"`
}

// CreateWorkOrder stores a new work order of a case of the tenant made by
// the caller, numbered next in the tenant, with the case's account, and
// publishes work_order.created.
func (s *Service) CreateWorkOrder(ctx context.Context, in WorkOrder) (WorkOrder, error) {
	w := in
	if err := w.normalize(); err != nil {
		return w, err
	}
	if err := w.checkStatus(WorkNew); err != nil {
		return w, err
	}
	if w.Status != WorkNew && w.Status != WorkScheduled {
		e := ErrWorkOrderStatus.WithDetail("a work order is created new or scheduled")
		e.Fields = []errs.FieldError{{Field: "status", Reason: "must be new or scheduled"}}
		return w, e
	}
	c, err := s.cases.Get(ctx, w.CaseID)
	if errs.KindOf(err) == errs.NotFound {
		return w, errs.Invalidf([]errs.FieldError{{Field: "caseId", Reason: "must be a case of the tenant"}}, "no case %s", w.CaseID)
	}
	if err != nil {
		return w, err
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if w.Number, err = numbering.Next(ctx, tx.SQL(), "work_order", ""); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		w.ID, w.AccountID, w.CreatedBy, w.CreatedAt, w.UpdatedAt, w.Version = ids.New(), c.AccountID, p.UserID, now, now, 1
		w.SignOff, w.CompletedAt = nil, nil
		if err := saveWorkOrder(ctx, tx, &w, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityWorkOrder, supportdb.VerbCreated, w.ID, &w, nil)
	})
	return w, err
}

// GetWorkOrder returns the work order id.
func (s *Service) GetWorkOrder(ctx context.Context, id string) (out WorkOrder, err error) {
	if !ids.Valid(id) {
		return out, ErrWorkOrderNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getWorkOrder(ctx, tx, id, false)
		return err
	})
	return out, err
}

// ListWorkOrders returns a page of up to limit work orders f selects,
// newest first, after cursor ("" from the first).
func (s *Service) ListWorkOrders(ctx context.Context, f WorkOrderFilter, cursor string, limit int) (WorkOrderPage, error) {
	var before int64
	if cursor != "" {
		if err := s.cursors.DecodeCursor(cursor, &before); err != nil {
			return WorkOrderPage{}, err
		}
	}
	var items []WorkOrder
	err := s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) (err error) {
		items, err = listWorkOrders(ctx, tx, f, before, limit+1)
		return err
	})
	if err != nil {
		return WorkOrderPage{}, err
	}
	page := WorkOrderPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = s.cursors.EncodeCursor(page.Items[limit-1].Number)
	}
	return page, nil
}

// UpdateWorkOrder applies a JSON merge patch to the work order id at
// version ifMatch: its fields are checked as a create's, its status moves
// as WorkTransitions allow, and a completed or cancelled one changes no
// more. Completing it counts its labour against the account's hours
// contract covering the day, if any. A patch that changes nothing keeps
// the version and publishes nothing; otherwise work_order.updated, and
// work_order.status_changed when the status moved.
func (s *Service) UpdateWorkOrder(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out WorkOrder, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrWorkOrderNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		old, err := getWorkOrder(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case old.Version != ifMatch:
			return ErrVersionMismatch
		case old.Status == WorkCompleted || old.Status == WorkCancelled:
			return ErrWorkOrderFinal
		}
		var next WorkOrder
		if err := mergepatch.Apply(old, patch, workOrderFixed, &next); err != nil {
			return err
		}
		if err := next.normalize(); err != nil {
			return err
		}
		if err := next.checkStatus(old.Status); err != nil {
			return err
		}
		if changed, err = events.ChangedFields(old, next); err != nil || len(changed) == 0 {
			out = old
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		next.Version, next.UpdatedAt = old.Version+1, now
		if next.Status == WorkCompleted {
			next.CompletedAt = &now
			if err := s.countLabour(ctx, tx, &next); err != nil {
				return err
			}
		}
		if err := saveWorkOrder(ctx, tx, &next, false); err != nil {
			return err
		}
		out = next
		if err := tx.Emit(ctx, supportdb.EntityWorkOrder, supportdb.VerbUpdated, id, &next, changed); err != nil || next.Status == old.Status {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityWorkOrder, supportdb.VerbStatusChanged, id, statusChanged{&next, old.Status}, nil)
	})
	return out, changed, err
}

// countLabour records the labour minutes of the completed work order w
// against its account's hours contract covering the day, if it has one
// (even one used up: the minutes were worked).
func (s *Service) countLabour(ctx context.Context, tx *outbox.Tx, w *WorkOrder) error {
	if w.AccountID == "" || w.Totals.LabourMinutes == 0 {
		return nil
	}
	c, ok, err := coveringContract(ctx, tx, w.AccountID, KindHours, today(s.now()), true)
	if err != nil || !ok {
		return err
	}
	_, err = addUsage(ctx, tx, Usage{ContractID: c.ID, Source: SourceWorkOrder, SourceID: w.ID, Units: w.Totals.LabourMinutes, CreatedAt: *w.CompletedAt})
	return err
}

// SignOff records the customer's sign-off of the completed work order id
// (at version ifMatch when given) and publishes work_order.signed_off. A
// signature image must be an image attached to the work order's case.
func (s *Service) SignOff(ctx context.Context, id string, ifMatch int64, in SignOff) (out WorkOrder, err error) {
	if !ids.Valid(id) {
		return out, ErrWorkOrderNotFound
	}
	now := pg.Timestamp(s.now()).UTC()
	if err := in.check(now); err != nil {
		return out, err
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		w, err := getWorkOrder(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case ifMatch != 0 && w.Version != ifMatch:
			return ErrVersionMismatch
		case w.Status != WorkCompleted:
			e := ErrNotCompleted.WithDetail("the work order is %s", w.Status)
			e.Fields = []errs.FieldError{{Field: "status", Reason: "must be completed"}}
			return e
		case w.SignOff != nil:
			return ErrSignedOff
		}
		if in.SignatureAttachmentID != "" {
			if err := s.checkSignature(ctx, tx, w.CaseID, in.SignatureAttachmentID); err != nil {
				return err
			}
		}
		w.SignOff, w.Version, w.UpdatedAt = &in, w.Version+1, now
		if err := saveWorkOrder(ctx, tx, &w, false); err != nil {
			return err
		}
		out = w
		return tx.Emit(ctx, supportdb.EntityWorkOrder, supportdb.VerbSignedOff, id, &w, nil)
	})
	return out, err
}
