package privacy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// The placeholders of what an erasure redacts: Redacted stands for a name,
// an address or a number in a text or a list, ErasedAddress for an email
// address where one is required (an email's sender and recipients).
const (
	Redacted      = "[erased]"
	ErasedAddress = "erased@erased.invalid"
)

// person is what identifies a person in the service: the ids of their
// contact and of the contacts merged into it, their email addresses
// (lower-cased), phone numbers (E.164, and as they were typed) and names.
type person struct {
	contacts []string
	emails   []string
	phones   []string
	numbers  []string
	names    []string
	terms    []term // all of them, to find in texts (scrub)
}

// term is a name, an address or a number to find in a text, in any case;
// whole says it counts only as a whole word.
type term struct {
	re    *regexp.Regexp
	whole bool
}

// personOf returns the person of cs, a contact and those merged into it.
func personOf(cs []*customer.Contact) person {
	var p person
	add := func(list *[]string, v string) {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, c := range cs {
		add(&p.contacts, c.ID)
		for _, e := range c.Emails {
			add(&p.emails, strings.ToLower(e.Address))
		}
		for _, ph := range c.Phones {
			add(&p.phones, ph.E164)
			add(&p.numbers, ph.Number)
		}
		for _, n := range []string{c.DisplayName, strings.TrimSpace(c.FirstName + " " + c.LastName), c.FirstName, c.LastName} {
			if utf8.RuneCountInString(strings.TrimSpace(n)) >= 2 {
				add(&p.names, n)
			}
		}
	}
	words := p.words()
	// Longest first, so that "Ada Lovelace" goes whole before "Ada".
	slices.SortStableFunc(words, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	for _, w := range words {
		p.terms = append(p.terms, term{re: regexp.MustCompile(`(?i)` + regexp.QuoteMeta(w)), whole: !unspaced(w)})
	}
	return p
}

// words are the person's names, addresses and numbers.
func (p person) words() []string { return slices.Concat(p.names, p.emails, p.phones, p.numbers) }

// redact returns a with what names the person redacted, and whether
// anything was. An activity about the person (its contact is theirs) loses
// its subject, its body, a meeting's location and a call's recording; any
// other keeps them with the person's names, addresses and numbers replaced
// by Redacted. In either, the person's addresses, numbers and attendance
// are replaced (an email's by ErasedAddress, a call's numbers removed, an
// attendee kept as their contact or Redacted), and a call or email
// involving them loses its recording and Message-ID. What the activity is,
// when it happened, how it ended and whose it is stay.
func (p person) redact(a activities.Activity) (activities.Activity, bool) {
	out := clone(a)
	about := a.ContactID != nil && slices.Contains(p.contacts, *a.ContactID)
	if about {
		out.Subject, out.Body = "", ""
	} else {
		out.Subject, out.Body = scrub(out.Subject, p.terms), scrub(out.Body, p.terms)
	}
	switch {
	case out.Call != nil:
		p.redactCall(out.Call, about)
	case out.Email != nil:
		p.redactEmail(out.Email, about)
	case out.Meeting != nil:
		p.redactMeeting(out.Meeting, about)
	}
	changed, err := events.ChangedFields(a, out)
	return out, err == nil && len(changed) > 0
}

// redactCall removes the person's numbers from c — on a call about them
// also the number on their side (the caller of an inbound call, the called
// of an outbound one), which may be one the contact never had — and its
// recording, which is their voice.
func (p person) redactCall(c *activities.Call, about bool) {
	theirs := func(number, e164 string) bool {
		return e164 != "" && slices.Contains(p.phones, e164) || number != "" && slices.Contains(p.numbers, number)
	}
	from := about && c.Direction == "inbound" || theirs(c.From, c.FromE164)
	to := about && c.Direction == "outbound" || theirs(c.To, c.ToE164)
	if from {
		c.From, c.FromE164 = "", ""
	}
	if to {
		c.To, c.ToE164 = "", ""
	}
	if about || from || to {
		c.RecordingURL = ""
	}
}

// redactEmail replaces the person's addresses in e by ErasedAddress and
// removes the Message-ID of an email they sent or received.
func (p person) redactEmail(e *activities.Email, about bool) {
	involved := about
	replace := func(addr string) string {
		if slices.Contains(p.emails, strings.ToLower(addr)) {
			involved = true
			return ErasedAddress
		}
		return addr
	}
	e.From = replace(e.From)
	for _, list := range []*[]string{&e.To, &e.Cc} {
		var kept []string
		for _, addr := range *list {
			if addr = replace(addr); addr != ErasedAddress || !slices.Contains(kept, addr) {
				kept = append(kept, addr)
			}
		}
		*list = kept
	}
	if involved {
		e.MessageID = ""
	}
}

// redactMeeting keeps the person's attendance as their contact alone (or
// Redacted when they attended by name or address) and removes the location
// of a meeting about them, which may be their home.
func (p person) redactMeeting(m *activities.Meeting, about bool) {
	for i, at := range m.Attendees {
		mine := at.ContactID != nil && slices.Contains(p.contacts, *at.ContactID) ||
			at.Email != "" && slices.Contains(p.emails, strings.ToLower(at.Email)) ||
			at.Name != "" && slices.ContainsFunc(p.names, func(n string) bool { return strings.EqualFold(n, at.Name) })
		switch {
		case !mine:
			at.Name = scrub(at.Name, p.terms)
		case at.ContactID != nil && slices.Contains(p.contacts, *at.ContactID):
			at.Name, at.Email = "", ""
		default:
			at.ContactID, at.Name, at.Email = nil, Redacted, ""
		}
		m.Attendees[i] = at
	}
	if about {
		m.Location = ""
	} else {
		m.Location = scrub(m.Location, p.terms)
	}
}

// clone returns a deep copy of a (its lists and objects are not shared).
func clone(a activities.Activity) activities.Activity {
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // an Activity is plain data: it always encodes
	}
	var out activities.Activity
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// scrub replaces in text every occurrence of one of terms by Redacted. A
// term in a script written with spaces between words (Latin, Cyrillic) is
// replaced only as a whole word ("Ann" in "Ann's", not in "Annual"); one in
// a script without them (Han, kana, Hangul, Thai) wherever it occurs.
func scrub(text string, terms []term) string {
	for _, t := range terms {
		if text == "" {
			return text
		}
		var sb strings.Builder
		last := 0
		for _, m := range t.re.FindAllStringIndex(text, -1) {
			if t.whole && (wordRuneBefore(text, m[0]) || wordRuneAfter(text, m[1])) {
				continue
			}
			sb.WriteString(text[last:m[0]])
			sb.WriteString(Redacted)
			last = m[1]
		}
		sb.WriteString(text[last:])
		text = sb.String()
	}
	return text
}

// unspaced reports whether s holds a letter of a script written without
// spaces between words.
func unspaced(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) {
			return true
		}
	}
	return false
}

// wordRuneBefore and wordRuneAfter report whether a letter or digit is
// next to the byte offset i of text.
func wordRuneBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func wordRuneAfter(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return i < len(text) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
