package imports

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// draft is a row of a file on its way to a contact: the contact its cells
// make, the account they name, the cells, and which column each field of
// the contact came from, so that a fault of a field is reported at its
// column.
type draft struct {
	row     int64
	contact customer.Contact
	account accountRef
	cells   []string
	paths   map[string]int // a path of the validator ("emails/0") → the column's index in the header
}

// accountRef is how a row names its contact's account, with the columns it
// came from.
type accountRef struct {
	ID, Domain, Name          string
	idCol, domainCol, nameCol int
}

// named reports whether the row names an account.
func (a accountRef) named() bool { return a.ID != "" || a.Domain != "" || a.Name != "" }

// newDraft makes the draft of the row of cells with plan p: each mapped
// cell, trimmed and without the apostrophe an export puts before a formula
// character, fills its field; an empty cell fills nothing. defs are the
// custom field definitions, at the import's consent time.
func newDraft(row int64, cells []string, p plan, defs map[string]customfields.Field, at time.Time) *draft {
	d := &draft{row: row, cells: cells, paths: map[string]int{}}
	c := &d.contact
	for _, col := range p.columns {
		cell := cellValue(cells[col.index])
		if cell == "" {
			continue
		}
		switch f := col.field; f {
		case "firstName":
			c.FirstName = d.set("firstName", col, cell)
		case "lastName":
			c.LastName = d.set("lastName", col, cell)
		case "displayName":
			c.DisplayName, c.DisplayNameManual = d.set("displayName", col, cell), true
		case "jobTitle":
			c.JobTitle = d.set("jobTitle", col, cell)
		case "source":
			c.Source = d.set("source", col, cell)
		case "ownerId":
			c.OwnerID = d.set("ownerId", col, cell)
		case "teamId":
			c.TeamID = d.set("teamId", col, cell)
		case "lifecycleStage":
			c.LifecycleStage = d.set("lifecycleStage", col, lifecycleStage(cell))
		case "emails":
			for _, e := range splitList(cell, ";,") {
				d.paths[fmt.Sprintf("emails/%d", len(c.Emails))] = col.index
				c.Emails = append(c.Emails, customer.Email{Address: e})
			}
		case "phones":
			for _, n := range splitList(cell, ";,") {
				d.paths[fmt.Sprintf("phones/%d", len(c.Phones))] = col.index
				c.Phones = append(c.Phones, customer.Phone{Number: n})
			}
		case "tags":
			for _, t := range splitList(cell, ";") {
				d.paths[fmt.Sprintf("tags/%d", len(c.Tags))] = col.index
				c.Tags = append(c.Tags, t)
			}
		case fieldAccountID:
			d.account.ID, d.account.idCol = cell, col.index
		case fieldAccountDomain:
			d.account.Domain, d.account.domainCol = cell, col.index
		case fieldAccountName:
			d.account.Name, d.account.nameCol = cell, col.index
		default:
			d.setNested(col, cell, defs, at)
		}
	}
	return d
}

// set notes that path comes from col and returns cell.
func (d *draft) set(path string, col column, cell string) string {
	d.paths[path] = col.index
	return cell
}

// setNested fills an address field, a consent status or a custom field.
func (d *draft) setNested(col column, cell string, defs map[string]customfields.Field, at time.Time) {
	c := &d.contact
	if part, ok := strings.CutPrefix(col.field, "address."); ok {
		if c.Address == nil {
			c.Address = &customer.Address{}
		}
		a := c.Address
		target := map[string]*string{"street": &a.Street, "city": &a.City, "region": &a.Region, "postalCode": &a.PostalCode, "country": &a.Country}[part]
		if part == "country" {
			cell = strings.ToUpper(cell)
		}
		*target = d.set("address/"+part, col, cell)
		return
	}
	if channel, ok := strings.CutPrefix(col.field, "consent."); ok {
		channel = strings.TrimSuffix(channel, ".status")
		if c.Consent == nil {
			c.Consent = &customer.Consent{}
		}
		cc := &customer.ChannelConsent{Status: d.set("consent/"+channel, col, consentStatus(cell)), At: &at, Source: "import"}
		switch channel {
		case "email":
			c.Consent.Email = cc
		case "sms":
			c.Consent.SMS = cc
		case "phone":
			c.Consent.Phone = cc
		}
		return
	}
	key := strings.TrimPrefix(col.field, customfields.Prefix)
	if c.CustomFields == nil {
		c.CustomFields = customfields.Values{}
	}
	c.CustomFields[key] = customValue(defs[key], d.set("customFields/"+key, col, cell))
}

// column returns the index of the column a field path of the validator
// ("emails/0/address") came from, the longest prefix that has one, or -1.
func (d *draft) column(path string) int {
	for p := path; p != ""; {
		if i, ok := d.paths[p]; ok {
			return i
		}
		j := strings.LastIndexByte(p, '/')
		if j < 0 {
			break
		}
		p = p[:j]
	}
	return -1
}

// cellValue trims a cell and drops the apostrophe that exports put before
// a cell starting with a formula character (search.CellText), so that a
// file exported from Rapport imports as it was.
func cellValue(cell string) string {
	cell = strings.TrimSpace(cell)
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

// splitList splits a cell holding several values at any of seps, dropping
// empty ones.
func splitList(cell, seps string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// lifecycleStage returns the stage a cell names, regardless of case,
// spaces, hyphens and underscores ("Marketing Qualified"), or the cell, for
// validation to refuse.
func lifecycleStage(cell string) string {
	key := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(cell))
	for _, s := range customer.LifecycleStages {
		if strings.ToLower(s) == key {
			return s
		}
	}
	return cell
}

// consentStatus returns the consent status a cell names: a status, or yes,
// true, 1, opt-in (granted) and no, false, 0, opt-out (denied), in any
// case; otherwise the cell, for validation to refuse.
func consentStatus(cell string) string {
	s := strings.ToLower(cell)
	switch {
	case slices.Contains(customer.ConsentStatuses, s):
		return s
	case slices.Contains([]string{"yes", "y", "true", "1", "opt-in", "opted in", "subscribed", "是"}, s):
		return "granted"
	case slices.Contains([]string{"no", "n", "false", "0", "opt-out", "opted out", "unsubscribed", "否"}, s):
		return "denied"
	}
	return cell
}

// customValue returns the value a cell gives a custom field of definition
// d, in the form its API takes (customfields.Check then checks and
// normalises it as for any write): a number as a JSON number, a boolean
// from true/false, yes/no or 1/0, the options of a multi select separated
// by ";", a currency amount as its JSON object; text as it is.
func customValue(d customfields.Field, cell string) any {
	switch d.Type {
	case "number":
		return json.Number(cell)
	case "boolean":
		switch strings.ToLower(cell) {
		case "true", "yes", "y", "1", "是":
			return true
		case "false", "no", "n", "0", "否":
			return false
		}
	case "multiSelect":
		var list []any
		for _, o := range splitList(cell, ";") {
			list = append(list, o)
		}
		return list
	case "currency":
		var v map[string]any
		if customfields.DecodeNumbers([]byte(cell), &v) == nil {
			return v
		}
	}
	return cell
}
