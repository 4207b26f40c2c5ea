package templates

import (
	"errors"
	"mime"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestRenderFillsFieldsWithDefaultsAndFilters(t *testing.T) {
	tpl := Template{Channel: ChannelEmail,
		Subject: `Hello {{contact.firstName | default: "there" | upper}}`,
		HTML:    `<p>Hi {{ contact.firstName | capitalize }} from {{contact.city|default:"your town"}}</p><a href="{{unsubscribeUrl}}">stop</a>`,
		Text:    `Hi {{contact.lastName | lower}}, {{contact.customFields.plan | default: ""}}.`}
	fields := map[string]string{"contact.firstName": "ada <b>", "contact.lastName": "LOVELACE",
		"unsubscribeUrl": "https://x.test/u/t?a=1&b=2"}
	r, err := tpl.Render(fields)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	want := Rendered{Subject: "Hello ADA <B>",
		HTML: `<p>Hi Ada &lt;b&gt; from your town</p><a href="https://x.test/u/t?a=1&amp;b=2">stop</a>`,
		Text: "Hi lovelace, ."}
	if r != want {
		t.Errorf("Render got %+v, want %+v", r, want)
	}
	r, err = tpl.Render(map[string]string{"contact.lastName": "x", "unsubscribeUrl": "u"})
	if err == nil || r.Subject != "" {
		t.Fatalf("Render with no first name got %+v, %v; want the first name unresolved", r, err)
	}
}

func TestRenderRefusesUnresolvedFields(t *testing.T) {
	tpl := Template{Channel: ChannelEmail, Subject: "{{contact.firstName}}", HTML: "{{contact.city}} {{contact.firstName}}",
		Text: `{{contact.country | default: "-"}}`}
	_, err := tpl.Render(map[string]string{"contact.city": ""})
	if !errors.Is(err, ErrUnresolved) {
		t.Fatalf("Render got %v, want ErrUnresolved", err)
	}
	e, _ := errs.As(err)
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != "contact.firstName,contact.city" {
		t.Errorf("unresolved fields got %v, want contact.firstName, contact.city", got)
	}
	_, unresolved, err := tpl.render(nil)
	if err != nil || len(unresolved) != 2 {
		t.Errorf("render got %v, %v; want two unresolved and no error", unresolved, err)
	}
}

func TestParseRefusesMalformedTagsSayingWhere(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Hi {{contact.firstName", `line 1, column 4: "{{" is not closed`},
		{"Hi\n  contact.firstName}}", `line 2, column 20: "}}" with no "{{"`},
		{"{{ {{contact.email}} }}", `line 1, column 1: "{{" is not closed`},
		{"a {{ }}", "line 1, column 3: empty merge tag"},
		{"{{contact.shoeSize}}", `unknown merge field "contact.shoeSize"`},
		{"{{contact.email | shout}}", `unknown filter "shout"`},
		{"{{contact.email | default}}", "filter default needs a value"},
		{"{{contact.email | default: there}}", "must be a quoted string"},
		{`{{contact.email | upper: "x"}}`, "filter upper takes no value"},
	}
	for _, tt := range tests {
		_, err := parse(tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse(%q) got %v, want an error containing %q", tt.text, err, tt.want)
		}
	}
	segs, err := parse(`{{contact.customFields.plan | default: "a | b \" c"}}`)
	if err != nil || len(segs) != 1 || segs[0].tag.filters[0].arg != `a | b " c` {
		t.Errorf("parse of a quoted pipe got %+v, %v", segs, err)
	}
}

func TestSMSCount(t *testing.T) {
	tests := []struct {
		body     string
		segments int
		encoding string
	}{
		{"", 0, EncodingGSM7},
		{strings.Repeat("a", 160), 1, EncodingGSM7},
		{strings.Repeat("a", 161), 2, EncodingGSM7},
		{strings.Repeat("a", 306), 2, EncodingGSM7},
		{strings.Repeat("a", 307), 3, EncodingGSM7},
		{strings.Repeat("€", 80), 1, EncodingGSM7},                                  // 160 septets
		{strings.Repeat("€", 81), 2, EncodingGSM7},                                  // 162 septets
		{strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), 2, EncodingGSM7}, // € moves to part 2
		{strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), 3, EncodingGSM7},
		{"Grüße àé", 1, EncodingGSM7},
		{strings.Repeat("中", 70), 1, EncodingUCS2},
		{strings.Repeat("中", 71), 2, EncodingUCS2},
		{strings.Repeat("中", 134), 2, EncodingUCS2},
		{strings.Repeat("中", 135), 3, EncodingUCS2},
		{"ok 😀", 1, EncodingUCS2},
		{strings.Repeat("a", 68) + "😀", 1, EncodingUCS2}, // 70 code units
		{strings.Repeat("a", 69) + "😀", 2, EncodingUCS2}, // 71 code units
	}
	for _, tt := range tests {
		n, enc := SMSCount(tt.body)
		if n != tt.segments || enc != tt.encoding {
			t.Errorf("SMSCount(%d runes %.10q) got %d %s, want %d %s", len([]rune(tt.body)), tt.body, n, enc, tt.segments, tt.encoding)
		}
	}
	r, err := Template{Channel: ChannelSMS, Body: "你好 {{contact.firstName}}"}.Render(map[string]string{"contact.firstName": "王"})
	if err != nil || r.Body != "你好 王" || r.SMSSegments != 1 || r.SMSEncoding != EncodingUCS2 {
		t.Errorf("SMS render got %+v, %v", r, err)
	}
}

func TestEncodeSubjectRoundTrips(t *testing.T) {
	var dec mime.WordDecoder
	for _, s := range []string{"Plain subject", "Grüße aus Köln", "春季促销：全场八折，欢迎选购我们的新产品系列，优惠仅限本周末，先到先得！",
		"Mixed 中文 and English with a long tail to force several encoded words in one header line", "line\r\nBcc: x@y.test"} {
		enc := EncodeSubject(s)
		for _, r := range enc {
			if r > 0x7e || r < ' ' {
				t.Fatalf("EncodeSubject(%q) = %q has a non-printable or non-ASCII character", s, enc)
			}
		}
		got, err := dec.DecodeHeader(enc)
		if err != nil || got != s {
			t.Errorf("DecodeHeader(EncodeSubject(%q)) = %q, %v", s, got, err)
		}
	}
	if got := EncodeSubject("Plain subject"); got != "Plain subject" {
		t.Errorf("ASCII subject got %q, want it as is", got)
	}
}
