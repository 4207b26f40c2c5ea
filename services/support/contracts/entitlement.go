package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ConsumerGroup is the consumer group of the Handler.
const ConsumerGroup = "support-contracts"

// Contexts are the contexts whose topics the Handler reads: the service's
// own, where package cases publishes.
var Contexts = []string{registry.Support}

// typeCaseCreated is the event the Handler follows; it skips others.
const typeCaseCreated = "dev.rapport.support.case.created.v1"

// The states of a case's entitlement.
const (
	// EntitlementCovered: the case used its account's entitlement, or
	// would, as some is left.
	EntitlementCovered = "covered"
	// EntitlementExhausted: the account's contract covers the day but its
	// entitlement is used up.
	EntitlementExhausted = "exhausted"
	// EntitlementNone: no active contract of the account covers the day.
	EntitlementNone = "none"
)

// CaseEntitlement is what a case is entitled to: the state, the contract
// (with what is left of its entitlement) and whether the case used one of
// its cases.
type CaseEntitlement struct {
	CaseID    string    `json:"caseId"`
	AccountID string    `json:"accountId,omitempty"`
	State     string    `json:"state"`
	Counted   bool      `json:"counted"`
	Contract  *Contract `json:"contract,omitempty"`
}

// Entitlement returns the entitlement of the case id: the contract its
// opening was counted against, else the account's contract of cases
// covering today.
func (s *Service) Entitlement(ctx context.Context, id string) (out CaseEntitlement, err error) {
	c, err := s.cases.Get(ctx, id)
	if err != nil {
		return out, err
	}
	out = CaseEntitlement{CaseID: c.ID, AccountID: c.AccountID, State: EntitlementNone}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		u, counted, err := usageOf(ctx, tx, SourceCase, c.ID)
		if err != nil {
			return err
		}
		if counted {
			k, err := getContract(ctx, tx, u.ContractID, false)
			out.State, out.Counted, out.Contract = EntitlementCovered, true, &k
			return err
		}
		if c.AccountID == "" {
			return nil
		}
		k, ok, err := coveringContract(ctx, tx, c.AccountID, KindCases, today(s.now()), false)
		if err != nil || !ok {
			return err
		}
		out.State, out.Contract = EntitlementCovered, &k
		if k.Entitlement.Remaining <= 0 {
			out.State = EntitlementExhausted
		}
		return nil
	})
	return out, err
}

// Handler counts each new case against its account's contract of cases
// covering the day the case was opened, while some of it is left, in the
// consumer's transaction (with its inbox insert); a case is counted once.
type Handler struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewHandler returns the Handler writing through db.
func NewHandler(db *outbox.DB, logger *slog.Logger) *Handler {
	return &Handler{db: db, logger: logger}
}

// openedCase is what the Handler reads of case.created.
type openedCase struct {
	ID        string    `json:"id"`
	AccountID string    `json:"accountId"`
	CreatedAt time.Time `json:"createdAt"`
}

// Handle is the events.Handler of ConsumerGroup.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != typeCaseCreated {
		return nil
	}
	var c openedCase
	if err := json.Unmarshal(ev.Data, &c); err != nil || !ids.Valid(c.ID) {
		return fmt.Errorf("%s %s: malformed payload: %v", ev.Type, ev.ID, err)
	}
	if c.AccountID == "" {
		return nil
	}
	ptx := h.db.With(tx, ev.TenantID)
	k, ok, err := coveringContract(ctx, ptx, c.AccountID, KindCases, today(c.CreatedAt), true)
	if err != nil || !ok || k.Entitlement.Remaining <= 0 {
		return err
	}
	added, err := addUsage(ctx, ptx, Usage{ContractID: k.ID, Source: SourceCase, SourceID: c.ID, Units: 1, CreatedAt: c.CreatedAt})
	if added {
		h.logger.DebugContext(ctx, "case counted against its contract", "case", c.ID, "contract", k.ID)
	}
	return err
}
