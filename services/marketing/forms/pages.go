package forms

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// texts are the words of the pages and the confirmation mail in one
// language; the form's own (labels, consent, thank-you message, submit
// label) are the builder's.
type texts struct {
	Submit, ThankYou, CheckMail, ConfirmTitle, ConfirmButton, Errors, TooMany, Honeypot string
	// MailSubject and MailText are formats of the form's name, then of the
	// name and the link.
	MailSubject, MailText string
}

// textsByLanguage are the texts per primary language subtag; English
// is the default.
var textsByLanguage = map[string]texts{
	"en": {Submit: "Submit", ThankYou: "Thank you.", CheckMail: "Almost done: we have sent you a mail with a link to confirm your submission.",
		ConfirmTitle: "Confirm your submission", ConfirmButton: "Confirm", Errors: "Please correct the following:",
		TooMany: "Too many submissions from your address. Please try again in a few minutes.", Honeypot: "Leave this field empty",
		MailSubject: "Please confirm your submission: %s",
		MailText:    "Someone, hopefully you, submitted the form \u201c%s\u201d with this address.\n\nTo confirm it, open this link:\n%s\n\nIf it was not you, ignore this mail: nothing will follow.\n"},
	"zh": {Submit: "提交", ThankYou: "谢谢！", CheckMail: "还差一步：我们已向您发送了一封邮件，请点击其中的链接确认您的提交。",
		ConfirmTitle: "确认您的提交", ConfirmButton: "确认", Errors: "请更正以下内容：", TooMany: "您的地址提交次数过多，请几分钟后再试。",
		Honeypot: "请勿填写此字段", MailSubject: "请确认您的提交：%s",
		MailText: "有人（希望是您）使用此地址提交了表单\u201c%s\u201d。\n\n请打开以下链接确认：\n%s\n\n如果不是您本人，请忽略此邮件，我们不会再联系您。\n"},
}

// textsOf returns the texts of the language tag lang.
func textsOf(lang string) texts {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if t, ok := textsByLanguage[primary]; ok {
		return t
	}
	return textsByLanguage["en"]
}

// fieldView is an input as the form's markup shows it.
type fieldView struct {
	ID, Key, Label, Kind, InputType, Autocomplete, Value, Error string
	Required, Checked                                           bool
	Options                                                     []string
}

// formView is a form's markup: its fields with the values posted and
// their errors.
type formView struct {
	Action, Submit, Honeypot, HoneypotID string
	Fields                               []fieldView
	Summary                              []string
	ErrorsTitle                          string
}

// pageView is a hosted page: a form, a message or a confirmation button.
type pageView struct {
	Lang, Title, Message string
	Alert                bool
	Form                 *formView
	ConfirmButton        string
}

// The autocomplete tokens of the lead's fields.
var autocomplete = map[string]string{"firstName": "given-name", "lastName": "family-name", "company": "organization",
	"title": "organization-title", "email": "email", "phone": "tel"}

// newFormView is the markup of f posting to action, showing in's values
// and the errors of fields (by key).
func newFormView(f Form, action string, in Input, fields map[string]string) *formView {
	t := textsOf(f.Language)
	prefix := "rf-" + f.ID[max(0, len(f.ID)-8):] + "-"
	v := &formView{Action: action, Submit: f.SubmitLabel, Honeypot: t.Honeypot, HoneypotID: prefix + HoneypotKey, ErrorsTitle: t.Errors}
	if v.Submit == "" {
		v.Submit = t.Submit
	}
	for _, fd := range f.Fields {
		fv := fieldView{ID: prefix + fd.Key, Key: fd.Key, Label: fd.Label, Kind: fd.Type, InputType: fd.Type, Required: fd.Required,
			Options: fd.Options, Value: in.Values[fd.Key], Error: fields[fd.Key], Autocomplete: autocomplete[fd.MapsTo]}
		fv.Checked, _ = checked(fv.Value)
		switch fd.Type {
		case TypePhone:
			fv.InputType = "tel"
		case TypeTextarea, TypeSelect, TypeCheckbox:
			fv.InputType = ""
		}
		v.Fields = append(v.Fields, fv)
	}
	if c := f.Consent; c != nil {
		fv := fieldView{ID: prefix + ConsentKey, Key: ConsentKey, Label: c.Text, Kind: TypeCheckbox, Required: c.Required, Error: fields[ConsentKey]}
		fv.Checked, _ = checked(in.Values[ConsentKey])
		v.Fields = append(v.Fields, fv)
	}
	for _, fv := range v.Fields {
		if fv.Error != "" {
			v.Summary = append(v.Summary, fv.Label+": "+fv.Error)
		}
	}
	for key, reason := range fields {
		if !known(f, key) {
			v.Summary = append(v.Summary, key+": "+reason)
		}
	}
	return v
}

// known reports whether key is an input of f's markup.
func known(f Form, key string) bool {
	if key == ConsentKey && f.Consent != nil {
		return true
	}
	return f.fieldByKey(key) != nil
}

// fieldByKey returns f's field key, or nil.
func (f *Form) fieldByKey(key string) *Field {
	for i := range f.Fields {
		if f.Fields[i].Key == key {
			return &f.Fields[i]
		}
	}
	return nil
}

// pages are the hosted page and the snippet's markup.
var pages = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}
label{display:block;font-weight:600;margin-top:1rem}
input,select,textarea{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #595959;border-radius:4px}
.check{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}.check input{width:auto;margin-top:.35rem}.check label{margin:0;font-weight:normal}
.error{color:#a50000}button{margin-top:1.5rem;padding:.6rem 1.4rem;font:inherit;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #ffbf47;outline-offset:1px}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Message}}<p {{if .Alert}}role="alert" class="error"{{else}}role="status"{{end}}>{{.Message}}</p>{{end}}
{{with .Form}}{{template "form" .}}{{end}}
{{if .ConfirmButton}}<form method="post"><button type="submit">{{.ConfirmButton}}</button></form>{{end}}
</main>
</body>
</html>
{{define "form"}}<form method="post" action="{{.Action}}" accept-charset="utf-8">
{{if .Summary}}<div role="alert" class="error"><p>{{.ErrorsTitle}}</p><ul>{{range .Summary}}<li>{{.}}</li>{{end}}</ul></div>
{{end}}{{range .Fields}}{{if eq .Kind "checkbox"}}<div class="check">
<input type="checkbox" id="{{.ID}}" name="{{.Key}}" value="true"{{if .Checked}} checked{{end}}{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true" aria-describedby="{{.ID}}-error"{{end}}>
<label for="{{.ID}}">{{.Label}}</label>
</div>
{{else}}<div>
<label for="{{.ID}}">{{.Label}}{{if .Required}} *{{end}}</label>
{{if eq .Kind "textarea"}}<textarea id="{{.ID}}" name="{{.Key}}" rows="5"{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true" aria-describedby="{{.ID}}-error"{{end}}>{{.Value}}</textarea>
{{else if eq .Kind "select"}}{{$value := .Value}}<select id="{{.ID}}" name="{{.Key}}"{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true" aria-describedby="{{.ID}}-error"{{end}}>
<option value=""></option>{{range .Options}}<option{{if eq . $value}} selected{{end}}>{{.}}</option>{{end}}
</select>
{{else}}<input type="{{.InputType}}" id="{{.ID}}" name="{{.Key}}" value="{{.Value}}"{{if .Autocomplete}} autocomplete="{{.Autocomplete}}"{{end}}{{if .Required}} required{{end}}{{if .Error}} aria-invalid="true" aria-describedby="{{.ID}}-error"{{end}}>
{{end}}</div>
{{end}}{{if .Error}}<p id="{{.ID}}-error" class="error">{{.Error}}</p>
{{end}}{{end}}<div style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden" aria-hidden="true">
<label for="{{.HoneypotID}}">{{.Honeypot}}</label>
<input type="text" id="{{.HoneypotID}}" name="website" value="" tabindex="-1" autocomplete="off">
</div>
<button type="submit">{{.Submit}}</button>
</form>
{{end}}`))

// iframeTemplate is the iframe alternative of the snippet.
var iframeTemplate = template.Must(template.New("iframe").Parse(
	`<iframe src="{{.URL}}" title="{{.Title}}" width="100%" height="{{.Height}}" style="border:0" loading="lazy"></iframe>`))

// render executes the template name of pages on data.
func render(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render form page: %w", err)
	}
	return buf.Bytes(), nil
}

// formPage is the hosted page of f (posting to itself) with in's values,
// the errors of fields and an alert message.
func formPage(f Form, in Input, fields map[string]string, alert string) ([]byte, error) {
	return render("page", pageView{Lang: f.Language, Title: f.Name, Message: alert, Alert: alert != "", Form: newFormView(f, "", in, fields)})
}

// messagePage is a page of f with message alone.
func messagePage(f Form, message string) ([]byte, error) {
	return render("page", pageView{Lang: f.Language, Title: f.Name, Message: message})
}

// confirmPage is the page of f offering to confirm a pending submission.
func confirmPage(f Form) ([]byte, error) {
	t := textsOf(f.Language)
	return render("page", pageView{Lang: f.Language, Title: t.ConfirmTitle, Message: f.Name, ConfirmButton: t.ConfirmButton})
}

// renderSnippet is the form's markup posting to url, for a page of the
// tenant's own.
func renderSnippet(f Form, url string) (string, error) {
	b, err := render("form", newFormView(f, url, Input{}, nil))
	return string(b), err
}

// renderIFrame is the iframe of the hosted page at url.
func renderIFrame(f Form, url string) (string, error) {
	var buf bytes.Buffer
	err := iframeTemplate.Execute(&buf, map[string]any{"URL": url, "Title": f.Name, "Height": 240 + 90*len(f.Fields)})
	return buf.String(), err
}

// confirmationMail is the mail asking to to confirm a submission of f
// through link.
func confirmationMail(f Form, to, link string) (letter, error) {
	t := textsOf(f.Language)
	l := letter{To: to, Subject: fmt.Sprintf(t.MailSubject, f.Name), Text: fmt.Sprintf(t.MailText, f.Name, link)}
	var buf bytes.Buffer
	err := mailTemplate.Execute(&buf, map[string]string{"Lang": f.Language, "Title": t.ConfirmTitle, "Text": fmt.Sprintf(t.MailText, f.Name, ""),
		"Link": link, "Button": t.ConfirmButton})
	l.HTML = buf.String()
	return l, err
}

// mailTemplate is the HTML part of the confirmation mail.
var mailTemplate = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family:sans-serif;line-height:1.5"><p style="white-space:pre-line">{{.Text}}</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:.6rem 1.4rem;background:#0b57d0;color:#fff;text-decoration:none;border-radius:4px">{{.Button}}</a></p>
</body></html>
`))
