package imports

import (
	"maps"
	"slices"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/importjob"
)

// synonyms are the header names, written as importjob.HeaderKey writes them, that
// suggest a field: the field's own name (so that a file exported from
// Rapport maps itself), and what other CRMs, spreadsheets and Chinese and
// German tools call it.
var synonyms = map[string][]string{
	"firstName":            {"first", "firstname", "givenname", "forename", "vorname", "名", "名字"},
	"lastName":             {"last", "lastname", "surname", "familyname", "nachname", "姓", "姓氏"},
	"displayName":          {"name", "fullname", "displayname", "contact", "contactname", "姓名", "联系人", "客户姓名"},
	"emails":               {"email", "emails", "emailaddress", "mail", "email1", "workemail", "邮箱", "电子邮件", "邮件", "电子邮箱"},
	"phones":               {"phone", "phones", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell", "telefon", "handy", "电话", "手机", "手机号", "手机号码", "联系电话"},
	"jobTitle":             {"title", "jobtitle", "position", "role", "职位", "职务", "岗位"},
	"lifecycleStage":       {"lifecyclestage", "stage", "lifecycle", "阶段"},
	"source":               {"source", "leadsource", "来源", "客户来源"},
	"ownerId":              {"owner", "ownerid"},
	"teamId":               {"team", "teamid"},
	"tags":                 {"tags", "tag", "labels", "标签"},
	"address.street":       {"street", "addressstreet", "address", "streetaddress", "strasse", "地址", "街道"},
	"address.city":         {"city", "addresscity", "town", "stadt", "ort", "城市"},
	"address.region":       {"region", "addressregion", "state", "province", "county", "bundesland", "省", "省份"},
	"address.postalCode":   {"postalcode", "addresspostalcode", "zip", "zipcode", "postcode", "plz", "邮编", "邮政编码"},
	"address.country":      {"country", "addresscountry", "countrycode", "land", "国家"},
	"consent.email.status": {"consentemailstatus", "emailconsent", "emailoptin"},
	"consent.sms.status":   {"consentsmsstatus", "smsconsent", "smsoptin"},
	"consent.phone.status": {"consentphonestatus", "phoneconsent"},
	fieldAccountID:         {"accountid"},
	fieldAccountName:       {"accountname", "account", "company", "companyname", "organization", "organisation", "firma", "unternehmen", "公司", "公司名称", "单位", "企业"},
	fieldAccountDomain:     {"accountdomain", "domain", "website", "companydomain", "companywebsite", "网站", "网址"},
}

// suggestMapping maps each column of header whose name suggests a field to
// that field (importjob.SuggestMapping): a synonym, or a custom field's key,
// label or "customFields.<key>". A field that takes one value goes to the
// first column suggesting it; the others are left out.
func suggestMapping(header []string, defs map[string]customfields.Field) importjob.Mapping {
	var list []importjob.Synonyms
	for _, field := range slices.Sorted(maps.Keys(synonyms)) {
		list = append(list, importjob.Synonyms{Field: field, Names: synonyms[field]})
	}
	for _, key := range slices.Sorted(maps.Keys(defs)) {
		field := customfields.Prefix + key
		list = append(list, importjob.Synonyms{Field: field, Names: []string{key, defs[key].Label, field}})
	}
	return importjob.SuggestMapping(header, list, func(f string) bool { return slices.Contains(multiFields, f) })
}
