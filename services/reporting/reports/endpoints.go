package reports

import (
	"context"
	"net/url"

	"github.com/go-kit/kit/endpoint"
)

// Endpoints are reports' endpoints, one per operation.
type Endpoints struct {
	Catalogue, Report, Records endpoint.Endpoint
}

// reportRequest asks for a report in a format: its name, its query, and
// what the caller accepts (format: json, csv or xlsx; lang: en or zh).
type reportRequest struct {
	Name         string
	Query        url.Values
	Format, Lang string
}

// reportResponse is a report to write in a format and language.
type reportResponse struct {
	Result       Result
	Format, Lang string
}

// catalogue is the list of reports.
type catalogue struct {
	Items []Entry `json:"items"`
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		Catalogue: func(ctx context.Context, _ any) (any, error) {
			items, err := s.Catalogue(ctx)
			return catalogue{Items: items}, err
		},
		Report: func(ctx context.Context, r any) (any, error) {
			req := r.(reportRequest)
			res, err := s.Report(ctx, req.Name, req.Query)
			if err != nil {
				return nil, err
			}
			return reportResponse{Result: res, Format: req.Format, Lang: req.Lang}, nil
		},
		Records: func(ctx context.Context, r any) (any, error) {
			out, err := s.Records(ctx, r.(RecordsQuery))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}
