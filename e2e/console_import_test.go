package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// gb18030CSV is a small file of contacts with Chinese names and headers, as
// a spreadsheet in China saves it: GB18030, no byte order mark.
const gb18030CSV = "姓,名,邮箱,职位\r\n张,伟,zhang.wei@import.test,销售经理\r\n李,娜,li.na@import.test,采购\r\n王,芳,wang.fang@import.test,总监\r\n"

// TestConsoleImport imports a GB18030 CSV of contacts through the console's
// wizard in Chromium against the real stack: the preview names the detected
// encoding and shows the Chinese cells, the headers are mapped by the
// suggestions, the job runs to 100 % with every row created, the contacts
// are found by 张 in the list and the API, and the import shows among the
// recent records on home. Axe checks the wizard's steps, on a phone too. A
// CSV of leads with a bad row goes through the leads' wizard, whose error
// report downloads.
func TestConsoleImport(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-import")
	u := s.Invite(t, tn, "rep@console-import.test", []string{"sales_rep"})

	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(gb18030CSV))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("张")) {
		t.Fatal("the file is still UTF-8")
	}
	file := filepath.Join(t.TempDir(), "联系人.csv")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}

	p := signIn(t, s, tn, u, desktop)
	p.Go(s.GatewayURL + "/import")
	p.WaitTestID("page-import-contacts")
	p.Axe("import: choose a file")

	chooseFile(t, p, `[data-testid="page-import-contacts"] input[type="file"]`, file)
	p.WaitTestID("import-mapping")
	if enc := strings.ToLower(p.Text(browser.TestID("import-encoding"))); !strings.Contains(enc, "gb") {
		t.Errorf("the preview names the encoding %q, want GB18030", enc)
	}
	if cells := p.Text(browser.TestID("import-preview")); !strings.Contains(cells, "张") || !strings.Contains(cells, "销售经理") {
		t.Errorf("the preview shows %q, want the Chinese cells decoded", cells)
	}
	var mapped []string
	p.Eval(`[0,1,2].map(i => document.querySelector('[data-testid="import-map-' + i + '"] .ant-select-selection-item')?.getAttribute("title") ?? "")`, &mapped)
	if strings.Join(mapped, "|") != "Last name|First name|Email" {
		t.Errorf("the suggested mapping of 姓, 名, 邮箱 shows %q, want Last name, First name, Email", mapped)
	}
	p.Axe("import: map the columns")

	p.Click(browser.TestID("import-start"))
	p.Wait(`[data-testid="import-progress"][data-state="completed"]`)
	var percent string
	p.Eval(`document.querySelector('[data-testid="import-percent"]').getAttribute("data-percent")`, &percent)
	if percent != "100" {
		t.Errorf("a completed import shows %s %%, want 100", percent)
	}
	if got := p.Text(browser.TestID("import-created")); got != "3" {
		t.Errorf("the import created %s contacts, want 3", got)
	}
	if got := p.Text(browser.TestID("import-failed")); got != "0" {
		t.Errorf("the import failed %s rows, want 0", got)
	}
	if !strings.Contains(p.Text(browser.TestID("import-speed")), "rows/s") {
		t.Errorf("the import shows no rows/s: %q", p.Text(browser.TestID("import-speed")))
	}
	p.Axe("import: finished")

	var found struct {
		Items []struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
			JobTitle  string `json:"jobTitle"`
		} `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/contacts?q=" + url.QueryEscape("张"), Token: u.Token}, http.StatusOK, &found)
	if len(found.Items) != 1 || found.Items[0].LastName != "张" || found.Items[0].FirstName != "伟" || found.Items[0].JobTitle != "销售经理" {
		t.Errorf("searching 张 after the import found %+v, want 张伟, 销售经理", found.Items)
	}

	// "See the records" leads to the contacts, where 张 finds 张伟.
	p.Click(browser.TestID("import-done"))
	p.WaitTestID("page-contacts")
	p.Fill(searchBox, "张")
	contactsWait(t, p, "张 to find the imported 张伟 alone", `[...document.querySelectorAll('[data-testid="row"]')].length === 1 && `+rowsText+`.includes("张伟")`)

	p.Go(s.GatewayURL + "/")
	p.WaitTestID("home-recent-item")
	if got := p.Text(browser.TestID("home-recent")); !strings.Contains(got, "联系人.csv") {
		t.Errorf("home's recent records show %q, want the import of 联系人.csv", got)
	}

	t.Run("phone", func(t *testing.T) {
		q := signIn(t, s, tn, u, phone)
		q.Go(s.GatewayURL + "/import")
		q.WaitTestID("page-import-contacts")
		chooseFile(t, q, `[data-testid="page-import-contacts"] input[type="file"]`, file)
		q.WaitTestID("import-mapping")
		checkFits(t, q, "the import's mapping")
		q.Axe("import on a phone")
	})

	t.Run("leads", func(t *testing.T) {
		leads := filepath.Join(t.TempDir(), "线索.csv")
		if err := os.WriteFile(leads, []byte("姓,名,公司,邮箱\n赵,磊,星辰科技,zhao.lei@import.test\n钱,坤,月光贸易,not-an-email\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p.Go(s.GatewayURL + "/leads/import")
		p.WaitTestID("page-import-leads")
		chooseFile(t, p, `[data-testid="page-import-leads"] input[type="file"]`, leads)
		p.WaitTestID("import-mapping")
		if enc := strings.ToLower(p.Text(browser.TestID("import-encoding"))); !strings.Contains(enc, "utf") {
			t.Errorf("the preview names the encoding %q, want UTF-8", enc)
		}
		p.Click(browser.TestID("import-start"))
		p.Wait(`[data-testid="import-progress"][data-state="completed"]`)
		if created, failed := p.Text(browser.TestID("import-created")), p.Text(browser.TestID("import-failed")); created != "1" || failed != "1" {
			t.Errorf("the lead import created %s and failed %s rows, want 1 and 1", created, failed)
		}
		// The error report is fetched with the token and handed over as a blob.
		p.Eval(`(() => { window.reports = []; const make = URL.createObjectURL; URL.createObjectURL = b => (window.reports.push(b), make.call(URL, b)); return true; })()`, nil)
		p.Click(browser.TestID("import-errors"))
		var report string
		p.Eval(`new Promise(done => { const look = () => window.reports.length ? window.reports[0].text().then(done) : setTimeout(look, 50); look(); })`, &report)
		if !strings.HasPrefix(strings.TrimPrefix(report, "\uFEFF"), "row,column,value,reason") || !strings.Contains(report, "not-an-email") {
			t.Errorf("the error report downloaded is %q, want its header and the bad email's row", report)
		}
	})
}

// chooseFile sets the file input matching selector (hidden or not) to file, as
// choosing it in the browser's file dialog does.
func chooseFile(t *testing.T, p *browser.Page, selector, file string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Context(), browser.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.SetUploadFiles(chromedp.CSS(selector), []string{file})); err != nil {
		t.Fatalf("upload %s into %s: %v", file, selector, err)
	}
}
