package sla

import (
	"testing"
	"time"
)

// The clocks' rules without the database: what each event of a case does
// to them, on a 24/7 calendar.
func TestCaseClocksRules(t *testing.T) {
	active := true
	pol := Policy{ID: "p", Name: "Standard", Active: &active, CalendarID: "c", WarnBeforeMinutes: 10,
		Targets: Targets{FirstResponse: map[string]int{"normal": 60}, NextResponse: map[string]int{"normal": 120, "high": 30},
			Resolution: map[string]int{"normal": 600}}}
	cal := mustCalendar(t, Definition{TimeZone: "UTC", AlwaysOpen: true})
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	c := &caseClocks{c: caseInfo{ID: "case", Priority: "normal"}, clocks: map[string]*CaseClock{}, policies: []Policy{pol},
		cals: map[string]*Calendar{"c": cal}, changed: map[string]bool{}}
	schedule := func() {
		for _, k := range c.clocks {
			k.schedule(cal, pol.WarnBeforeMinutes)
		}
	}

	c.caseEvent(TypeCaseCreated, casePayload{ID: "case", Priority: "normal", Status: "new", CreatedAt: t0}, t0)
	schedule()
	if len(c.clocks) != 2 || !c.clocks[FirstResponse].DueAt.Equal(at(60)) || !c.clocks[FirstResponse].nextAt.Equal(at(50)) {
		t.Fatalf("created: %+v", c.clocks)
	}
	c.entry(entryPayload{Kind: "reply", Public: true, AuthorType: "customer", CreatedAt: at(5)})
	if c.clocks[NextResponse] != nil {
		t.Fatal("a customer's reply before the first response started the next")
	}
	c.entry(entryPayload{Kind: "note", Public: false, AuthorType: "agent", CreatedAt: at(10)})
	if !c.clocks[FirstResponse].running() {
		t.Fatal("an internal note met the first response")
	}
	c.entry(entryPayload{Kind: "reply", Public: true, AuthorType: "agent", CreatedAt: at(20)})
	c.entry(entryPayload{Kind: "reply", Public: true, AuthorType: "customer", CreatedAt: at(30)})
	c.status("open", "pending_customer", at(40))
	c.status("pending_customer", "open", at(100))
	schedule()
	nr, res := c.clocks[NextResponse], c.clocks[Resolution]
	if c.clocks[FirstResponse].MetAt == nil || !nr.DueAt.Equal(at(30+120+60)) || !res.DueAt.Equal(at(600+60)) {
		t.Fatalf("after replies and a pause: %+v %+v %+v", c.clocks[FirstResponse], nr, res)
	}
	c.retarget("high", "", at(110))
	schedule()
	if nr.Minutes != 30 || !nr.DueAt.Equal(at(30+30+60)) || res.StoppedAt == nil {
		t.Fatalf("retargeted to high: %+v %+v", nr, res)
	}
	c.retarget("normal", "", at(120))
	c.status("open", "solved", at(130))
	if nr.StoppedAt == nil || nr.Minutes != 120 {
		t.Fatalf("solved: %+v", nr)
	}
	c.status("solved", "open", at(140))
	if res.MetAt != nil || res.StoppedAt == nil {
		t.Fatalf("a stopped resolution came back: %+v", res)
	}

	// Solved at 100 minutes and reopened at 200: the resolution resumes,
	// the time between a pause.
	c = &caseClocks{c: caseInfo{ID: "case", Priority: "normal"}, clocks: map[string]*CaseClock{}, policies: []Policy{pol},
		cals: map[string]*Calendar{"c": cal}, changed: map[string]bool{}}
	c.caseEvent(TypeCaseCreated, casePayload{ID: "case", Priority: "normal", Status: "new", CreatedAt: t0}, t0)
	c.status("open", "solved", at(100))
	c.status("solved", "open", at(200))
	schedule()
	if res := c.clocks[Resolution]; res.MetAt != nil || !res.DueAt.Equal(at(700)) || c.clocks[FirstResponse].StoppedAt == nil {
		t.Fatalf("reopened: %+v", c.clocks)
	}
}
