package sla

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// caseContract is the service contract a case is under (package
// contracts' record, read here: contracts imports sla): the SLA policy it
// grants and the business calendar of its coverage hours, "" for none.
type caseContract struct {
	ID          string  `db:"id"`
	CalendarID  *string `db:"calendar_id"`
	SLAPolicyID *string `db:"sla_policy_id"`
}

// contractSQL reads the contract of a case opened on the day $3: one of
// the contracts it links to ($1), else one of its account's ($2), active
// and covering the day; of several, one granting an SLA policy, the
// latest started.
const contractSQL = `SELECT id, calendar_id, sla_policy_id FROM service_contracts
	WHERE status = 'active' AND starts_on <= $3::date AND ends_on >= $3::date AND (id = ANY($1::uuid[]) OR account_id = $2::uuid)
	ORDER BY id = ANY($1::uuid[]) DESC, sla_policy_id IS NULL, starts_on DESC, number DESC LIMIT 1`

// contractOf reads the contract of the case c, nil when it is under none.
func contractOf(ctx context.Context, tx *outbox.Tx, c caseInfo) (*caseContract, error) {
	var links []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal(c.Links, &links); err != nil {
		return nil, fmt.Errorf("read the links of case %s: %w", c.ID, err)
	}
	linked := []string{}
	for _, l := range links {
		if l.Type == "contract" && ids.Valid(l.ID) {
			linked = append(linked, l.ID)
		}
	}
	if len(linked) == 0 && c.AccountID == nil {
		return nil, nil
	}
	var k caseContract
	err := tx.SQL().GetContext(ctx, &k, contractSQL, pq.StringArray(linked), c.AccountID, c.CreatedAt.UTC().Format("2006-01-02"))
	if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the contract of case %s: %w", c.ID, err)
	}
	return &k, nil
}

// policy is the id of the SLA policy k grants ("" for none or no k).
func (k *caseContract) policy() string {
	if k == nil {
		return ""
	}
	return pgrecord.Deref(k.SLAPolicyID)
}

// id is k's id, "" for no k.
func (k *caseContract) id() string {
	if k == nil {
		return ""
	}
	return k.ID
}

// calendar is the id of k's coverage hours' calendar ("" for none or no
// k).
func (k *caseContract) calendar() string {
	if k == nil {
		return ""
	}
	return pgrecord.Deref(k.CalendarID)
}
