package resources

import (
	"context"
	"io"
	"net/http"

	"github.com/rapport-crm/rapport/libs/apiclient"
)

// mergePatch is the Content-Type of every update.
const mergePatch = "application/merge-patch+json"

// calls are a resource's operations of libs/apiclient that crmctl uses.
// list's filter, sort and fields travel as query parameters that ed adds,
// the same for every resource (not every list operation declares them).
type calls struct {
	get    func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error)
	list   func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error)
	create func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error)
	update func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error)
}

// callsOf maps each resource of All to its calls.
var callsOf = map[string]calls{
	"contacts": {
		get: func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error) {
			return c.GetContact(ctx, id, &apiclient.GetContactParams{})
		},
		list: func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error) {
			return c.ListContacts(ctx, &apiclient.ListContactsParams{Limit: limit, Cursor: cursor}, ed)
		},
		create: func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error) {
			return c.CreateContactWithBody(ctx, &apiclient.CreateContactParams{}, "application/json", body)
		},
		update: func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error) {
			return c.UpdateContactWithBody(ctx, id, &apiclient.UpdateContactParams{IfMatch: opt(ifMatch)}, mergePatch, body)
		},
	},
	"accounts": {
		get: func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error) {
			return c.GetAccount(ctx, id, &apiclient.GetAccountParams{})
		},
		list: func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error) {
			return c.ListAccounts(ctx, &apiclient.ListAccountsParams{Limit: limit, Cursor: cursor}, ed)
		},
		create: func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error) {
			return c.CreateAccountWithBody(ctx, &apiclient.CreateAccountParams{}, "application/json", body)
		},
		update: func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error) {
			return c.UpdateAccountWithBody(ctx, id, &apiclient.UpdateAccountParams{IfMatch: opt(ifMatch)}, mergePatch, body)
		},
	},
	"leads": {
		get: func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error) {
			return c.GetLead(ctx, id, &apiclient.GetLeadParams{})
		},
		list: func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error) {
			return c.ListLeads(ctx, &apiclient.ListLeadsParams{Limit: limit, Cursor: cursor}, ed)
		},
		create: func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error) {
			return c.CreateLeadWithBody(ctx, &apiclient.CreateLeadParams{}, "application/json", body)
		},
		update: func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error) {
			return c.UpdateLeadWithBody(ctx, id, &apiclient.UpdateLeadParams{IfMatch: opt(ifMatch)}, mergePatch, body)
		},
	},
	"opportunities": {
		get: func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error) {
			return c.GetOpportunity(ctx, id, &apiclient.GetOpportunityParams{})
		},
		list: func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error) {
			return c.ListOpportunities(ctx, &apiclient.ListOpportunitiesParams{Limit: limit, Cursor: cursor}, ed)
		},
		create: func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error) {
			return c.CreateOpportunityWithBody(ctx, &apiclient.CreateOpportunityParams{}, "application/json", body)
		},
		update: func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error) {
			return c.UpdateOpportunityWithBody(ctx, id, &apiclient.UpdateOpportunityParams{IfMatch: opt(ifMatch)}, mergePatch, body)
		},
	},
	"cases": {
		get: func(ctx context.Context, c apiclient.ClientInterface, id string) (*http.Response, error) {
			return c.GetCase(ctx, id, &apiclient.GetCaseParams{})
		},
		list: func(ctx context.Context, c apiclient.ClientInterface, limit *int, cursor *string, ed apiclient.RequestEditorFn) (*http.Response, error) {
			return c.ListCases(ctx, &apiclient.ListCasesParams{Limit: limit, Cursor: cursor}, ed)
		},
		create: func(ctx context.Context, c apiclient.ClientInterface, body io.Reader) (*http.Response, error) {
			return c.CreateCaseWithBody(ctx, &apiclient.CreateCaseParams{}, "application/json", body)
		},
		update: func(ctx context.Context, c apiclient.ClientInterface, id, ifMatch string, body io.Reader) (*http.Response, error) {
			return c.UpdateCaseWithBody(ctx, id, &apiclient.UpdateCaseParams{IfMatch: opt(ifMatch)}, mergePatch, body)
		},
	},
}

// opt is nil for "", else &s: an optional parameter left out when empty.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
