package importjob

import (
	"context"
	"net/http"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of imports, one per operation.
type Endpoints struct {
	StartImport, PreviewImport, GetImport, ListImports, CancelImport, ImportErrors endpoint.Endpoint
}

// listRequest is a page of the imports list.
type listRequest struct {
	Limit  int
	Cursor string
}

// MakeEndpoints returns the endpoints of s, whose imports are at path
// ("/v1/imports").
func MakeEndpoints(s Service, path string) Endpoints {
	return Endpoints{
		StartImport: func(ctx context.Context, r any) (any, error) {
			im, err := s.Start(ctx, r.(Upload))
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: im, Status: http.StatusAccepted, Location: path + "/" + im.ID}, nil
		},
		PreviewImport: func(ctx context.Context, r any) (any, error) {
			p, err := s.Preview(ctx, r.(Upload))
			return resource.OK(p, 0, err)
		},
		GetImport: func(ctx context.Context, r any) (any, error) {
			im, err := s.Get(ctx, r.(resource.IDRequest).ID)
			return resource.OK(im, 0, err)
		},
		ListImports: func(ctx context.Context, r any) (any, error) {
			req := r.(listRequest)
			page, err := s.List(ctx, req.Limit, req.Cursor)
			return resource.OK(page, 0, err)
		},
		CancelImport: func(ctx context.Context, r any) (any, error) {
			im, err := s.Cancel(ctx, r.(resource.IDRequest).ID)
			return resource.OK(im, 0, err)
		},
		ImportErrors: func(ctx context.Context, r any) (any, error) {
			return s.Errors(ctx, r.(resource.IDRequest).ID)
		},
	}
}
