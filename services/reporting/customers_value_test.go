package reporting_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// valueAccount is the id of the test's account n (fixed, so that the
// quintiles' ties, broken by account id, are known).
func valueAccount(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// Customer value scores the accounts with won opportunities in the report
// currency closed before to: recency, frequency and monetary value, their
// quintiles over the tenant's accounts (ties by account id), the RFM
// segment and a lifetime value rounded half-even; a merged-away account's
// opportunities count for its winner, a deleted account, a deleted, lost,
// later or foreign-currency opportunity count nowhere.
func TestCustomerValueRFM(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	to := utcDay(2026, 7, 1)
	created := utcDay(2024, 1, 1)
	industries := map[int]string{1: "retail", 2: "retail", 3: "banking", 5: "banking", 8: "retail"}
	accounts := 0
	for n := 1; n <= 12; n++ {
		a := account{ID: valueAccount(n), Name: fmt.Sprintf("Account %d", n), Industry: industries[n], Owner: "rep",
			Created: created}
		if n == 1 {
			a.Owner = own.id
		}
		e.publishAccount(tenant, "created", a)
		accounts++
	}
	// Account 11 merges into 1; account 12 is deleted.
	e.publishAccountMerge(tenant, valueAccount(11), account{ID: valueAccount(1), Name: "Account 1", Industry: "retail",
		Owner: own.id, Created: created, Updated: utcDay(2026, 1, 2), Version: 2}, utcDay(2026, 1, 2))
	e.publishAccount(tenant, "deleted", account{ID: valueAccount(12), Name: "Account 12", Created: created,
		Updated: utcDay(2026, 1, 3), Version: 2})

	// won publishes a won opportunity of account n closed days before to.
	sales := 0
	won := func(n, days int, minor int64, currency string) string {
		id := uuid.NewString()
		closed := to.AddDate(0, 0, -days)
		e.publishOpp(tenant, "won", opp{ID: id, Name: fmt.Sprintf("Deal %d-%d", n, days), Currency: currency, Exponent: 2,
			Amount: minor, Account: valueAccount(n), Owner: "rep", Created: closed.Add(-24 * time.Hour), Closed: closed,
			Updated: closed})
		sales++
		return id
	}
	deal1a, deal1b, deal1c := won(1, 10, 100000, "USD"), won(1, 122, 50000, "USD"), won(11, 546, 20000, "USD")
	won(2, 20, 30000, "USD")
	won(3, 40, 80000, "USD")
	won(3, 200, 80000, "USD")
	won(4, 60, 5000, "USD")
	won(5, 90, 200000, "USD")
	won(5, 300, 100000, "USD")
	won(5, 400, 100000, "USD")
	won(5, 700, 50000, "USD")
	won(6, 120, 20000, "USD")
	won(7, 180, 70000, "USD")
	won(8, 250, 40000, "USD")
	won(8, 260, 40000, "USD")
	won(8, 270, 40000, "USD")
	won(9, 365, 90000, "USD")
	won(10, 500, 6000, "USD")
	won(10, 730, 6343, "USD")
	// None of these count.
	won(12, 30, 999900, "USD")
	won(2, 15, 999900, "EUR")
	won(4, -4, 999900, "USD")
	gone := won(6, 100, 999900, "USD")
	e.publishOpp(tenant, "deleted", opp{ID: gone, Status: "won", Currency: "USD", Exponent: 2, Amount: 999900,
		Account: valueAccount(6), Created: to.AddDate(0, 0, -101), Closed: to.AddDate(0, 0, -100),
		Updated: to.AddDate(0, 0, -99), Version: 2})
	sales++
	e.publishOpp(tenant, "lost", opp{ID: uuid.NewString(), Currency: "USD", Exponent: 2, Amount: 999900,
		Account: valueAccount(3), Created: to.AddDate(0, 0, -11), Closed: to.AddDate(0, 0, -10)})
	sales++
	e.waitEvents(tenant, "contacts", int64(accounts+2))
	e.waitEvents(tenant, "sales", int64(sales))
	period := []string{"from", "2026-01-01", "to", "2026-07-01"}

	got := e.report(u, "customer-value", period...)
	if got.Currency == nil || *got.Currency != "USD" {
		t.Errorf("currency %v, want USD (most opportunities')", got.Currency)
	}
	cols := []string{"group", "segment", "recency", "frequency", "monetary", "recencyScore", "frequencyScore", "monetaryScore", "clv"}
	wantLines(t, "customer value", lines(got.Rows, cols...), []string{
		valueAccount(1) + "|champions|10|3|1700.00|5|4|5|3409.34", // 1700 × 3 / (546 / 365)
		valueAccount(2) + "|new|20|1|300.00|5|1|2|900.00",
		valueAccount(3) + "|loyal|40|2|1600.00|4|3|4|4800.00",
		valueAccount(4) + "|new|60|1|50.00|4|1|1|150.00",
		valueAccount(5) + "|loyal|90|4|4500.00|3|5|5|7039.29", // 4500 × 3 / (700 / 365) = 7039.2857…
		valueAccount(6) + "|needs_attention|120|1|200.00|3|2|2|600.00",
		valueAccount(7) + "|hibernating|180|1|700.00|2|2|3|2100.00",
		valueAccount(8) + "|at_risk|250|3|1200.00|2|5|4|3600.00",
		valueAccount(9) + "|at_risk|365|1|900.00|1|3|3|2700.00",
		valueAccount(10) + "|at_risk|500|2|123.43|1|4|1|185.14", // 123.43 × 3 / 2 = 185.145: half-even
	})

	got = e.report(u, "customer-value", append(period, "groupBy", "segment")...)
	wantLines(t, "customer value by segment", lines(got.Rows, "group", "accounts", "monetary", "clv"), []string{
		"at_risk|3|2223.43|6485.14", "champions|1|1700.00|3409.34", "hibernating|1|700.00|2100.00",
		"loyal|2|6100.00|11839.29", "needs_attention|1|200.00|600.00", "new|2|350.00|1050.00",
	})
	got = e.report(u, "customer-value", append(period, "groupBy", "industry", "filter",
		`{"field":"segment","op":"in","value":["loyal","champions"]}`)...)
	wantLines(t, "loyal and champion customers by industry", lines(got.Rows, "group", "accounts", "monetary", "clv"), []string{
		"banking|2|6100.00|11839.29", "retail|1|1700.00|3409.34",
	})

	got = e.report(own, "customer-value", period...)
	wantLines(t, "one's own accounts, scored among all", lines(got.Rows, cols...), []string{
		valueAccount(1) + "|champions|10|3|1700.00|5|4|5|3409.34",
	})
	got = e.report(u, "customer-value", append(period, "currency", "EUR")...)
	wantLines(t, "customer value in EUR", lines(got.Rows, "group", "frequency", "monetary", "recencyScore"), []string{
		valueAccount(2) + "|1|9999.00|1",
	})

	ids, _ := e.records(u, "customer-value", append(period, "group", valueAccount(1), "measure", "monetary")...)
	if want := []string{deal1c, deal1b, deal1a}; !equalIDs(ids, want) {
		t.Errorf("account 1's won opportunities %v, want %v (the merged-away account's first)", ids, want)
	}
	if ids, _ := e.records(own, "customer-value", append(period, "group", valueAccount(2), "measure", "clv")...); len(ids) != 0 {
		t.Errorf("someone else's account drilled into by a user of scope own: %v", ids)
	}
	ids, recs := e.records(u, "customer-value", append(period, "groupBy", "segment", "group", "at_risk", "measure", "accounts")...)
	if want := []string{valueAccount(8), valueAccount(9), valueAccount(10)}; !equalIDs(ids, want) || recs[2].Fields["clv"] != "185.14" {
		t.Errorf("at-risk accounts %+v, want %v", recs, want)
	}
}
