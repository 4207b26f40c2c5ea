package auth

import (
	"context"

	"github.com/go-kit/kit/endpoint"
)

// Require returns ErrUnauthenticated if ctx has no principal and ErrForbidden
// if the principal lacks permission.
func Require(ctx context.Context, permission string) error {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return ErrUnauthenticated
	}
	if !p.Can(permission) {
		return ErrForbidden.WithDetail("permission %q is required", permission)
	}
	return nil
}

// RequirePermission is go-kit endpoint middleware that lets a request through
// only if Require(ctx, permission) holds.
func RequirePermission(permission string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			if err := Require(ctx, permission); err != nil {
				return nil, err
			}
			return next(ctx, request)
		}
	}
}
