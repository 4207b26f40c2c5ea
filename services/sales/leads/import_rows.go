package leads

import (
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/importjob"
)

// leadDraft is a row of a file on its way to a lead: the lead its cells
// make, and which column each field came from (so that a fault of a field
// is reported at its column).
type leadDraft struct {
	row   importjob.Row
	lead  Lead
	paths importjob.Paths
}

// newLeadDraft makes the draft of row r with plan p: each mapped cell,
// trimmed and without the apostrophe an export puts before a formula
// character, fills its field; an empty cell fills nothing. Tags are
// separated by ";"; a status or a rating is read regardless of case; a
// custom field's cell is read for its definition's type (defs).
func newLeadDraft(r importjob.Row, p importjob.Plan, defs Fields) *leadDraft {
	d := &leadDraft{row: r, paths: importjob.Paths{}}
	l := &d.lead
	for _, col := range p.Columns {
		cell := importjob.CellValue(r.Cells[col.Index])
		if cell == "" {
			continue
		}
		if col.Field == "tags" {
			for _, t := range importjob.SplitList(cell, ";") {
				d.paths[fmt.Sprintf("tags/%d", len(l.Tags))] = col.Index
				l.Tags = append(l.Tags, t)
			}
			continue
		}
		if key, ok := strings.CutPrefix(col.Field, customfields.Prefix); ok {
			if l.CustomFields == nil {
				l.CustomFields = customfields.Values{}
			}
			l.CustomFields[key] = customfields.FromCell(defs[key], cell)
			d.paths["customFields/"+key] = col.Index
			continue
		}
		if target := d.text(col.Field); target != nil {
			if col.Field == "status" || col.Field == "rating" {
				cell = strings.ToLower(cell)
			}
			*target = cell
			d.paths[col.Field] = col.Index
		}
	}
	return d
}

// text returns the text field of the draft's lead that field names, nil
// for none.
func (d *leadDraft) text(field string) *string {
	l := &d.lead
	return map[string]*string{"firstName": &l.FirstName, "lastName": &l.LastName, "company": &l.Company, "title": &l.Title,
		"email": &l.Email, "phone": &l.Phone, "source": &l.Source, "campaignId": &l.CampaignID, "status": &l.Status,
		"disqualifiedReason": &l.DisqualifiedReason, "rating": &l.Rating, "ownerId": &l.OwnerID, "teamId": &l.TeamID}[field]
}

// over returns a copy of l with what the draft fills written over it, as
// an update by the import does: each text field the row fills replaces
// l's, its tags are added to l's (regardless of case), and its custom
// fields are set one by one.
func (d *leadDraft) over(l *Lead) *Lead {
	next := *l
	next.Tags = append([]string{}, l.Tags...)
	next.CustomFields = customfields.Values{}
	for k, v := range l.CustomFields {
		next.CustomFields[k] = v
	}
	nd := &leadDraft{lead: next}
	for path := range d.paths {
		if target := nd.text(path); target != nil {
			*target = *d.text(path)
		}
	}
	for _, t := range d.lead.Tags {
		if !containsFold(nd.lead.Tags, t) {
			nd.lead.Tags = append(nd.lead.Tags, t)
		}
	}
	for k, v := range d.lead.CustomFields {
		nd.lead.CustomFields[k] = v
	}
	return &nd.lead
}

// containsFold reports whether list holds s regardless of case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// keys are what a lead is matched on, as Duplicates matches it:
// "email:<address in lower case>" and "phone:<E.164>", those it has.
func keys(l *Lead) []string {
	var out []string
	if l.Email != "" {
		out = append(out, "email:"+strings.ToLower(l.Email))
	}
	if l.PhoneE164 != "" {
		out = append(out, "phone:"+l.PhoneE164)
	}
	return out
}
