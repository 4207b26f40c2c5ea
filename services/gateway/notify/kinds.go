package notify

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kind is a kind of notification: its name (what the console's catalogue
// keys its text by), whether a user gets it in the console and by email
// until they say otherwise, and its email's subject and text per language
// ("en", "zh-CN"), where {param} stands for the notification's param.
type Kind struct {
	Name         string
	InApp, Email bool
	Subject      map[string]string
	Text         map[string]string
}

// The kinds of notification of the contacts and sales services; support
// adds its own (case assigned, SLA warning) with Register.
const (
	KindTaskReminder     = "task.reminder"
	KindLeadAssigned     = "lead.assigned"
	KindRecordAssigned   = "record.assigned"
	KindApprovalRequired = "quote.approval_requested"
	KindQuoteApproved    = "quote.approved"
	KindQuoteRejected    = "quote.rejected"
	KindNoteMention      = "note.mention"
)

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// Register adds k to the kinds; a second kind of the same name, or one
// without an English subject and text, is a programming error and panics.
func Register(k Kind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[k.Name]; dup || k.Name == "" || k.Subject["en"] == "" || k.Text["en"] == "" {
		panic(fmt.Sprintf("notify: kind %q registered twice or without English texts", k.Name))
	}
	kinds[k.Name] = k
}

// lookupKind returns the kind of name.
func lookupKind(name string) (Kind, bool) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	k, ok := kinds[name]
	return k, ok
}

// Kinds returns every registered kind, by name.
func Kinds() []Kind {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// render returns k's subject and text in lang (English when k has none in
// lang) with params filled in.
func (k Kind) render(lang string, params map[string]string) (subject, text string) {
	subject, text = k.Subject[lang], k.Text[lang]
	if subject == "" || text == "" {
		subject, text = k.Subject["en"], k.Text["en"]
	}
	pairs := make([]string, 0, 2*len(params))
	for name, v := range params {
		pairs = append(pairs, "{"+name+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace(subject), r.Replace(text)
}

// emailLanguage is the language of the emails to a user of locale: zh-CN
// for any Chinese locale, else English.
func emailLanguage(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return "zh-CN"
	}
	return "en"
}

func init() {
	for _, k := range []Kind{
		{Name: KindTaskReminder, InApp: true, Email: true,
			Subject: map[string]string{"en": "Reminder: {subject}", "zh-CN": "提醒：{subject}"},
			Text:    map[string]string{"en": "Your {type} “{subject}” is due at {due}.", "zh-CN": "您的{type}“{subject}”将于 {due} 到期。"}},
		{Name: KindLeadAssigned, InApp: true, Email: true,
			Subject: map[string]string{"en": "Lead assigned to you: {name}", "zh-CN": "分配给您的线索：{name}"},
			Text:    map[string]string{"en": "The lead {name} is now yours.", "zh-CN": "线索 {name} 已分配给您。"}},
		{Name: KindRecordAssigned, InApp: true, Email: false,
			Subject: map[string]string{"en": "Assigned to you: {name}", "zh-CN": "分配给您：{name}"},
			Text:    map[string]string{"en": "The {entity} {name} is now yours.", "zh-CN": "{entity} {name} 已分配给您。"}},
		{Name: KindApprovalRequired, InApp: true, Email: true,
			Subject: map[string]string{"en": "Approval needed: quote {number}", "zh-CN": "待审批：报价单 {number}"},
			Text:    map[string]string{"en": "{actor} asks you to approve the quote {number} “{name}” ({total}).", "zh-CN": "{actor} 请您审批报价单 {number}“{name}”（{total}）。"}},
		{Name: KindQuoteApproved, InApp: true, Email: true,
			Subject: map[string]string{"en": "Quote {number} approved", "zh-CN": "报价单 {number} 已批准"},
			Text:    map[string]string{"en": "{actor} approved your quote {number} “{name}”.", "zh-CN": "{actor} 批准了您的报价单 {number}“{name}”。"}},
		{Name: KindQuoteRejected, InApp: true, Email: true,
			Subject: map[string]string{"en": "Quote {number} rejected", "zh-CN": "报价单 {number} 被驳回"},
			Text:    map[string]string{"en": "{actor} rejected your quote {number} “{name}”: {comment}", "zh-CN": "{actor} 驳回了您的报价单 {number}“{name}”：{comment}"}},
		{Name: KindNoteMention, InApp: true, Email: true,
			Subject: map[string]string{"en": "{actor} mentioned you", "zh-CN": "{actor} 提到了您"},
			Text:    map[string]string{"en": "{actor} mentioned you in a note: {excerpt}", "zh-CN": "{actor} 在备注中提到了您：{excerpt}"}},
	} {
		Register(k)
	}
}
