package quotes

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// rendered is a rendered document: its media type and bytes.
type rendered struct {
	contentType string
	body        []byte
}

// renderRoutes are the routes of a quote's printable HTML and PDF (the
// current revision, or ?revision=n).
func renderRoutes(s Service) []starter.Route {
	route := func(name, path string, render func(*Document) (*rendered, error)) starter.Route {
		return starter.Route{Name: name, Method: "GET", Path: path, Permission: deals.PermRead, Decode: decodeRevision(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(revisionRequest)
				d, err := s.Document(ctx, req.ID, req.Revision)
				if err != nil {
					return nil, err
				}
				return render(d)
			},
			Encode: func(_ context.Context, w http.ResponseWriter, resp any) error {
				out := resp.(*rendered)
				w.Header().Set("Content-Type", out.contentType)
				w.Header().Set("Content-Length", strconv.Itoa(len(out.body)))
				_, err := w.Write(out.body)
				return err
			}}
	}
	return resource.Routes(
		route("getQuoteHTML", "/v1/quotes/{id}/html", renderHTML),
		route("getQuotePDF", "/v1/quotes/{id}/pdf", renderPDF),
	)
}

// view is what a rendered quote shows: a revision of it and its state.
// The account and the contact are shown by the names the revision keeps,
// and not at all without one (an id means nothing to the customer).
type view struct {
	Number, Name, Account, Contact, State, Date string
	Revision                                    int
	Lines                                       []viewLine
	Total, Currency                             string
}

// viewLine is a line as shown.
type viewLine struct {
	SKU, Name, Quantity, UnitPrice, Discount, Total string
}

// viewOf is the view of d.
func viewOf(d *Document) view {
	r := d.Revision
	v := view{Number: r.Number, Name: r.Name, Account: r.AccountName, Contact: r.ContactName, State: d.Quote.State,
		Date: r.CreatedAt.Format("2006-01-02"), Revision: r.Revision, Total: amount(r.Total), Currency: r.Currency}
	if r.Revision != d.Quote.Revision {
		v.State = "superseded"
	}
	for _, l := range r.LineItems {
		v.Lines = append(v.Lines, viewLine{SKU: l.SKU, Name: l.ProductName, Quantity: l.Quantity, UnitPrice: amount(l.UnitPrice),
			Discount: l.DiscountPercent + " %", Total: amount(l.Total)})
	}
	return v
}

// amount is m in its currency's units, as a decimal ("1234.50").
func amount(m money.Money) string {
	exp, _ := money.Exponent(m.Currency)
	s := strconv.FormatInt(m.Minor, 10)
	if exp == 0 {
		return s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return s[:len(s)-exp] + "." + s[len(s)-exp:]
}

// page is the printable HTML of a quote; html/template escapes every value.
var page = template.Must(template.New("quote").Parse(`<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>报价单 Quote {{.Number}}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Droid Sans Fallback", sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 4px 8px; }
td.n, th.n { text-align: right; } @media print { body { margin: 0; } }
</style></head>
<body>
<h1>报价单 Quote {{.Number}}</h1>
<p>Revision {{.Revision}} · {{.Date}} · {{.State}}</p>
<p>{{.Name}}{{if .Account}}<br>Account {{.Account}}{{end}}{{if .Contact}}<br>Contact {{.Contact}}{{end}}</p>
<table>
<thead><tr><th>SKU</th><th>Product</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Discount</th><th class="n">Total</th></tr></thead>
<tbody>{{range .Lines}}
<tr><td>{{.SKU}}</td><td>{{.Name}}</td><td class="n">{{.Quantity}}</td><td class="n">{{.UnitPrice}}</td><td class="n">{{.Discount}}</td><td class="n">{{.Total}}</td></tr>{{end}}
</tbody>
<tfoot><tr><th colspan="5" class="n">Total {{.Currency}}</th><th class="n">{{.Total}}</th></tr></tfoot>
</table>
</body></html>
`))

// renderHTML renders d as printable HTML.
func renderHTML(d *Document) (*rendered, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, viewOf(d)); err != nil {
		return nil, err
	}
	return &rendered{contentType: "text/html; charset=utf-8", body: b.Bytes()}, nil
}
