package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// quoteReply is the part of a quote the approval checks read.
type quoteReply struct {
	ID             string   `json:"id"`
	State          string   `json:"state"`
	ApprovalLevels int      `json:"approvalLevels"`
	ApprovedLevels int      `json:"approvedLevels"`
	Approvers      []string `json:"approvers"`
	Decisions      []struct {
		Action  string `json:"action"`
		Level   int    `json:"level"`
		By      string `json:"by"`
		Comment string `json:"comment"`
	} `json:"decisions"`
}

// testQuoteApprovals: a quote over the tenant's thresholds goes to the
// managers of its owner's team, then of the team's parent, as the
// gateway's directory has them, through the sales service's call to it
// with the caller's own token; anyone else's approval is a 403, and each
// decision is kept with its comment. A quote of an opportunity with an
// account and a contact prints their names, read from contacts.
func testQuoteApprovals(t *testing.T, w *world) {
	st, tn := w.st, w.a.tenant
	admin := tn.Admin.Token
	base := st.GatewayURL
	id := func(method, path, token string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: method, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	region := id(http.MethodPost, "/v1/teams", admin, map[string]any{"name": "Quotes region"})
	team := id(http.MethodPost, "/v1/teams", admin, map[string]any{"name": "Quotes team", "parentId": region})
	// member invites a user with roles into team, as its manager or not,
	// and signs them in again so that their token carries it.
	member := func(email, role, team string, manager bool) *stack.User {
		u := st.Invite(t, tn, email, []string{role})
		stack.Must(t, stack.Request{Method: http.MethodPatch, URL: base + "/v1/users/" + u.ID, Token: admin,
			Body: map[string]any{"teams": []map[string]any{{"id": team, "manager": manager}}}}, http.StatusOK, nil)
		u.Token = st.Login(t, tn.Slug, email, u.Password)
		return u
	}
	rep := member("quote-rep@"+tn.Slug+".test", "sales_rep", team, false)
	lead := member("quote-lead@"+tn.Slug+".test", "manager", team, true)
	director := member("quote-director@"+tn.Slug+".test", "manager", region, true)

	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/quotes/settings", Token: admin,
		Body: map[string]any{"discountPercent": "10", "secondLevelDiscountPercent": "30"}}, http.StatusOK, nil)
	product := id(http.MethodPost, "/v1/products", admin, map[string]any{"sku": "QA-1", "name": "审批产品", "unit": "each"})
	book := id(http.MethodPost, "/v1/price-books", admin, map[string]any{"name": "Quotes EUR", "currency": "EUR"})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/price-books/" + book + "/entries/" + product, Token: admin,
		Body: map[string]any{"unitPrice": map[string]any{"minor": 10000}}}, http.StatusCreated, nil)
	quote := func(discount string) quoteReply {
		opp := id(http.MethodPost, "/v1/opportunities", rep.Token, map[string]any{"name": "Discounted " + discount, "teamId": team})
		stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/opportunities/" + opp + "/line-items", Token: rep.Token,
			Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"priceBookId": book,
				"lineItems": []map[string]any{{"productId": product, "quantity": "1", "discountPercent": discount}}}}, http.StatusOK, nil)
		var q quoteReply
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/quotes", Token: rep.Token, Body: map[string]any{"opportunityId": opp}},
			http.StatusCreated, &q)
		return q
	}
	move := func(q quoteReply, action string, u *stack.User, status int) quoteReply {
		t.Helper()
		var out quoteReply
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/quotes/" + q.ID + "/" + action, Token: u.Token,
			Body: map[string]any{"comment": action + " by " + u.Email}}, status, &out)
		return out
	}
	// awaiting lists the ids of the quotes waiting for u's decision.
	awaiting := func(u *stack.User) []string {
		t.Helper()
		var page struct{ Items []quoteReply }
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/quotes?awaitingMe=true", Token: u.Token}, http.StatusOK, &page)
		out := []string{}
		for _, q := range page.Items {
			out = append(out, q.ID)
		}
		return out
	}

	// 35 % is over both thresholds: the team's manager, then the region's.
	q := move(quote("35"), "submit", rep, http.StatusOK)
	if q.State != "pendingApproval" || q.ApprovalLevels != 2 || !slices.Equal(q.Approvers, []string{lead.ID}) {
		t.Fatalf("submitted %+v, want pending approval of two levels by %s", q, lead.ID)
	}
	for _, u := range []*stack.User{rep, director, tn.Admin} {
		move(q, "approve", u, http.StatusForbidden)
		move(q, "reject", u, http.StatusForbidden)
	}
	// The pending level's approvers alone find it in their inbox, and only
	// while that level is pending.
	if got := awaiting(lead); !slices.Equal(got, []string{q.ID}) {
		t.Errorf("the team manager awaits %v, want %s", got, q.ID)
	}
	if got := awaiting(director); len(got) != 0 {
		t.Errorf("the director awaits %v before the first level", got)
	}
	q = move(q, "approve", lead, http.StatusOK)
	if q.State != "pendingApproval" || q.ApprovedLevels != 1 || !slices.Equal(q.Approvers, []string{director.ID}) {
		t.Fatalf("after the first level %+v, want pending %s", q, director.ID)
	}
	if got := awaiting(director); !slices.Equal(got, []string{q.ID}) {
		t.Errorf("the director awaits %v, want %s", got, q.ID)
	}
	if got := awaiting(lead); len(got) != 0 {
		t.Errorf("the team manager awaits %v after deciding", got)
	}
	move(q, "approve", lead, http.StatusForbidden)
	q = move(q, "approve", director, http.StatusOK)
	if q.State != "approved" || q.ApprovedLevels != 2 || len(q.Decisions) != 2 || q.Decisions[0].By != lead.ID || q.Decisions[0].Level != 1 ||
		q.Decisions[1].By != director.ID || q.Decisions[1].Level != 2 || q.Decisions[1].Comment != "approve by "+director.Email {
		t.Errorf("approved %+v", q)
	}

	// 20 % needs the team's manager alone, who rejects it.
	q = move(quote("20"), "submit", rep, http.StatusOK)
	if q.ApprovalLevels != 1 || !slices.Equal(q.Approvers, []string{lead.ID}) {
		t.Fatalf("submitted %+v, want one level by %s", q, lead.ID)
	}
	q = move(q, "reject", lead, http.StatusOK)
	if q.State != "rejected" || len(q.Decisions) != 1 || q.Decisions[0].Action != "reject" || q.Decisions[0].Comment != "reject by "+lead.Email {
		t.Errorf("rejected %+v", q)
	}
	move(q, "send", rep, http.StatusConflict)

	// A quote prints its account's and contact's names, which the sales
	// service asks contacts for with the rep's own authority.
	account := "北辰贸易 Quotes " + tn.Slug
	var contact struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/contacts", Token: rep.Token,
		Body: map[string]any{"firstName": "Ada", "lastName": "Quotes"}}, http.StatusCreated, &contact)
	opp := id(http.MethodPost, "/v1/opportunities", rep.Token, map[string]any{"name": "Named", "teamId": team,
		"accountId": id(http.MethodPost, "/v1/accounts", rep.Token, map[string]any{"name": account}), "primaryContactId": contact.ID})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/opportunities/" + opp + "/line-items", Token: rep.Token,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"priceBookId": book,
			"lineItems": []map[string]any{{"productId": product, "quantity": "1"}}}}, http.StatusOK, nil)
	var named struct{ ID, AccountName, ContactName string }
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/quotes", Token: rep.Token, Body: map[string]any{"opportunityId": opp}},
		http.StatusCreated, &named)
	if named.AccountName != account || contact.DisplayName == "" || named.ContactName != contact.DisplayName {
		t.Errorf("quote names %q and %q, want %q and %q", named.AccountName, named.ContactName, account, contact.DisplayName)
	}
	html := stack.Must(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/quotes/" + named.ID + "/html", Token: rep.Token}, http.StatusOK, nil)
	pdf := stack.Must(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/quotes/" + named.ID + "/pdf", Token: rep.Token}, http.StatusOK, nil)
	for doc, text := range map[string]string{"HTML": string(html.Body), "PDF": pdfText(t, pdf.Body)} {
		if !strings.Contains(text, account) || !strings.Contains(text, contact.DisplayName) {
			t.Errorf("the quote's %s lacks %q or %q:\n%s", doc, account, contact.DisplayName, text)
		}
	}
}

// pdfText is the text of a PDF as pdftotext (poppler-utils, which make
// test installs) extracts it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "quote.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian package poppler-utils; make test installs it): %v", err)
	}
	return string(out)
}
