package reporting_test

import (
	"sort"
	"time"
)

// The oracle of the customer and service reports (CONTRACT.md "Reports"
// 7-11), from a world's last states.

// crStageOrder are the lifecycle stages in the order a period's rows list
// them.
var crStageOrder = []string{"subscriber", "lead", "marketingQualified", "salesQualified", "opportunity", "customer",
	"evangelist", "churned", "other"}

// counted says whether a contact counts in the lifecycle reports: not
// deleted, not merged away.
func (w *crWorld) counted(id string) bool {
	return !w.contacts[id].deleted && w.cMerges[id] == ""
}

// oracleLifecycle is report 7, lifecycle: per period, group and stage,
// the contacts whose newest stage row before the period's end has it.
func (w *crWorld) oracleLifecycle(p crParams) []crRow {
	rows := map[crKey]int64{}
	for _, b := range crPeriods(p.from, p.to, p.interval) {
		end := crNext(b, p.interval)
		if p.to.Before(end) {
			end = p.to
		}
		for id, st := range w.contacts {
			if !w.counted(id) || !p.sees(st.c.Owner) {
				continue
			}
			best := crStageRow{version: -1}
			for _, s := range st.stages {
				if s.at.Before(end) && s.version > best.version {
					best = s
				}
			}
			if best.version < 0 || best.stage == "" {
				continue
			}
			g := map[string]string{"owner": st.c.Owner, "source": st.c.Source}[p.groupBy]
			rows[crKey{period: b, group: g, sub: best.stage, subPos: slicesIndex(crStageOrder, best.stage)}]++
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "stage": crS(k.sub), "contacts": crI(rows[k])})
	}
	return out
}

// oracleFlows is report 8, lifecycle-flows: transitions between
// consecutive stage rows (by version) whose stage differs, in the period
// of the later one.
func (w *crWorld) oracleFlows(p crParams) []crRow {
	rows := map[crKey]int64{}
	for id, st := range w.contacts {
		if !w.counted(id) || !p.sees(st.c.Owner) {
			continue
		}
		ss := append([]crStageRow{}, st.stages...)
		sort.Slice(ss, func(i, j int) bool { return ss[i].version < ss[j].version })
		for i := 1; i < len(ss); i++ {
			if ss[i].stage == ss[i-1].stage || !crIn(ss[i].at, p.from, p.to) {
				continue
			}
			from, to := ss[i-1].stage, ss[i].stage
			// group: the stage left; sub: the stage entered (positions in the order).
			rows[crKey{period: crBucket(ss[i].at, p.interval), group: string(rune('a'+slicesIndex(crStageOrder, from))) + from,
				sub: to, subPos: slicesIndex(crStageOrder, to)}]++
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		out = append(out, crRow{"period": crDate(k.period), "from": crS(k.group[1:]), "to": crS(k.sub), "contacts": crI(rows[k])})
	}
	return out
}

// crScored is an account customer-value scores.
type crScored struct {
	id, name, industry, owner         string
	recency, frequency, monetary, age int64
	r, f, m                           int
	segment                           string
	clv                               int64
}

// oracleValue is report 9, customer-value.
func (w *crWorld) oracleValue(p crParams) []crRow {
	cur, exp := w.reportCurrency(p)
	if cur == "" {
		return nil
	}
	type agg struct {
		last, first time.Time
		n, sum      int64
	}
	accs := map[string]*agg{}
	for _, st := range w.opps {
		o := st.o
		if st.deleted || o.Status != "won" || o.Currency != cur || !o.Closed.Before(p.to) || o.Account == "" {
			continue
		}
		id := resolve(w.aMerges, o.Account)
		a, ok := w.accounts[id]
		if !ok || a.deleted || w.aMerges[id] != "" {
			continue
		}
		g := accs[id]
		if g == nil {
			g = &agg{first: o.Closed, last: o.Closed}
			accs[id] = g
		}
		g.n++
		g.sum += o.Amount
		if o.Closed.After(g.last) {
			g.last = o.Closed
		}
		if o.Closed.Before(g.first) {
			g.first = o.Closed
		}
	}
	var sc []*crScored
	for _, id := range crKeys(accs) {
		g, a := accs[id], w.accounts[id].a
		sc = append(sc, &crScored{id: id, name: a.Name, industry: a.Industry, owner: a.Owner, recency: crDays(g.last, p.to),
			frequency: g.n, monetary: g.sum, age: crDays(g.first, p.to)})
	}
	tiles := crNtile(len(sc), 5)
	score := func(less func(a, b *crScored) bool, set func(s *crScored, v int)) {
		s := append([]*crScored{}, sc...)
		sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) })
		for i, x := range s {
			set(x, tiles[i])
		}
	}
	score(func(a, b *crScored) bool { return a.recency > b.recency || a.recency == b.recency && a.id < b.id },
		func(s *crScored, v int) { s.r = v })
	score(func(a, b *crScored) bool {
		return a.frequency < b.frequency || a.frequency == b.frequency && a.id < b.id
	},
		func(s *crScored, v int) { s.f = v })
	score(func(a, b *crScored) bool { return a.monetary < b.monetary || a.monetary == b.monetary && a.id < b.id },
		func(s *crScored, v int) { s.m = v })
	for _, s := range sc {
		switch {
		case s.r >= 4 && s.f >= 4:
			s.segment = "champions"
		case s.r >= 3 && s.f >= 3:
			s.segment = "loyal"
		case s.r >= 4 && s.f <= 2:
			s.segment = "new"
		case s.r <= 2 && s.f >= 3:
			s.segment = "at_risk"
		case s.r <= 2 && s.f <= 2:
			s.segment = "hibernating"
		default:
			s.segment = "needs_attention"
		}
		s.clv = s.monetary * 3
		if s.age > 365 {
			s.clv = crDiv(s.monetary*3*365, s.age)
		}
	}
	var out []crRow
	seen := sc[:0:0]
	for _, s := range sc {
		if p.sees(s.owner) {
			seen = append(seen, s)
		}
	}
	sc = seen
	if p.groupBy == "" {
		for _, s := range sc {
			out = append(out, crRow{"group": crS(s.id), "name": crS(s.name), "segment": crS(s.segment), "accounts": "1",
				"recency": crI(s.recency), "frequency": crI(s.frequency), "monetary": crS(crMoney(s.monetary, exp)),
				"recencyScore": crI(int64(s.r)), "frequencyScore": crI(int64(s.f)), "monetaryScore": crI(int64(s.m)),
				"clv": crS(crMoney(s.clv, exp))})
		}
		return out
	}
	type sums struct{ n, monetary, clv int64 }
	groups := map[string]*sums{}
	for _, s := range sc {
		g := map[string]string{"segment": s.segment, "industry": s.industry, "owner": s.owner}[p.groupBy]
		if groups[g] == nil {
			groups[g] = &sums{}
		}
		groups[g].n++
		groups[g].monetary += s.monetary
		groups[g].clv += s.clv
	}
	for _, g := range crKeys(groups) {
		seg := ""
		if p.groupBy == "segment" {
			seg = g
		}
		s := groups[g]
		out = append(out, crRow{"group": crS(g), "name": crS(""), "segment": crS(seg), "accounts": crI(s.n), "recency": crNull,
			"frequency": crNull, "monetary": crS(crMoney(s.monetary, exp)), "recencyScore": crNull, "frequencyScore": crNull,
			"monetaryScore": crNull, "clv": crS(crMoney(s.clv, exp))})
	}
	return out
}

// oracleService is report 10, service.
func (w *crWorld) oracleService(p crParams) []crRow {
	type figs struct {
		created, solved, backlog, breached, csatSum, csatN, npsNet, npsN int64
		fr, res                                                          []int64
	}
	rows := map[crKey]*figs{}
	row := func(b time.Time, g string) *figs {
		k := crKey{period: b, group: g}
		if rows[k] == nil {
			rows[k] = &figs{}
		}
		return rows[k]
	}
	live := func(id string) bool { c, ok := w.cases[id]; return ok && !c.deleted && c.k.MergedInto == "" }
	group := func(k kase) string {
		return map[string]string{"channel": k.Channel, "queue": k.Queue, "priority": k.Priority, "owner": k.Assignee}[p.groupBy]
	}
	periods := crPeriods(p.from, p.to, p.interval)
	for id, st := range w.cases {
		if !live(id) || !p.sees(st.k.Assignee) {
			continue
		}
		k, g := st.k, group(st.k)
		if crIn(k.Created, p.from, p.to) {
			f := row(crBucket(k.Created, p.interval), g)
			f.created++
			f.breached += b2i(w.breached[id])
			if at, ok := w.replies[id]; ok {
				f.fr = append(f.fr, crSecs(k.Created, at))
			}
		}
		if crIn(k.Solved, p.from, p.to) {
			f := row(crBucket(k.Solved, p.interval), g)
			f.solved++
			f.res = append(f.res, crSecs(k.Created, k.Solved))
		}
		for _, b := range periods {
			end := crNext(b, p.interval)
			if p.to.Before(end) {
				end = p.to
			}
			before := func(t time.Time) bool { return !t.IsZero() && t.Before(end) }
			if k.Created.Before(end) && !before(k.Solved) && !before(k.Closed) {
				row(b, g).backlog++
			}
		}
	}
	for _, s := range w.surveys {
		if !crIn(s.at, p.from, p.to) || s.caseID != "" && !live(s.caseID) || p.own != "" && (s.caseID == "" || !p.sees(w.cases[s.caseID].k.Assignee)) {
			continue
		}
		var k kase
		if s.caseID != "" {
			k = w.cases[s.caseID].k
		}
		g := map[string]string{"channel": k.Channel, "queue": s.queue, "priority": k.Priority, "owner": s.agent}[p.groupBy]
		f := row(crBucket(s.at, p.interval), g)
		if s.kind == "csat" {
			f.csatSum += int64(s.score)
			f.csatN++
			continue
		}
		f.npsN++
		switch {
		case s.score >= 9:
			f.npsNet++
		case s.score <= 6:
			f.npsNet--
		}
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		f := rows[k]
		frM, ok1 := crPercentile(f.fr, 0.5)
		frP, ok2 := crPercentile(f.fr, 0.9)
		reM, ok3 := crPercentile(f.res, 0.5)
		reP, ok4 := crPercentile(f.res, 0.9)
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "created": crI(f.created),
			"solved": crI(f.solved), "backlog": crI(f.backlog), "firstResponseMedian": crOpt(frM, ok1),
			"firstResponseP90": crOpt(frP, ok2), "resolutionMedian": crOpt(reM, ok3), "resolutionP90": crOpt(reP, ok4),
			"slaCompliance": crS(crPct(f.created-f.breached, f.created)), "csat": crS(crQuo(f.csatSum, f.csatN, 2)),
			"nps": crS(crQuo(f.npsNet*100, f.npsN, 1))})
	}
	return out
}

// oracleActivity is report 11, activity.
func (w *crWorld) oracleActivity(p crParams) []crRow {
	type figs struct{ total, completed int64 }
	rows := map[crKey]*figs{}
	for _, st := range w.acts {
		a := st.a
		if st.deleted || !crIn(a.Occurred, p.from, p.to) || !p.sees(a.Owner) {
			continue
		}
		g := map[string]string{"owner": a.Owner, "team": a.Team, "type": st.typ}[p.groupBy]
		k := crKey{period: crBucket(a.Occurred, p.interval), group: g, sub: st.typ}
		if rows[k] == nil {
			rows[k] = &figs{}
		}
		rows[k].total++
		rows[k].completed += b2i(st.completed)
	}
	var out []crRow
	for _, k := range crMapKeys(rows) {
		out = append(out, crRow{"period": crDate(k.period), "group": crS(k.group), "type": crS(k.sub),
			"total": crI(rows[k].total), "completed": crI(rows[k].completed)})
	}
	return out
}
