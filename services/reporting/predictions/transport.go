package predictions

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Routes returns predictions' routes on s, each with its permission
// (reads: reporting:read; retraining: reporting:admin). api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return []starter.Route{
		{Name: "listPredictionModels", Method: "GET", Path: "/v1/predictions/models", Permission: rm.PermRead, Endpoint: e.Models},
		{Name: "listOpportunityPredictions", Method: "GET", Path: "/v1/predictions/opportunities", Permission: rm.PermRead,
			Endpoint: e.Opportunities, Decode: decodePage},
		{Name: "getOpportunityPrediction", Method: "GET", Path: "/v1/predictions/opportunities/{id}", Permission: rm.PermRead,
			Endpoint: e.Opportunity, Decode: decodeID},
		{Name: "listAccountPredictions", Method: "GET", Path: "/v1/predictions/accounts", Permission: rm.PermRead,
			Endpoint: e.Accounts, Decode: decodePage},
		{Name: "getAccountPrediction", Method: "GET", Path: "/v1/predictions/accounts/{id}", Permission: rm.PermRead,
			Endpoint: e.Account, Decode: decodeID},
		{Name: "getDemandForecast", Method: "GET", Path: "/v1/predictions/demand", Permission: rm.PermRead,
			Endpoint: e.Demand, Decode: decodeQueue},
		{Name: "retrainPredictionModels", Method: "POST", Path: "/v1/predictions/retrain", Permission: rm.PermAdmin,
			Endpoint: e.Retrain},
	}
}

// decodePage reads a page's limit and cursor.
func decodePage(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	return pageRequest{Cursor: r.URL.Query().Get("cursor"), Limit: limit}, nil
}

// decodeID reads the path's id.
func decodeID(_ context.Context, r *http.Request) (any, error) {
	return idRequest{ID: r.PathValue("id")}, nil
}

// decodeQueue reads the queue asked for ("" every one).
func decodeQueue(_ context.Context, r *http.Request) (any, error) {
	return queueRequest{Queue: r.URL.Query().Get("queue")}, nil
}
