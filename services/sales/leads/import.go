package leads

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// ImportEntity is the entity of the event that ends a lead import:
// import.completed.
const ImportEntity = "import"

// ImportDomain is the CSV import of leads (libs/importjob runs the upload,
// the job, the error report and the routes): a column fills a field of a
// lead, each row is normalised and checked as the API's create does, and
// created through the store's create path (Store.Create's, in the chunk's
// transaction: lead.created, scoring and assignment as for any create); a
// row whose email or phone is a live lead's the importer may see, or an
// earlier row's, is a duplicate, which the import's policy skips, writes
// over the lead (update, through the lead's update path) or creates all
// the same.
type ImportDomain struct{}

// Target implements importjob.Domain: the tenant's custom field
// definitions of leads and its default phone region.
func (ImportDomain) Target(ctx context.Context, tx *outbox.Tx, _ string) (importjob.Target, error) {
	defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
	if err != nil {
		return nil, err
	}
	region, err := regionIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	return importTarget{defs: defs, region: region}, nil
}

// importTarget is the leads of a tenant as an import writes them: their
// custom field definitions and the region their phones are read in.
type importTarget struct {
	defs   Fields
	region string
}

// importFields are the fields of a lead a column may fill, custom fields
// ("customFields.<key>") aside: those the API writes.
var importFields = []string{"firstName", "lastName", "company", "title", "email", "phone", "source", "campaignId", "status",
	"disqualifiedReason", "rating", "ownerId", "teamId", "tags"}

// identityFields are those of which a mapping must fill one: a lead needs
// a name, a company, an email or a phone.
var identityFields = []string{"firstName", "lastName", "company", "email", "phone"}

// importSynonyms are the header names that suggest each field: its own
// name (a file exported from Rapport maps itself), and what other CRMs,
// spreadsheets and Chinese and German tools call it.
var importSynonyms = []importjob.Synonyms{
	{Field: "firstName", Names: []string{"first", "firstname", "givenname", "forename", "vorname", "名", "名字"}},
	{Field: "lastName", Names: []string{"last", "lastname", "surname", "familyname", "nachname", "姓", "姓氏"}},
	{Field: "company", Names: []string{"company", "companyname", "account", "accountname", "organization", "organisation", "firma",
		"unternehmen", "公司", "公司名称", "单位", "企业"}},
	{Field: "title", Names: []string{"title", "jobtitle", "position", "role", "职位", "职务", "岗位"}},
	{Field: "email", Names: []string{"email", "emails", "emailaddress", "mail", "workemail", "邮箱", "电子邮件", "邮件", "电子邮箱"}},
	{Field: "phone", Names: []string{"phone", "phones", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell", "telefon",
		"handy", "电话", "手机", "手机号", "手机号码", "联系电话"}},
	{Field: "source", Names: []string{"source", "leadsource", "来源", "线索来源"}},
	{Field: "campaignId", Names: []string{"campaign", "campaignid"}},
	{Field: "status", Names: []string{"status", "leadstatus", "状态"}},
	{Field: "disqualifiedReason", Names: []string{"disqualifiedreason"}},
	{Field: "rating", Names: []string{"rating", "评级"}},
	{Field: "ownerId", Names: []string{"owner", "ownerid"}},
	{Field: "teamId", Names: []string{"team", "teamid"}},
	{Field: "tags", Names: []string{"tags", "tag", "labels", "标签"}},
}

// Fields implements importjob.Target.
func (t importTarget) Fields() []string {
	out := slices.Clone(importFields)
	for _, key := range slices.Sorted(maps.Keys(t.defs)) {
		out = append(out, customfields.Prefix+key)
	}
	return out
}

// Multi implements importjob.Target: tags may come from several columns.
func (importTarget) Multi(field string) bool { return field == "tags" }

// Suggest implements importjob.Target: a synonym, or a custom field's key,
// label or "customFields.<key>".
func (t importTarget) Suggest(header []string) importjob.Mapping {
	list := slices.Clone(importSynonyms)
	for _, key := range slices.Sorted(maps.Keys(t.defs)) {
		field := customfields.Prefix + key
		list = append(list, importjob.Synonyms{Field: field, Names: []string{key, t.defs[key].Label, field}})
	}
	return importjob.SuggestMapping(header, list, t.Multi)
}

// Check implements importjob.Target: the mapping fills a name, a company,
// an email or a phone, the email or the phone unless the policy is create
// (duplicates are found by them), and every required custom field.
func (t importTarget) Check(p importjob.Plan, policy string) error {
	v := errs.NewValidator()
	v.Check(slices.ContainsFunc(identityFields, p.Has), "mapping",
		"map a column to "+strings.Join(identityFields, ", ")+": a lead needs a name, a company, an email or a phone")
	v.Check(p.Has("email") || p.Has("phone") || policy == importjob.PolicyCreate, "mapping",
		fmt.Sprintf("duplicatePolicy %s finds existing leads by email and phone: map a column to email or phone, or choose create", policy))
	for _, key := range slices.Sorted(maps.Keys(t.defs)) {
		if t.defs[key].Required && !p.Has(customfields.Prefix+key) {
			v.Check(false, "mapping", fmt.Sprintf("%s%s is required: map a column to it", customfields.Prefix, key))
		}
	}
	return v.Err()
}

// Apply implements importjob.Target.
func (t importTarget) Apply(ctx context.Context, tx *outbox.Tx, b *importjob.Batch) error {
	return (&leadImport{ctx: ctx, tx: tx, b: b, defs: t.defs, region: t.region}).run()
}
