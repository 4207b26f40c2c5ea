package reporting_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The correctness test's world: a tenant's random history (crWorld) as the
// source services would publish it — the events, each entity's versions
// increasing — and, beside them, the states those events carry, which the
// oracle (correctness_oracle_*_test.go) folds into the reports' figures.

// crStart and crEnd bound the history: every record's times fall in
// [crStart, crEnd), a few closes and close dates after it.
var (
	crStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	crEnd   = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
)

// crEvent is an event of the history and the source whose topic it goes
// to.
type crEvent struct {
	source string
	ev     events.Event
}

// crLead is a lead's last state and the furthest funnel step any of its
// states showed.
type crLead struct {
	l       lead
	reached int
	deleted bool
}

// crOpp is an opportunity's last state.
type crOpp struct {
	o       opp
	deleted bool
}

// crMove is a stage move (opportunity.stage_changed).
type crMove struct {
	id, opp, from, to string
	at                time.Time
}

// crStage is a stage of a pipeline as its last pipeline event describes it.
type crStage struct {
	pipeline, pipelineName, id, name, kind string
	pos                                    int
}

// crForecast is a forecast override.
type crForecast struct {
	owner, team, period, category, currency string
	minor                                   int64
	setAt                                   time.Time
}

// crStageRow is a contact's lifecycle stage at a version.
type crStageRow struct {
	version int
	stage   string
	at      time.Time
}

// crContact is a contact's last state, its stages by version and whether
// it was merged away.
type crContact struct {
	c       contact
	deleted bool
	stages  []crStageRow
}

// crAccount is an account's last state.
type crAccount struct {
	a       account
	deleted bool
}

// crActivity is an activity's last state.
type crActivity struct {
	a                  activity
	typ                string
	completed, deleted bool
}

// crCampaign is a campaign's last state with its actual cost in minor
// units of costCur (hasCost).
type crCampaign struct {
	c         campaign
	hasCost   bool
	costMinor int64
	costCur   string
	deleted   bool
}

// crTouch is a contact's touch of a campaign.
type crTouch struct {
	id, contact, campaign string
	at                    time.Time
}

// crCaseState is a case's last state.
type crCaseState struct {
	k       kase
	deleted bool
}

// crSurvey is an answered survey.
type crSurvey struct {
	id, kind, caseID, queue, agent string
	score                          int
	at                             time.Time
}

// crWorld is a tenant's history and the states it carries.
type crWorld struct {
	t        testing.TB
	r        *rand.Rand
	tenant   string
	cur      string // the currency of most opportunities
	exp      int    // its exponent
	other    string // the currency of a few (exponent 2)
	quiet    bool   // no support events and no activities
	evs      []crEvent
	owners   []string
	teams    []string
	pipes    [][]stageRef
	stages   []crStage
	leads    map[string]*crLead
	opps     map[string]*crOpp
	moves    []crMove
	fcs      map[string]crForecast // by owner/team, period, category
	contacts map[string]*crContact
	cMerges  map[string]string // loser → winner (direct)
	accounts map[string]*crAccount
	aMerges  map[string]string
	acts     map[string]*crActivity
	camps    map[string]*crCampaign
	touches  []crTouch
	cases    map[string]*crCaseState
	replies  map[string]time.Time // first reply by case
	breached map[string]bool
	surveys  []crSurvey
}

// crID is a uuid drawn from r (a history is reproducible from its seed).
func crID(r *rand.Rand) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[:8], r.Uint64())
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// at is a random time in [from, to), to the millisecond (the database
// keeps microseconds; reports floor seconds and days).
func (w *crWorld) at(from, to time.Time) time.Time {
	span := int64(to.Sub(from) / time.Millisecond)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(w.r.Int64N(span)) * time.Millisecond)
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true with probability p.
func (w *crWorld) chance(p float64) bool { return w.r.Float64() < p }

// emit adds the event of type typ about subject with data, made at at, to
// source's topic.
func (w *crWorld) emit(source, typ, subject string, at time.Time, data any) string {
	ev, err := events.New("/rapport/"+source, typ, subject, w.tenant, data)
	if err != nil {
		w.t.Fatal(err)
	}
	ev.Time = at
	w.evs = append(w.evs, crEvent{source: source, ev: ev})
	return ev.ID
}

// emitFx adds a marketing or support fixture's event.
func (w *crWorld) emitFx(source string, f fxEvent) string {
	return w.emit(source, f.typ, f.subject, f.at, f.data)
}

// newWorld generates tenant idx's history of about size units from r:
// tenant 2 has no support events and no activities.
func newWorld(t testing.TB, r *rand.Rand, idx int, size float64) *crWorld {
	curs := []struct {
		code string
		exp  int
	}{{"USD", 2}, {"EUR", 2}, {"JPY", 0}}
	w := &crWorld{t: t, r: r, tenant: crID(r), cur: curs[idx].code, exp: curs[idx].exp, other: "GBP", quiet: idx == 2,
		owners: []string{"owner-a", "owner-b", "owner-c", "owner-d"}, teams: []string{"team-x", "team-y"},
		leads: map[string]*crLead{}, opps: map[string]*crOpp{}, fcs: map[string]crForecast{}, contacts: map[string]*crContact{},
		cMerges: map[string]string{}, accounts: map[string]*crAccount{}, aMerges: map[string]string{}, acts: map[string]*crActivity{},
		camps: map[string]*crCampaign{}, cases: map[string]*crCaseState{}, replies: map[string]time.Time{}, breached: map[string]bool{}}
	n := func(base int) int { return int(float64(base) * size) }
	w.genPipelines()
	w.genCampaigns(8)
	w.genAccounts(n(70))
	w.genContacts(n(220))
	w.genOpportunities(n(260))
	w.genLeads(n(360))
	w.genForecasts()
	w.genTouches(n(520))
	if !w.quiet {
		w.genActivities(n(260))
		w.genCases(n(210))
		w.genSurveys(n(110))
	}
	return w
}

// genPipelines publishes two pipelines of five stages (three open, won,
// lost), created and then renamed.
func (w *crWorld) genPipelines() {
	for p := range 2 {
		id := crID(w.r)
		var refs []stageRef
		for i, name := range []string{"Qualify", "Propose", "Negotiate", "Won", "Lost"} {
			kind := []string{"open", "open", "open", "won", "lost"}[i]
			refs = append(refs, stageRef{Pipeline: id, Stage: crID(w.r), Name: fmt.Sprintf("%s %d", name, p), Kind: kind})
		}
		w.pipes = append(w.pipes, refs)
		for v := 1; v <= 2; v++ {
			name := fmt.Sprintf("Pipeline %d v%d", p, v)
			data := pipelinePayload(id, name, refs, v)
			verb := map[int]string{1: "created", 2: "updated"}[v]
			markChanged(data, verb)
			w.emit(registry.Sales, salesType("pipeline", verb), id, crStart, data)
		}
		for i, s := range refs {
			w.stages = append(w.stages, crStage{pipeline: id, pipelineName: fmt.Sprintf("Pipeline %d v2", p), id: s.Stage,
				name: s.Name, kind: s.Kind, pos: i + 1})
		}
	}
}

// genCampaigns publishes n campaigns: created, then updated with a cost
// (most in the tenant's currency, one in another, one of 0, one none),
// one of them deleted.
func (w *crWorld) genCampaigns(n int) {
	for i := range n {
		c := campaign{ID: crID(w.r), Name: fmt.Sprintf("Campaign %d", i), Owner: pick(w.r, w.owners),
			Created: w.at(crStart, crStart.AddDate(0, 3, 0)), Version: 1}
		st := &crCampaign{c: c}
		w.emitFx(registry.Marketing, campaignEvent("created", c))
		c.Version, c.Status = 2, "completed"
		switch i {
		case 0: // a budget, no cost
			c.Currency, c.Budget = w.cur, crMoney(100000, w.exp)
		case 1:
			c.Currency, st.costCur, st.costMinor = w.other, w.other, 100000+w.r.Int64N(900000)
			c.Cost = crMoney(st.costMinor, 2)
		case 2:
			c.Currency, st.costCur, st.costMinor, c.Cost = w.cur, w.cur, 0, crMoney(0, w.exp)
		default:
			c.Currency, st.costCur, st.costMinor = w.cur, w.cur, 50000+w.r.Int64N(2000000)
			c.Cost, c.Budget = crMoney(st.costMinor, w.exp), crMoney(st.costMinor*2, w.exp)
		}
		st.hasCost = c.Cost != ""
		w.emitFx(registry.Marketing, campaignEvent("updated", c))
		if i == n-1 {
			c.Version = 3
			w.emitFx(registry.Marketing, campaignEvent("deleted", c))
			st.deleted = true
		}
		st.c = c
		w.camps[c.ID] = st
	}
}

// accountRef is a random account's id, "" now and then.
func (w *crWorld) accountRef() string {
	if len(w.accounts) == 0 || w.chance(0.1) {
		return ""
	}
	return crPickKey(w.r, w.accounts)
}

// crPickKey returns a random key of m (deterministic for a seed: the keys
// sorted first).
func crPickKey[V any](r *rand.Rand, m map[string]V) string {
	keys := crKeys(m)
	return keys[r.IntN(len(keys))]
}

// crKeys returns m's keys in order.
func crKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// maxTime is the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// slicesIndex is the index of s in xs, 0 when absent.
func slicesIndex(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return 0
}
