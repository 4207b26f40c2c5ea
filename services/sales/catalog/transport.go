package catalog

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/money"
)

// listRequest is a list's query: a product filter or a price book's
// currency, the book of a list of entries, cursor and limit.
type listRequest struct {
	ID       string
	Products ProductFilter
	Currency string
	Cursor   string
	Limit    int
}

// entryRequest is a PUT or DELETE of a product's price in a price book.
type entryRequest struct {
	ID, ProductID string
	UnitPrice     *money.Money
}

// entryBody is the body of a PUT of an entry.
type entryBody struct {
	UnitPrice *money.Money `json:"unitPrice"`
}

// Routes returns the catalogue's routes on s, each with the permission it
// needs: reading sales:read, every change (tenant configuration)
// sales:admin. api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listProducts", Method: "GET", Path: "/v1/products", Permission: PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.ListProducts(ctx, req.Products, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createProduct", Method: "POST", Path: "/v1/products", Permission: PermAdmin,
			Decode: resource.DecodeBody[Product](productReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				p, err := s.CreateProduct(ctx, r.(Product))
				if err != nil {
					return nil, err
				}
				return resource.Created(p, p.Version, "/v1/products/"+p.ID, nil)
			}},
		starter.Route{Name: "getProduct", Method: "GET", Path: "/v1/products/{id}", Permission: PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				p, err := s.GetProduct(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(p, p.Version, nil)
			}},
		starter.Route{Name: "updateProduct", Method: "PATCH", Path: "/v1/products/{id}", Permission: PermAdmin, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				p, changed, err := s.UpdateProduct(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(p, p.Version, changed, nil)
			}},
		starter.Route{Name: "deleteProduct", Method: "DELETE", Path: "/v1/products/{id}", Permission: PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteProduct(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listPriceBooks", Method: "GET", Path: "/v1/price-books", Permission: PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.ListPriceBooks(ctx, r.(listRequest).Currency)
				return resource.OK(resource.List[PriceBook]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createPriceBook", Method: "POST", Path: "/v1/price-books", Permission: PermAdmin,
			Decode: resource.DecodeBody[PriceBook](priceBookReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				b, err := s.CreatePriceBook(ctx, r.(PriceBook))
				if err != nil {
					return nil, err
				}
				return resource.Created(b, b.Version, "/v1/price-books/"+b.ID, nil)
			}},
		starter.Route{Name: "getPriceBook", Method: "GET", Path: "/v1/price-books/{id}", Permission: PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				b, err := s.GetPriceBook(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(b, b.Version, nil)
			}},
		starter.Route{Name: "updatePriceBook", Method: "PATCH", Path: "/v1/price-books/{id}", Permission: PermAdmin, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				b, changed, err := s.UpdatePriceBook(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(b, b.Version, changed, nil)
			}},
		starter.Route{Name: "deletePriceBook", Method: "DELETE", Path: "/v1/price-books/{id}", Permission: PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeletePriceBook(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listPriceBookEntries", Method: "GET", Path: "/v1/price-books/{id}/entries", Permission: PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.ListEntries(ctx, req.ID, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "setPriceBookEntry", Method: "PUT", Path: "/v1/price-books/{id}/entries/{productId}", Permission: PermAdmin,
			Decode: decodeEntry(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(entryRequest)
				e, created, err := s.SetEntry(ctx, req.ID, req.ProductID, *req.UnitPrice)
				if err != nil {
					return nil, err
				}
				status := http.StatusOK
				if created {
					status = http.StatusCreated
				}
				return resource.Response{Body: e, Status: status}, nil
			}},
		starter.Route{Name: "deletePriceBookEntry", Method: "DELETE", Path: "/v1/price-books/{id}/entries/{productId}", Permission: PermAdmin,
			Decode: decodeEntry(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(entryRequest)
				return resource.NoContent{}, s.DeleteEntry(ctx, req.ID, req.ProductID)
			}},
	)
}

// decodeEntry reads an entry's path and, with body, its price.
func decodeEntry(body bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		req := entryRequest{ID: r.PathValue("id"), ProductID: r.PathValue("productId")}
		if !body {
			return req, nil
		}
		var b entryBody
		if err := kitx.Decode(r, &b, 0); err != nil {
			return nil, err
		}
		if req.UnitPrice = b.UnitPrice; req.UnitPrice == nil {
			return nil, errs.Invalidf([]errs.FieldError{{Field: "unitPrice", Reason: "is required"}}, "the price is missing")
		}
		return req, nil
	}
}

// decodeList reads a list's query, naming each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := listRequest{ID: r.PathValue("id"), Cursor: q.Get("cursor"), Currency: q.Get("currency"),
		Products: ProductFilter{Query: q.Get("q"), Family: q.Get("family")}}
	v := errs.NewValidator()
	switch q.Get("active") {
	case "":
	case "true", "false":
		active := q.Get("active") == "true"
		req.Products.Active = &active
	default:
		v.Check(false, "active", "must be true or false")
	}
	_, known := money.Exponent(req.Currency)
	v.Check(req.Currency == "" || known, "currency", "must be an ISO 4217 currency code in upper case")
	limit, err := kitx.Limit(r)
	v.Check(err == nil, "limit", "must be an integer from 1 to 200")
	req.Limit = limit
	return req, v.Err()
}
