package reporting_test

import (
	"sort"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/attribution"
)

// The oracle of campaign-roi and forecast (CONTRACT.md "Reports" 5 and 6).

// resolve follows merges from id to its final winner.
func resolve(merges map[string]string, id string) string {
	for merges[id] != "" {
		id = merges[id]
	}
	return id
}

// oracleCampaignROI is report 5, campaign-roi.
func (w *crWorld) oracleCampaignROI(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	model := p.model
	if model == "" {
		model = attribution.ModelLinear
	}
	won := map[string]int64{}
	for _, id := range crKeys(w.opps) {
		st := w.opps[id]
		o := st.o
		if st.deleted || o.Status != "won" || o.Currency != cur || !crIn(o.Closed, p.from, p.to) {
			continue
		}
		contacts := map[string]bool{}
		for _, c := range append([]string{o.PrimaryContact}, o.Contacts...) {
			if c != "" {
				contacts[resolve(w.cMerges, c)] = true
			}
		}
		var touches []crTouch
		for _, t := range w.touches {
			if contacts[resolve(w.cMerges, t.contact)] && t.at.Before(o.Closed) && !t.at.Before(o.Closed.Add(-attribution.Lookback)) {
				touches = append(touches, t)
			}
		}
		sort.Slice(touches, func(i, j int) bool {
			if !touches[i].at.Equal(touches[j].at) {
				return touches[i].at.Before(touches[j].at)
			}
			return touches[i].id < touches[j].id
		})
		var camps []string
		for _, t := range touches {
			camps = append(camps, t.campaign)
		}
		credits, err := attribution.Credits(camps, o.Amount)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, c := range credits {
			if c.Model == model {
				won[c.CampaignID] += c.Minor
			}
		}
	}
	var out []crRow
	for _, id := range crKeys(w.camps) {
		c := w.camps[id]
		if c.deleted {
			continue
		}
		var leads, conv int64
		for _, st := range w.leads {
			if !st.deleted && st.l.CampaignID == id && crIn(st.l.Created, p.from, p.to) {
				leads++
				conv += b2i(st.reached == 3)
			}
		}
		cost, roi := "", ""
		if c.hasCost && cur != "" && c.costCur == cur {
			cost, roi = crMoney(c.costMinor, exp), crQuo(won[id]-c.costMinor, c.costMinor, 4)
		}
		out = append(out, crRow{"group": crS(id), "name": crS(c.c.Name), "leads": crI(leads), "conversions": crI(conv),
			"wonAmount": crS(crMoney(won[id], exp)), "cost": crS(cost), "roi": crS(roi)})
	}
	return out
}

// oracleForecast is report 6, forecast.
func (w *crWorld) oracleForecast(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	type figs struct{ commit, best, pipeline, actual int64 }
	rows := map[crKey]*figs{}
	row := func(t time.Time, g string) *figs {
		k := crKey{period: crBucket(t, p.interval), group: g}
		if rows[k] == nil {
			rows[k] = &figs{}
		}
		return rows[k]
	}
	for _, st := range w.opps {
		o := st.o
		if st.deleted || o.Currency != cur || !p.sees(o.Owner) {
			continue
		}
		g := o.Owner
		if p.groupBy == "team" {
			g = o.Team
		}
		closeDate, _ := time.Parse(time.DateOnly, o.CloseDate)
		if (o.Status == "open" || o.Status == "won") && crIn(closeDate, p.from, p.to) {
			f := row(closeDate, g)
			open := o.Status == "open"
			if open && o.Category == "commit" || !open {
				f.commit += o.Amount
			}
			if open && (o.Category == "commit" || o.Category == "bestCase") || !open {
				f.best += o.Amount
			}
			if open {
				f.pipeline += o.Amount
			}
		}
		if o.Status == "won" && crIn(o.Closed, p.from, p.to) {
			row(o.Closed, g).actual += o.Amount
		}
	}
	for _, key := range crKeys(w.fcs) {
		fc := w.fcs[key]
		start, ok := crOverridePeriod(fc.period, p.interval)
		if !ok || fc.currency != cur || !p.sees(fc.owner) || !start.Before(p.to) || !crNext(start, p.interval).After(p.from) {
			continue
		}
		g := fc.owner
		if p.groupBy == "team" {
			if fc.owner != "" {
				continue
			}
			g = fc.team
		} else if fc.owner == "" {
			continue
		}
		f := row(start, g)
		if fc.category == "commit" {
			f.commit = fc.minor
		} else {
			f.best = fc.minor
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		f := rows[k]
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "commit": crS(crMoney(f.commit, exp)),
			"bestCase": crS(crMoney(f.best, exp)), "pipeline": crS(crMoney(f.pipeline, exp)), "actual": crS(crMoney(f.actual, exp)),
			"attainment": crS(crPct(f.actual, f.commit))})
	}
	return out
}

// crOverridePeriod is the start of an override's period ("2026-03" at
// interval month, "2026-Q1" at quarter).
func crOverridePeriod(period, interval string) (time.Time, bool) {
	year, _ := strconv.Atoi(period[:4])
	if period[5] == 'Q' {
		q, _ := strconv.Atoi(period[6:])
		return time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC), interval == "quarter"
	}
	m, _ := strconv.Atoi(period[5:])
	return time.Date(year, time.Month(m), 1, 0, 0, 0, 0, time.UTC), interval == "month"
}
