package leads

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// rotation is a rule's turn as its state row holds it: the member last
// given a lead and how many leads the rule assigned.
type rotation struct {
	last     string
	assigned int64
	changed  bool
}

// choice is what the rules made of one lead: the rule that assigned it
// (nil: none could), to whom, and why in words.
type choice struct {
	rule   *Rule
	userID string
	reason string
}

// chooser picks the assignee of each lead of one transaction, from the
// rules' locked rotations and the people's open leads, both kept up to
// date as it assigns.
type chooser struct {
	rules     []Rule
	rotations map[string]*rotation // by rule id
	open      map[string]int       // open leads by person
	now       time.Time
}

// maxSkipped bounds the skipped people a reason names.
const maxSkipped = 5

// choose assigns a lead that the rules at the indexes matched (in their
// order) match, and currently owned by owner (counted in open when
// counted): the first rule with someone available takes it.
func (c *chooser) choose(matched []int, owner string, counted bool) choice {
	var passed []string
	for _, i := range matched {
		r := &c.rules[i]
		user, why, ok := c.pick(r)
		if !ok {
			passed = append(passed, why)
			continue
		}
		if counted {
			c.open[owner]--
		}
		c.open[user]++
		rot := c.rotations[r.ID]
		rot.last, rot.assigned, rot.changed = user, rot.assigned+1, true
		return choice{rule: r, userID: user, reason: strings.Join(append(passed, why), "; ")}
	}
	if len(matched) == 0 {
		return choice{reason: "no assignment rule matched; " + kept(owner)}
	}
	return choice{reason: strings.Join(append(passed, kept(owner)), "; ")}
}

// kept says who keeps a lead no rule assigned: its owner, or nobody.
func kept(owner string) string {
	if owner == "" {
		return "left unassigned"
	}
	return "kept by " + owner
}

// label is how a reason names r: its name and its place from 1.
func label(r *Rule) string { return fmt.Sprintf("rule '%s' (%d)", r.Name, r.Position+1) }

// pick chooses r's assignee and says why, or says why nobody is
// available.
func (c *chooser) pick(r *Rule) (string, string, bool) {
	members := r.Target.members()
	rot := c.rotations[r.ID]
	start := 0
	if i := slices.IndexFunc(members, func(m Member) bool { return m.UserID == rot.last }); i >= 0 {
		start = i + 1
	}
	var skipped []string
	user := ""
	for k := range members {
		m := members[(start+k)%len(members)]
		if why := c.unavailable(r, m); why != "" {
			skipped = append(skipped, m.UserID+": "+why)
			continue
		}
		if user == "" || c.open[m.UserID] < c.open[user] {
			user = m.UserID
		}
		if r.Target.Strategy != StrategyLeastLoaded {
			break
		}
	}
	if user == "" {
		return "", label(r) + " matched; nobody available (" + list(skipped) + ")", false
	}
	var why string
	switch {
	case r.Target.Type == TargetUser:
		why = label(r) + ": user " + user
	case r.Target.Strategy == StrategyLeastLoaded:
		why = fmt.Sprintf("%s: least loaded among %d, %s with %d open leads", label(r), len(members), user, c.open[user])
	case rot.last == "":
		why = fmt.Sprintf("%s: round robin among %d, first in turn", label(r), len(members))
	default:
		why = fmt.Sprintf("%s: round robin among %d, next after %s", label(r), len(members), rot.last)
	}
	if len(skipped) > 0 {
		why += "; skipped " + list(skipped)
	}
	return user, why, true
}

// unavailable says why m cannot take a lead of r now ("" when it can).
func (c *chooser) unavailable(r *Rule, m Member) string {
	switch {
	case !active(m.Active):
		return "inactive"
	case !r.Target.hoursOf(m).open(c.now):
		return "outside working hours"
	case r.Target.MaxOpenLeads > 0 && c.open[m.UserID] >= r.Target.MaxOpenLeads:
		return fmt.Sprintf("at cap %d", r.Target.MaxOpenLeads)
	}
	return ""
}

// list joins up to maxSkipped notes, saying how many more there are.
func list(notes []string) string {
	if len(notes) <= maxSkipped {
		return strings.Join(notes, ", ")
	}
	return strings.Join(notes[:maxSkipped], ", ") + fmt.Sprintf(" and %d more", len(notes)-maxSkipped)
}
