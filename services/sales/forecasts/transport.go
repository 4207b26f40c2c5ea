package forecasts

import (
	"context"
	"net/http"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Routes returns the forecasts' routes on s, each with the permission it
// needs: reading sales:read, setting rates and overrides sales:admin.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getForecast", Method: "GET", Path: "/v1/forecasts", Permission: deals.PermRead, Decode: decodeForecast,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				f, err := s.Forecast(ctx, r.(Request))
				return resource.OK(f, 0, err)
			}},
		starter.Route{Name: "getForecastRates", Method: "GET", Path: "/v1/forecasts/rates", Permission: deals.PermRead,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				r, err := s.Rates(ctx)
				return resource.OK(r, 0, err)
			}},
		starter.Route{Name: "setForecastRates", Method: "PUT", Path: "/v1/forecasts/rates", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Rates]([]string{"updatedAt", "updatedBy"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetRates(ctx, r.(Rates))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setForecastOverride", Method: "PUT", Path: "/v1/forecasts/overrides", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Override]([]string{"setBy", "setAt"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetOverride(ctx, r.(Override))
				return resource.OK(out, 0, err)
			}},
	)
}

// decodeForecast reads a forecast's query, naming each bad parameter.
func decodeForecast(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := Request{GroupBy: q.Get("groupBy"), Currency: q.Get("currency"), OwnerID: q.Get("ownerId"), TeamID: q.Get("teamId")}
	v := errs.NewValidator()
	var ok bool
	req.Period, ok = ParsePeriod(q.Get("period"))
	v.Check(ok, "period", "must be a quarter (2027-Q1) or a month (2027-03)")
	if req.GroupBy == "" {
		req.GroupBy = GroupTenant
	}
	v.Check(slices.Contains([]string{GroupTenant, GroupOwner, GroupTeam}, req.GroupBy), "groupBy", "must be tenant, owner or team")
	_, known := money.Exponent(req.Currency)
	v.Check(known, "currency", "must be an ISO 4217 currency code in upper case")
	return req, v.Err()
}
