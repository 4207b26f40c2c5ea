package telephony

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of telephony, one per operation.
type Endpoints struct {
	LookupPhone, LogCall endpoint.Endpoint
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		LookupPhone: func(ctx context.Context, r any) (any, error) {
			m, err := s.LookupPhone(ctx, r.(string))
			return resource.OK(m, 0, err)
		},
		LogCall: func(ctx context.Context, r any) (any, error) {
			a, created, err := s.LogCall(ctx, r.(Call))
			switch {
			case err != nil:
				return nil, err
			case created:
				return resource.Created(a, a.Version, "/v1/activities/"+a.ID, nil)
			}
			return resource.OK(a, a.Version, nil)
		},
	}
}
