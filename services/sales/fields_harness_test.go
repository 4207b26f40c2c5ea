package sales_test

import (
	"net/http"
	"slices"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// defineBudget defines the decimal field budget at path (the custom
// fields of entity) as u, checking on the way that writer may not, that
// the key is taken once, and that a bad definition — naming another
// entity, a bad key and an unknown type — names each of them.
func defineBudget(e *env, u, writer user, path, entity, other string) customfields.Field {
	e.t.Helper()
	e.want(e.do(writer, "POST", path, map[string]any{"key": "budget", "label": "Budget", "type": "decimal"}), http.StatusForbidden)
	budget := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", path,
		map[string]any{"key": "budget", "label": "Budget", "type": "decimal"}), http.StatusCreated))
	if budget.Entity != entity || budget.Version != 1 {
		e.t.Fatalf("defined %+v", budget)
	}
	e.want(e.do(u, "POST", path, map[string]any{"key": "budget", "label": "Again", "type": "text"}), http.StatusConflict)
	if got := e.want(e.do(u, "POST", path, map[string]any{"entity": other, "key": "Bad Key", "label": "X", "type": "colour"}),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"entity", "key", "type"}) {
		e.t.Errorf("a bad definition names %v", got)
	}
	return budget
}

// growOptions checks on the single-select definition id at path (version
// 1, options S and M) that a change needs If-Match, that options are
// added but never removed and that the type stays, then adds L and makes
// it required (version 2).
func growOptions(e *env, u user, path, id string) {
	e.t.Helper()
	e.want(e.do(u, "PATCH", path+"/"+id, map[string]any{"options": []string{"S", "M", "L"}}), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", path+"/"+id, map[string]any{"options": []string{"S"}}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	e.want(e.do(u, "PATCH", path+"/"+id, map[string]any{"type": "text"}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	e.want(e.do(u, "PATCH", path+"/"+id, map[string]any{"options": []string{"S", "M", "L"}, "required": true}, "If-Match", kitx.ETag(1)), http.StatusOK)
}
