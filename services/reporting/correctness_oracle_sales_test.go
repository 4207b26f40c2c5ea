package reporting_test

import (
	"sort"
	"time"
)

// The oracle of the sales reports: each one's rows recomputed from a
// world's last states, by the contract's definitions (/tmp/brief
// CONTRACT.md "Reports" 1-6).

// crParams are a report's parameters: from, to, interval ("" for a report
// without periods), groupBy, currency and model ("" their defaults); own
// is the caller when its record scope is own ("" scope all).
type crParams struct {
	from, to                                time.Time
	interval, groupBy, currency, model, own string
}

// sees says whether the caller of p sees a record owned by owner.
func (p crParams) sees(owner string) bool { return p.own == "" || owner == p.own }

// reportCurrency is the report currency of p and its exponent: p's, else
// the currency most non-deleted opportunities have (a tie: the first
// alphabetically).
func (w *crWorld) reportCurrency(p crParams) (string, int) {
	exp := func(code string) int {
		if code == w.cur {
			return w.exp
		}
		return 2
	}
	if p.currency != "" {
		return p.currency, exp(p.currency)
	}
	counts := map[string]int{}
	for _, o := range w.opps {
		if !o.deleted && o.o.Currency != "" {
			counts[o.o.Currency]++
		}
	}
	best := ""
	for _, c := range crKeys(counts) {
		if best == "" || counts[c] > counts[best] {
			best = c
		}
	}
	return best, exp(best)
}

// wonOpp is the lead's opportunity when it is won and not deleted.
func (w *crWorld) wonOpp(l lead) (opp, bool) {
	if l.Status != "converted" || l.OpportunityID == "" {
		return opp{}, false
	}
	o, ok := w.opps[l.OpportunityID]
	if !ok || o.deleted || o.o.Status != "won" {
		return opp{}, false
	}
	return o.o, true
}

// oracleFunnel is report 1, funnel.
func (w *crWorld) oracleFunnel(p crParams) []crRow {
	type figs struct{ leads, mql, sql, opps, won int64 }
	rows := map[crKey]*figs{}
	for _, st := range w.leads {
		l := st.l
		if st.deleted || !crIn(l.Created, p.from, p.to) || !p.sees(l.Owner) {
			continue
		}
		g := map[string]string{"owner": l.Owner, "team": l.Team, "source": l.Source, "campaign": l.CampaignID}[p.groupBy]
		k := crKey{period: crBucket(l.Created, p.interval), group: g}
		f := rows[k]
		if f == nil {
			f = &figs{}
			rows[k] = f
		}
		f.leads++
		hasOpp := st.reached == 3 && l.Status == "converted" && l.OpportunityID != ""
		_, won := w.wonOpp(l)
		f.mql += b2i(st.reached >= 1)
		f.sql += b2i(st.reached >= 2)
		f.opps += b2i(hasOpp)
		f.won += b2i(hasOpp && won)
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		f := rows[k]
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "leads": crI(f.leads), "mql": crI(f.mql),
			"sql": crI(f.sql), "opportunities": crI(f.opps), "won": crI(f.won), "mqlRate": crS(crPct(f.mql, f.leads)),
			"sqlRate": crS(crPct(f.sql, f.mql)), "opportunityRate": crS(crPct(f.opps, f.sql)), "winRate": crS(crPct(f.won, f.opps))})
	}
	return out
}

// b2i is 1 for true.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// oracleColumns are the columns each report answers, in order.
var oracleColumns = map[string][]string{
	"funnel":          {"period", "group", "leads", "mql", "sql", "opportunities", "won", "mqlRate", "sqlRate", "opportunityRate", "winRate"},
	"pipeline":        {"period", "group", "created", "createdAmount", "won", "wonAmount", "lost", "lostAmount", "winRate", "avgDealSize", "cycleMedian", "cycleP90", "openAmount", "weightedAmount"},
	"pipeline-stages": {"group", "pipelineName", "stage", "stageName", "position", "open", "openAmount", "weightedAmount", "age0to30", "age31to60", "age61to90", "age90plus", "entered", "advanced", "conversion", "timeInStageMedian", "timeInStageP90"},
	"lead-sources":    {"period", "group", "leads", "converted", "won", "wonAmount", "conversionRate"},
	"campaign-roi":    {"group", "name", "leads", "conversions", "wonAmount", "cost", "roi"},
	"forecast":        {"period", "group", "commit", "bestCase", "pipeline", "actual", "attainment"},
	"lifecycle":       {"period", "group", "stage", "contacts"},
	"lifecycle-flows": {"period", "from", "to", "contacts"},
	"customer-value":  {"group", "name", "segment", "accounts", "recency", "frequency", "monetary", "recencyScore", "frequencyScore", "monetaryScore", "clv"},
	"service":         {"period", "group", "created", "solved", "backlog", "firstResponseMedian", "firstResponseP90", "resolutionMedian", "resolutionP90", "slaCompliance", "csat", "nps"},
	"activity":        {"period", "group", "type", "total", "completed"},
}

// oraclePipeline is report 2, pipeline.
func (w *crWorld) oraclePipeline(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	type figs struct {
		created, won, lost, wonIn                     int64
		createdAmt, wonAmt, lostAmt, open, weightedPc int64
		cycles                                        []int64
	}
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
		if st.deleted || !p.sees(o.Owner) {
			continue
		}
		g := map[string]string{"owner": o.Owner, "team": o.Team, "pipeline": o.Stage.Pipeline}[p.groupBy]
		in := o.Currency == cur
		if crIn(o.Created, p.from, p.to) {
			f := row(o.Created, g)
			f.created++
			if in {
				f.createdAmt += o.Amount
				if o.Status == "open" {
					f.open += o.Amount
					f.weightedPc += o.Amount * int64(o.Probability)
				}
			}
		}
		if (o.Status == "won" || o.Status == "lost") && crIn(o.Closed, p.from, p.to) {
			f := row(o.Closed, g)
			switch o.Status {
			case "won":
				f.won++
				f.cycles = append(f.cycles, crSecs(o.Created, o.Closed))
				if in {
					f.wonAmt += o.Amount
					f.wonIn++
				}
			default:
				f.lost++
				if in {
					f.lostAmt += o.Amount
				}
			}
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		f := rows[k]
		med, okM := crPercentile(f.cycles, 0.5)
		p90, okP := crPercentile(f.cycles, 0.9)
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "created": crI(f.created),
			"createdAmount": crS(crMoney(f.createdAmt, exp)), "won": crI(f.won), "wonAmount": crS(crMoney(f.wonAmt, exp)),
			"lost": crI(f.lost), "lostAmount": crS(crMoney(f.lostAmt, exp)), "winRate": crS(crPct(f.won, f.won+f.lost)),
			"avgDealSize": crS(crMoneyQuo(f.wonAmt, f.wonIn, exp)), "cycleMedian": crOpt(med, okM), "cycleP90": crOpt(p90, okP),
			"openAmount": crS(crMoney(f.open, exp)), "weightedAmount": crS(crMoneyQuo(f.weightedPc, 100, exp))})
	}
	return out
}

// oracleStages is report 3, pipeline-stages: a row per stage of every
// pipeline, by pipeline and position.
func (w *crWorld) oracleStages(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	stages := append([]crStage{}, w.stages...)
	sort.Slice(stages, func(i, j int) bool {
		if stages[i].pipeline != stages[j].pipeline {
			return stages[i].pipeline < stages[j].pipeline
		}
		return stages[i].pos < stages[j].pos
	})
	byID := map[string]crStage{}
	for _, s := range stages {
		byID[s.id] = s
	}
	var out []crRow
	for _, s := range stages {
		var open, openAmt, weighted, entered, advanced int64
		ages := [4]int64{}
		var secs []int64
		for _, st := range w.opps {
			o := st.o
			if st.deleted || !p.sees(o.Owner) || o.Status != "open" || !o.Created.Before(p.to) || o.Stage.Stage != s.id || o.Stage.Pipeline != s.pipeline {
				continue
			}
			open++
			if o.Currency == cur {
				openAmt += o.Amount
				weighted += o.Amount * int64(o.Probability)
			}
			switch d := crDays(o.Created, p.to); {
			case d <= 30:
				ages[0]++
			case d <= 60:
				ages[1]++
			case d <= 90:
				ages[2]++
			default:
				ages[3]++
			}
		}
		for _, m := range w.moves {
			if o := w.opps[m.opp]; o.deleted || !p.sees(o.o.Owner) || !crIn(m.at, p.from, p.to) {
				continue
			}
			if m.to == s.id {
				entered++
			}
			if m.from != s.id {
				continue
			}
			if t, ok := byID[m.to]; ok && t.pipeline == s.pipeline && (t.pos > s.pos || t.kind == "won") {
				advanced++
			}
			since := w.opps[m.opp].o.Created
			var latest time.Time
			for _, i := range w.moves {
				if i.opp == m.opp && i.to == s.id && i.at.Before(m.at) && i.at.After(latest) {
					latest = i.at
				}
			}
			if !latest.IsZero() {
				since = latest
			}
			secs = append(secs, crSecs(since, m.at))
		}
		med, okM := crPercentile(secs, 0.5)
		p90, okP := crPercentile(secs, 0.9)
		out = append(out, crRow{"group": crS(s.pipeline), "pipelineName": crS(s.pipelineName), "stage": crS(s.id),
			"stageName": crS(s.name), "position": crI(int64(s.pos)), "open": crI(open), "openAmount": crS(crMoney(openAmt, exp)),
			"weightedAmount": crS(crMoneyQuo(weighted, 100, exp)), "age0to30": crI(ages[0]), "age31to60": crI(ages[1]),
			"age61to90": crI(ages[2]), "age90plus": crI(ages[3]), "entered": crI(entered), "advanced": crI(advanced),
			"conversion": crS(crPct(advanced, entered)), "timeInStageMedian": crOpt(med, okM), "timeInStageP90": crOpt(p90, okP)})
	}
	return out
}

// oracleLeadSources is report 4, lead-sources.
func (w *crWorld) oracleLeadSources(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	type figs struct{ leads, converted, won, wonAmt int64 }
	rows := map[crKey]*figs{}
	for _, st := range w.leads {
		l := st.l
		if st.deleted || !crIn(l.Created, p.from, p.to) || !p.sees(l.Owner) {
			continue
		}
		g := l.Source
		if p.groupBy == "campaign" {
			g = l.CampaignID
		}
		k := crKey{period: crBucket(l.Created, p.interval), group: g}
		if rows[k] == nil {
			rows[k] = &figs{}
		}
		f := rows[k]
		f.leads++
		f.converted += b2i(st.reached == 3)
		if o, ok := w.wonOpp(l); ok {
			f.won++
			if o.Currency == cur {
				f.wonAmt += o.Amount
			}
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		f := rows[k]
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "leads": crI(f.leads),
			"converted": crI(f.converted), "won": crI(f.won), "wonAmount": crS(crMoney(f.wonAmt, exp)),
			"conversionRate": crS(crPct(f.converted, f.leads))})
	}
	return out
}
