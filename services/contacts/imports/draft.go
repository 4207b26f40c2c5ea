package imports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// draft is a row of a file on its way to a contact: the contact its cells
// make, the account they name, the cells, and which column each field of
// the contact came from, so that a fault of a field is reported at its
// column.
type draft struct {
	row     importjob.Row
	contact customer.Contact
	account accountRef
	paths   importjob.Paths
}

// accountRef is how a row names its contact's account, with the columns it
// came from.
type accountRef struct {
	ID, Domain, Name          string
	idCol, domainCol, nameCol int
}

// named reports whether the row names an account.
func (a accountRef) named() bool { return a.ID != "" || a.Domain != "" || a.Name != "" }

// newDraft makes the draft of row r with plan p: each mapped
// cell, trimmed and without the apostrophe an export puts before a formula
// character, fills its field; an empty cell fills nothing. defs are the
// custom field definitions, at the import's consent time.
func newDraft(r importjob.Row, p importjob.Plan, defs map[string]customfields.Field, at time.Time) *draft {
	d := &draft{row: r, paths: importjob.Paths{}}
	c := &d.contact
	for _, col := range p.Columns {
		cell := importjob.CellValue(r.Cells[col.Index])
		if cell == "" {
			continue
		}
		switch f := col.Field; f {
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
			for _, e := range importjob.SplitList(cell, ";,") {
				d.paths[fmt.Sprintf("emails/%d", len(c.Emails))] = col.Index
				c.Emails = append(c.Emails, customer.Email{Address: e})
			}
		case "phones":
			for _, n := range importjob.SplitList(cell, ";,") {
				d.paths[fmt.Sprintf("phones/%d", len(c.Phones))] = col.Index
				c.Phones = append(c.Phones, customer.Phone{Number: n})
			}
		case "tags":
			for _, t := range importjob.SplitList(cell, ";") {
				d.paths[fmt.Sprintf("tags/%d", len(c.Tags))] = col.Index
				c.Tags = append(c.Tags, t)
			}
		case fieldAccountID:
			d.account.ID, d.account.idCol = cell, col.Index
		case fieldAccountDomain:
			d.account.Domain, d.account.domainCol = cell, col.Index
		case fieldAccountName:
			d.account.Name, d.account.nameCol = cell, col.Index
		default:
			d.setNested(col, cell, defs, at)
		}
	}
	return d
}

// set notes that path comes from col and returns cell.
func (d *draft) set(path string, col importjob.Column, cell string) string {
	d.paths[path] = col.Index
	return cell
}

// setNested fills an address field, a consent status or a custom field.
func (d *draft) setNested(col importjob.Column, cell string, defs map[string]customfields.Field, at time.Time) {
	c := &d.contact
	if part, ok := strings.CutPrefix(col.Field, "address."); ok {
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
	if channel, ok := strings.CutPrefix(col.Field, "consent."); ok {
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
	key := strings.TrimPrefix(col.Field, customfields.Prefix)
	if c.CustomFields == nil {
		c.CustomFields = customfields.Values{}
	}
	c.CustomFields[key] = customfields.FromCell(defs[key], d.set("customFields/"+key, col, cell))
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
