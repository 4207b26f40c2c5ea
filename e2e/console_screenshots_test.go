package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// menuItem is the selector of the console's menu entries.
const menuItem = `nav [role="menuitem"]`

// TestConsoleScreenshots signs an administrator in, with a few records made
// through the API, and photographs the sign-in page and every page the menu
// leads to, at 1440×900 and at 375×812, as <page>-desktop.png and
// <page>-phone.png in $RAPPORT_SCREENSHOTS_DIR (make screenshots: the
// repository's docs/screenshots), else in a temporary directory. Each page
// must show without an uncaught error.
func TestConsoleScreenshots(t *testing.T) {
	dir := os.Getenv("RAPPORT_SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "acme")
	sampleRecords(t, s.GatewayURL, tn.Admin.Token)

	d := shotSignIn(t, s, tn, desktop, filepath.Join(dir, "signin-desktop.png"))

	var entries []string
	d.Eval(`[...document.querySelectorAll('`+menuItem+`')].map(e => e.innerText.trim())`, &entries)
	if len(entries) == 0 {
		t.Fatal("the console's menu has no entries")
	}
	entryOf := map[string]string{} // page name → its menu entry
	var order []string
	for _, entry := range entries {
		before := currentPage(d)
		d.ClickText(menuItem, entry)
		now := waitNewPage(d, before)
		name := strings.TrimPrefix(now.ID, "page-")
		if _, seen := entryOf[name]; seen {
			continue
		}
		entryOf[name] = entry
		order = append(order, name)
		settle(d)
		d.Screenshot(filepath.Join(dir, name+"-desktop.png"))
	}

	// The phone walks the same entries through the menu's drawer, as a
	// phone's user does.
	p := shotSignIn(t, s, tn, phone, filepath.Join(dir, "signin-phone.png"))
	for _, name := range order {
		before := currentPage(p)
		p.Click(browser.TestID("menu-button"))
		p.ClickText(menuItem, entryOf[name])
		if now := waitNewPage(p, before); now.ID != "page-"+name {
			t.Errorf("on a phone the menu's %q shows %s, on a desktop page-%s", entryOf[name], now.ID, name)
			continue
		}
		settle(p)
		p.Screenshot(filepath.Join(dir, name+"-phone.png"))
	}
	t.Logf("screenshots of signin and %s in %s", strings.Join(order, ", "), dir)
}

// shownPage is the page the console shows: its root's data-testid and the
// path.
type shownPage struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// shotSignIn opens a page of size at the sign-in form, saves its
// screenshot as file and signs tn's administrator in (to the home page).
func shotSignIn(t *testing.T, s *stack.Stack, tn *stack.Tenant, size [2]int, file string) *browser.Page {
	t.Helper()
	p := browser.NewPage(t, size[0], size[1])
	p.Go(s.GatewayURL + "/signin")
	p.WaitTestID("page-signin")
	settle(p)
	p.Screenshot(file)
	fillSignIn(p, tn.Slug, tn.Admin.Email, tn.Admin.Password)
	p.WaitTestID("page-home")
	return p
}

// currentPage is the page p shows now.
func currentPage(p *browser.Page) shownPage {
	var sp shownPage
	p.Eval(`({id: document.querySelector('[data-testid^="page-"]')?.dataset.testid ?? "", path: location.pathname + location.search})`, &sp)
	return sp
}

// waitNewPage waits, after a click on a menu entry, until p shows a page
// other than before at another path, and returns it; when the path stays
// the same for 3 s, the entry was the page shown before.
func waitNewPage(p *browser.Page, before shownPage) shownPage {
	var sp shownPage
	p.Eval(fmt.Sprintf(`new Promise((done, fail) => {
		const start = Date.now();
		const look = () => {
			const el = document.querySelector('[data-testid^="page-"]');
			const path = location.pathname + location.search;
			if (el && el.dataset.testid !== %[1]q && path !== %[2]q) return done({id: el.dataset.testid, path});
			if (Date.now() - start > 3000 && path === %[2]q && el && el.dataset.testid === %[1]q) return done({id: el.dataset.testid, path});
			if (Date.now() - start > 15000) return fail(new Error("no page after " + path));
			setTimeout(look, 100);
		};
		look();
	})`, before.ID, before.Path), &sp)
	return sp
}

// settle waits until nothing on p is busy loading and its animations are
// over, so that a screenshot shows the page as a user sees it.
func settle(p *browser.Page) {
	p.WaitGone(`[aria-busy="true"]`)
	p.Eval(`Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))).then(() => new Promise(r => setTimeout(r, 300)))`, nil)
}

// sampleRecords makes what the screenshots show: accounts with contacts
// (some written in Chinese), open opportunities and leads, and a task.
func sampleRecords(t *testing.T, base, token string) {
	t.Helper()
	post := func(path string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	accounts := map[string]string{}
	for _, a := range [][2]string{{"Northwind Traders", "northwind.example"}, {"上海星辰科技", "xingchen.example"}, {"Contoso Ltd", "contoso.example"}} {
		accounts[a[0]] = post("/v1/accounts", map[string]any{"name": a[0], "domain": a[1], "industry": "Software"})
	}
	contacts := []struct{ first, last, title, account, email string }{
		{"Ada", "Lovelace", "CTO", "Northwind Traders", "ada@northwind.example"},
		{"Grace", "Hopper", "VP Engineering", "Northwind Traders", "grace@northwind.example"},
		{"小明", "王", "采购经理", "上海星辰科技", "wang.xm@xingchen.example"},
		{"丽", "李", "总经理", "上海星辰科技", "li.li@xingchen.example"},
		{"Alan", "Turing", "Head of Research", "Contoso Ltd", "alan@contoso.example"},
		{"Katherine", "Johnson", "Analyst", "Contoso Ltd", "katherine@contoso.example"},
	}
	var first string
	for _, c := range contacts {
		id := post("/v1/contacts", map[string]any{"firstName": c.first, "lastName": c.last, "jobTitle": c.title,
			"accountId": accounts[c.account], "emails": []map[string]any{{"address": c.email, "primary": true}}})
		if first == "" {
			first = id
		}
	}
	for i, o := range []struct {
		name  string
		minor int
	}{{"Northwind renewal 2027", 4800000}, {"星辰 CRM 部署", 12000000}, {"Contoso pilot", 950000}, {"Northwind upsell", 2100000}} {
		post("/v1/opportunities", map[string]any{"name": o.name, "amount": map[string]any{"minor": o.minor, "currency": "EUR"},
			"closeDate": fmt.Sprintf("2099-0%d-15", i+1)})
	}
	for _, l := range [][3]string{{"Rivera", "Globex", "rivera@globex.example"}, {"陈", "华夏贸易", "chen@huaxia.example"}, {"Okafor", "Initech", "okafor@initech.example"}} {
		post("/v1/leads", map[string]any{"lastName": l[0], "company": l[1], "email": l[2], "source": "Website"})
	}
	post("/v1/activities", map[string]any{"type": "task", "subject": "Send the renewal quote", "contactId": first,
		"task": map[string]any{"dueAt": "2099-01-01T09:00:00Z"}})
}
