package specmerge

import (
	"reflect"
	"sort"
	"testing"
)

// billingSpec calls itself with an internal token (top-level security) and
// names schemes of its own on two operations, one of them colliding with the
// gateway's bearer.
const billingSpec = `
openapi: 3.0.3
info: {title: billing, version: "1.0"}
security: [{internal: []}]
paths:
  /v1/invoices:
    get:
      operationId: listInvoices
      responses: {"200": {description: invoices}}
  /v1/hooks:
    post:
      operationId: receiveHook
      security: [{signature: []}]
      responses: {"204": {description: received}}
  /v1/legacy:
    get:
      operationId: legacy
      security: [{bearer: []}]
      responses: {"200": {description: legacy}}
  /v1/status:
    get:
      operationId: status
      security: []
      responses: {"200": {description: status}}
components:
  securitySchemes:
    internal: {type: http, scheme: bearer, bearerFormat: internal JWT}
    signature: {type: apiKey, in: header, name: X-Signature}
    bearer: {type: http, scheme: bearer, bearerFormat: opaque}
`

func TestMergeSecurity(t *testing.T) {
	doc, _ := mergedDoc(t, map[string][]byte{"billing": []byte(billingSpec)})

	var schemes []string
	for n := range doc.Components.SecuritySchemes {
		schemes = append(schemes, n)
	}
	sort.Strings(schemes)
	if want := []string{"BillingBearer", "bearer", "signature"}; !reflect.DeepEqual(schemes, want) {
		t.Errorf("security schemes = %v, want %v (the service's internal scheme stays out)", schemes, want)
	}
	if doc.Components.SecuritySchemes["bearer"].Value.BearerFormat != "JWT" {
		t.Error("bearer is not the gateway's")
	}
	if got := doc.Security; len(got) != 1 || got[0]["bearer"] == nil {
		t.Errorf("top-level security = %v, want the gateway's", got)
	}

	tests := []struct {
		path string
		want []string // the schemes of the operation's own requirement; nil: none of its own
		own  bool     // the operation has a requirement of its own (possibly empty)
	}{
		{"/v1/invoices", nil, false}, // the gateway's applies
		{"/v1/hooks", []string{"signature"}, true},
		{"/v1/legacy", []string{"BillingBearer"}, true},
		{"/v1/status", nil, true}, // public
	}
	for _, tt := range tests {
		op := doc.Paths.Find(tt.path).Get
		if op == nil {
			op = doc.Paths.Find(tt.path).Post
		}
		if (op.Security != nil) != tt.own {
			t.Errorf("%s: own security %v, want %v", tt.path, op.Security != nil, tt.own)
			continue
		}
		var got []string
		if op.Security != nil {
			for _, req := range *op.Security {
				for n := range req {
					got = append(got, n)
				}
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: security %v, want %v", tt.path, got, tt.want)
		}
	}
}
