package support_test

import (
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/support/contracts"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// day is the day d days from today (UTC), as a contract's dates are
// written.
func day(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") }

// contractsDB is the service's database as the contracts' job and
// consumer see it, through the outbox.
func (e *env) contractsDB() *outbox.DB {
	e.t.Helper()
	pool, err := sqlx.Open("postgres", e.app)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { pool.Close() })
	return outbox.NewDB(pool, supportdb.Events, registry.MustTopic("", registry.Support))
}

// createContract creates a service contract as u from body.
func (e *env) createContract(u user, body map[string]any) contracts.Contract {
	e.t.Helper()
	return contracttest.Decode[contracts.Contract](e.want(e.do(u, "POST", "/v1/service-contracts", body), http.StatusCreated))
}

// contractBody is a valid contract of account, active from today for a
// year, entitling it to total of kind.
func contractBody(account, kind string, total int) map[string]any {
	return map[string]any{"accountId": account, "name": "Gold support", "startDate": day(0), "endDate": day(365),
		"entitlement": map[string]any{"kind": kind, "total": total}, "status": "active"}
}

// getContract reads the contract id as u.
func (e *env) getContract(u user, id string) contracts.Contract {
	e.t.Helper()
	return contracttest.Decode[contracts.Contract](e.want(e.do(u, "GET", "/v1/service-contracts/"+id, nil), http.StatusOK))
}

// usage reads the usage of the contract id as u.
func (e *env) usage(u user, id string) []contracts.Usage {
	e.t.Helper()
	return contracttest.Decode[struct{ Items []contracts.Usage }](e.want(e.do(u, "GET", "/v1/service-contracts/"+id+"/usage", nil), http.StatusOK)).Items
}

// entitlement reads the entitlement of the case id as u.
func (e *env) entitlement(u user, id string) contracts.CaseEntitlement {
	e.t.Helper()
	return contracttest.Decode[contracts.CaseEntitlement](e.want(e.do(u, "GET", "/v1/cases/"+id+"/entitlement", nil), http.StatusOK))
}

// patchWorkOrder patches the work order w (at its version) as u, wanting
// status; it returns the reply and, on 200, the work order as changed.
func (e *env) patchWorkOrder(u user, w contracts.WorkOrder, patch map[string]any, status int) (reply, contracts.WorkOrder) {
	e.t.Helper()
	r := e.want(e.do(u, "PATCH", "/v1/work-orders/"+w.ID, patch, "If-Match", kitx.ETag(w.Version)), status)
	if status == http.StatusOK {
		w = contracttest.Decode[contracts.WorkOrder](r)
	}
	return r, w
}
