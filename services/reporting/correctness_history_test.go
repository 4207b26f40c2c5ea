package reporting_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/registry"
)

// The correctness test's history, continued: sales' opportunities, leads
// and forecasts, marketing's touches, contacts' activities and support's
// cases and surveys (crWorld, correctness_world_test.go).

// crDay is a day.
const crDay = 24 * time.Hour

// genOpportunities publishes n opportunities of their own.
func (w *crWorld) genOpportunities(n int) {
	for range n {
		w.genOpp(w.at(crStart, crEnd))
	}
}

// genOpp publishes an opportunity created at created: its stage moves,
// its win or loss (or it stays open), a few deleted; it returns its id.
func (w *crWorld) genOpp(created time.Time) string {
	pipe := pick(w.r, w.pipes)
	cur, exp := w.cur, w.exp
	if w.chance(0.1) {
		cur, exp = w.other, 2
	}
	o := opp{ID: crID(w.r), Name: "Deal", Currency: cur, Exponent: exp, Amount: 100 + w.r.Int64N(5000000),
		Owner: pick(w.r, w.owners), Team: pick(w.r, w.teams), Account: w.accountRef(),
		Category:  pick(w.r, []string{"pipeline", "bestCase", "commit", "omitted"}),
		CloseDate: created.Add(time.Duration(w.r.IntN(150)) * crDay).Format(time.DateOnly),
		Stage:     pipe[0], Probability: 10 + w.r.IntN(81), Created: created, Version: 1, Status: "open"}
	if len(w.contacts) > 0 && w.chance(0.9) {
		o.PrimaryContact = crPickKey(w.r, w.contacts)
	}
	for range w.r.IntN(3) {
		if len(w.contacts) > 0 {
			o.Contacts = append(o.Contacts, crPickKey(w.r, w.contacts))
		}
	}
	st := &crOpp{}
	w.opps[o.ID] = st
	w.oppState(st, "created", o)
	t := created
	path := []int{}
	for s, moves := 1, w.r.IntN(3); s <= moves; s++ {
		path = append(path, s)
	}
	if len(path) > 0 && w.chance(0.25) { // back a stage and forward again: the stage entered twice
		s := path[len(path)-1]
		path = append(path, s-1, s)
	}
	for _, s := range path {
		t = w.at(t.Add(time.Second), t.Add(40*crDay))
		from := o.Stage
		o.Stage, o.Version, o.Updated, o.Probability = pipe[s], o.Version+1, t, 10+w.r.IntN(81)
		w.stageMove(st, o, from)
	}
	switch x := w.r.Float64(); {
	case x < 0.65:
		t = w.at(t.Add(time.Second), t.Add(60*crDay))
		o.Status, o.Version, o.Updated, o.Closed = "won", o.Version+1, t, t
		target := pipe[3]
		if x >= 0.4 {
			o.Status, target = "lost", pipe[4]
		}
		if w.chance(0.5) {
			from := o.Stage
			o.Stage = target
			w.stageMove(st, o, from)
		} else {
			o.Stage = target
			w.oppState(st, o.Status, o)
		}
	case w.chance(0.3):
		o.Version, o.Updated, o.Amount = o.Version+1, t.Add(time.Hour), 100+w.r.Int64N(5000000)
		o.Category = pick(w.r, []string{"pipeline", "bestCase", "commit"})
		w.oppState(st, "updated", o)
	}
	if w.chance(0.03) {
		o.Version, o.Updated = o.Version+1, maxTime(o.Updated, o.Created).Add(time.Hour)
		w.oppState(st, "deleted", o)
		st.deleted = true
		if w.chance(0.3) {
			o.Version, o.Updated = o.Version+1, o.Updated.Add(time.Hour)
			w.oppState(st, "restored", o)
			st.deleted = false
		}
	}
	return o.ID
}

// oppState emits opportunity.<verb> of o and records it.
func (w *crWorld) oppState(st *crOpp, verb string, o opp) {
	p := oppPayload(verb, o)
	w.emit(registry.Sales, salesType("opportunity", verb), o.ID, p["updatedAt"].(time.Time), p)
	st.o = o
}

// stageMove emits opportunity.stage_changed of o (in o.Stage since
// o.Updated) from the stage from, and records it.
func (w *crWorld) stageMove(st *crOpp, o opp, from stageRef) {
	p := oppPayload("stage_changed", o)
	pipeline := p["pipelineId"].(string)
	data := map[string]any{"opportunity": p, "from": stagePayload(from, pipeline), "to": stagePayload(o.Stage, pipeline),
		"movedBy": o.Owner}
	id := w.emit(registry.Sales, salesType("opportunity", "stage_changed"), o.ID, o.Updated, data)
	w.moves = append(w.moves, crMove{id: id, opp: o.ID, from: from.Stage, to: o.Stage.Stage, at: o.Updated})
	st.o = o
}

// crReached is the funnel step a lead status shows (disqualified: none).
var crReached = map[string]int{"new": 0, "working": 1, "nurturing": 1, "qualified": 2, "converted": 3}

// genLeads publishes n leads moving through the funnel: some converted
// with an opportunity, some disqualified, a few deleted.
func (w *crWorld) genLeads(n int) {
	for range n {
		l := lead{ID: crID(w.r), Source: pick(w.r, []string{"web", "event", "referral", ""}), Owner: pick(w.r, w.owners),
			Team: pick(w.r, append([]string{""}, w.teams...)), Rating: pick(w.r, []string{"hot", "cold", ""}), Score: w.r.IntN(100),
			Status: pick(w.r, []string{"new", "working"}), Created: w.at(crStart, crEnd), Version: 1}
		if w.chance(0.6) {
			l.CampaignID = crPickKey(w.r, w.camps)
		}
		st := &crLead{}
		w.leads[l.ID] = st
		w.leadState(st, "created", l)
		path := pick(w.r, [][]string{{}, {"working"}, {"nurturing", "qualified"}, {"working", "qualified", "converted"},
			{"qualified", "converted"}, {"working", "disqualified"}, {"qualified", "converted", "converted"},
			{"working", "qualified", "disqualified"}})
		for _, status := range path {
			l.Version++
			verb := "updated"
			if status == "converted" && l.Status != "converted" {
				verb = "converted"
				l.Converted = l.Created.Add(time.Duration(1+w.r.IntN(30*24)) * time.Hour)
				if w.chance(0.9) {
					l.OpportunityID = w.genOpp(l.Converted)
				}
				if len(w.contacts) > 0 {
					l.ContactID = crPickKey(w.r, w.contacts)
				}
			}
			l.Status = status
			w.leadState(st, verb, l)
		}
		if w.chance(0.03) {
			l.Version++
			w.leadState(st, "deleted", l)
			st.deleted = true
			if w.chance(0.3) {
				l.Version++
				w.leadState(st, "restored", l)
				st.deleted = false
			}
		}
	}
}

// leadState emits lead.<verb> of l and records it.
func (w *crWorld) leadState(st *crLead, verb string, l lead) {
	p := leadPayload(verb, l)
	w.emit(registry.Sales, salesType("lead", verb), l.ID, p["updatedAt"].(time.Time), p)
	st.l = l
	if r, ok := crReached[p["status"].(string)]; ok && r > st.reached {
		st.reached = r
	}
}

// genForecasts publishes managers' overrides: owners' months and
// quarters, a team's, one overridden again, one in another currency.
func (w *crWorld) genForecasts() {
	periods := []string{"2025-03", "2025-11", "2026-02", "2025-Q2", "2026-Q1"}
	emit := func(owner, team, period, category, currency string, minor int64, setAt time.Time) {
		exp := w.exp
		if currency != w.cur {
			exp = 2
		}
		p := forecastPayload(owner, team, period, category, minor, currency, exp, setAt)
		subject := uuid.NewSHA1(uuid.NameSpaceURL, []byte("rapport:forecast-override:"+period+"/"+owner+"/"+team)).String()
		w.emit(registry.Sales, salesType("forecast", "overridden"), subject, setAt, p)
		key := "o/" + owner + "/" + period + "/" + category
		if owner == "" {
			key = "t/" + team + "/" + period + "/" + category
		}
		if old, ok := w.fcs[key]; !ok || old.setAt.Before(setAt) {
			w.fcs[key] = crForecast{owner: owner, team: team, period: period, category: category, currency: currency, minor: minor, setAt: setAt}
		}
	}
	for i, period := range periods {
		owner := w.owners[i%len(w.owners)]
		setAt := w.at(crStart, crEnd)
		emit(owner, pick(w.r, w.teams), period, pick(w.r, []string{"commit", "bestCase"}), w.cur, w.r.Int64N(9000000), setAt)
		if i == 0 {
			emit(owner, "", period, "commit", w.cur, w.r.Int64N(9000000), setAt.Add(time.Hour))
			emit(owner, "", period, "bestCase", w.cur, w.r.Int64N(9000000), setAt.Add(-time.Hour))
		}
	}
	emit("", w.teams[0], "2025-11", "commit", w.cur, w.r.Int64N(9000000), w.at(crStart, crEnd))
	emit("", w.teams[1], "2026-Q1", "bestCase", w.cur, w.r.Int64N(9000000), w.at(crStart, crEnd))
	emit(w.owners[1], "", "2025-Q2", "commit", w.other, w.r.Int64N(9000000), w.at(crStart, crEnd))
}

// genTouches publishes n touches of campaigns, half of them by won
// opportunities' contacts around their wins (both edges of the 90 days).
func (w *crWorld) genTouches(n int) {
	var won []*crOpp
	for _, id := range crKeys(w.opps) {
		if o := w.opps[id]; o.o.Status == "won" && (o.o.PrimaryContact != "" || len(o.o.Contacts) > 0) {
			won = append(won, o)
		}
	}
	for range n {
		contactID, at := crPickKey(w.r, w.contacts), w.at(crStart, crEnd)
		if len(won) > 0 && w.chance(0.5) {
			o := pick(w.r, won).o
			cs := append([]string{o.PrimaryContact}, o.Contacts...)
			if cs[0] == "" {
				cs = cs[1:]
			}
			contactID = pick(w.r, cs)
			switch x := w.r.Float64(); {
			case x < 0.03:
				at = o.Closed.Add(-90 * crDay)
			case x < 0.05:
				at = o.Closed
			case x < 0.1: // touches at one instant: ordered by their event ids
				at = o.Closed.Add(-crDay)
			default:
				at = o.Closed.Add(-time.Duration(w.r.Int64N(int64(100*crDay/time.Second))) * time.Second)
			}
		}
		camp := crPickKey(w.r, w.camps)
		id := w.emitFx(registry.Marketing, touchEvent(w.t, pick(w.r, []string{"sent", "opened", "clicked", "form", "responded"}), contactID, camp, at))
		w.touches = append(w.touches, crTouch{id: id, contact: contactID, campaign: camp, at: at})
	}
}

// genActivities publishes n activities: some completed, some updated, a
// few deleted.
func (w *crWorld) genActivities(n int) {
	for range n {
		a := activity{ID: crID(w.r), Type: pick(w.r, []string{"call", "email", "meeting", "note", "task"}), Owner: pick(w.r, w.owners),
			Team: pick(w.r, append([]string{""}, w.teams...)), Occurred: w.at(crStart, crEnd), Version: 1}
		if w.chance(0.5) {
			a.Contact = crPickKey(w.r, w.contacts)
		}
		st := &crActivity{}
		w.acts[a.ID] = st
		w.activityState(st, "created", a)
		if w.chance(0.3) {
			a.Version, a.Type, a.Completed = a.Version+1, "task", true
			w.activityState(st, "completed", a)
		}
		if w.chance(0.15) {
			a.Version, a.Occurred, a.Owner = a.Version+1, a.Occurred.Add(time.Duration(w.r.IntN(60*24))*time.Hour), pick(w.r, w.owners)
			w.activityState(st, "updated", a)
		}
		if w.chance(0.03) {
			a.Version++
			w.activityState(st, "deleted", a)
			st.deleted = true
		}
	}
}

// activityState emits activity.<verb> of a and records it.
func (w *crWorld) activityState(st *crActivity, verb string, a activity) {
	p := activityPayload(verb, a)
	w.emit(registry.Contacts, contactsType("activity", verb), a.ID, a.Occurred, p)
	st.a, st.typ = a, p["type"].(string)
	task, _ := p["task"].(map[string]any)
	st.completed = task != nil && task["status"] == "completed"
}

// genCases publishes n cases: opened, replied to, solved and closed or
// not, some breaching their SLA, a few merged or deleted.
func (w *crWorld) genCases(n int) {
	queues := []string{crID(w.r), crID(w.r), crID(w.r)}
	var ids []string
	for i := range n {
		created := w.at(crStart, crEnd)
		k := kase{ID: crID(w.r), Number: i + 1, Channel: pick(w.r, []string{"email", "portal", "chat", "phone", "api"}),
			Queue: pick(w.r, queues), Priority: pick(w.r, []string{"low", "normal", "high", "urgent"}),
			Type: pick(w.r, []string{"question", "incident", ""}), Assignee: pick(w.r, append([]string{""}, w.owners...)),
			Created: created, Version: 1}
		st := &crCaseState{}
		w.cases[k.ID] = st
		w.caseState(st, "created", k)
		t := created
		if w.chance(0.85) {
			t = w.at(t.Add(time.Minute), t.Add(2*crDay))
			k.Status, k.Version, k.Updated = "open", k.Version+1, t
			w.caseState(st, "status_changed", k)
		}
		for range w.r.IntN(3) {
			at := w.at(created.Add(time.Minute), created.Add(3*crDay))
			w.emitFx(registry.Support, caseReplyEvent(k.ID, at))
			if first, ok := w.replies[k.ID]; !ok || at.Before(first) {
				w.replies[k.ID] = at
			}
		}
		if w.chance(0.1) {
			k.Priority, k.Version, k.Updated = "urgent", k.Version+1, t.Add(time.Minute)
			w.caseState(st, "updated", k)
		}
		switch {
		case w.chance(0.65):
			t = w.at(t.Add(time.Hour), t.Add(30*crDay))
			k.Status, k.Version, k.Updated, k.Solved = "solved", k.Version+1, t, t
			w.caseState(st, "status_changed", k)
			if w.chance(0.4) {
				t = w.at(t.Add(crDay), t.Add(10*crDay))
				k.Status, k.Version, k.Updated, k.Closed = "closed", k.Version+1, t, t
				w.caseState(st, "status_changed", k)
			}
		case w.chance(0.1):
			t = w.at(t.Add(time.Hour), t.Add(30*crDay))
			k.Status, k.Version, k.Updated, k.Closed = "closed", k.Version+1, t, t
			w.caseState(st, "status_changed", k)
		}
		if w.chance(0.25) {
			for range 1 + w.r.IntN(2) {
				target := pick(w.r, []string{"first_response", "resolution"})
				w.emitFx(registry.Support, breachEvent(k.ID, target, w.at(created, created.Add(5*crDay))))
			}
			w.breached[k.ID] = true
		}
		switch {
		case len(ids) > 0 && w.chance(0.03):
			t = t.Add(time.Hour)
			k.MergedInto, k.Status, k.Version, k.Updated, k.Closed = pick(w.r, ids), "closed", k.Version+1, t, t
			w.caseState(st, "merged", k)
		case w.chance(0.03):
			k.Version, k.Updated = k.Version+1, t.Add(time.Hour)
			w.caseState(st, "deleted", k)
			st.deleted = true
		}
		ids = append(ids, k.ID)
	}
}

// caseState emits case.<verb> of k and records it.
func (w *crWorld) caseState(st *crCaseState, verb string, k kase) {
	w.emitFx(registry.Support, caseEvent(w.t, verb, k))
	st.k = k
}

// genSurveys publishes n answered surveys, most of a case.
func (w *crWorld) genSurveys(n int) {
	for i := range n {
		s := crSurvey{id: crID(w.r), kind: pick(w.r, []string{"csat", "nps"}), agent: pick(w.r, w.owners), queue: fmt.Sprint("queue-", i%2),
			at: w.at(crStart, crEnd)}
		s.score = w.r.IntN(11)
		if s.kind == "csat" {
			s.score = 1 + w.r.IntN(5)
		}
		if w.chance(0.9) {
			s.caseID = crPickKey(w.r, w.cases)
			k := w.cases[s.caseID].k
			s.at = k.Created.Add(time.Duration(1+w.r.IntN(40*24)) * time.Hour)
			if w.chance(0.8) {
				s.queue, s.agent = k.Queue, k.Assignee
			}
		}
		w.emitFx(registry.Support, surveyEvent(s.id, s.kind, s.score, s.caseID, s.queue, s.agent, "", s.at))
		w.surveys = append(w.surveys, s)
	}
}
