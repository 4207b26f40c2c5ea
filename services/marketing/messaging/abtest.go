package messaging

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// msgHeld is a message of a send's A/B test outside its test share: it
// waits until the test has a winner, then goes out (queued) with the
// winner's content. A send's counts count it as queued.
const msgHeld = "held"

// The metrics an A/B test is decided by.
const (
	MetricOpen  = "open"  // the share of sent messages opened (by a person)
	MetricClick = "click" // the share of sent messages with a click (by a person)
)

// How an A/B test's winner was chosen.
const (
	DecidedBySignificance = "significance" // the test was significant at MinConfidence
	DecidedByDeadline     = "deadline"     // DecideAt came first: the best rate (ties: the first variant)
)

// Bounds of an A/B test.
const (
	minVariants = 2
	maxVariants = 4
	// DefaultMinConfidence is MinConfidence when it is left out.
	DefaultMinConfidence = 0.95
	maxVariantName       = 40
	maxVariantSubject    = 998
)

// ABTest is a send's A/B test: two to four variants sent to TestShare
// percent of its recipients (a deterministic random split, the variants
// in turn), the winner chosen by Metric when the test is significant at
// MinConfidence or else at DecideAt, then sent to the rest.
type ABTest struct {
	Variants      []Variant `json:"variants"`
	TestShare     int       `json:"testShare"`
	Metric        string    `json:"metric"`
	DecideAt      time.Time `json:"decideAt"`
	MinConfidence float64   `json:"minConfidence"`
}

// Variant is a variant of an A/B test: a template of the send's channel
// (TemplateID, "" for the send's own) and for email a subject instead of
// the template's (Subject, "" for the template's); one of them at least.
type Variant struct {
	Name       string `json:"name"`
	TemplateID string `json:"templateId,omitempty"`
	Subject    string `json:"subject,omitempty"`
}

// withDefaults is a with its defaults: Metric open, MinConfidence
// DefaultMinConfidence, a variant without a name named A, B, C or D by
// its place, and DecideAt to the second in UTC.
func (a ABTest) withDefaults() ABTest {
	if a.Metric == "" {
		a.Metric = MetricOpen
	}
	if a.MinConfidence == 0 {
		a.MinConfidence = DefaultMinConfidence
	}
	a.Variants = append([]Variant(nil), a.Variants...)
	for i := range a.Variants {
		if a.Variants[i].Name = strings.TrimSpace(a.Variants[i].Name); a.Variants[i].Name == "" && i < maxVariants {
			a.Variants[i].Name = string(rune('A' + i))
		}
	}
	a.DecideAt = a.DecideAt.UTC().Truncate(time.Second)
	return a
}

// check validates a (with its defaults) for a send on channel starting at
// start, naming every bad field under abTest/.
func (a ABTest) check(v *errs.Validator, channel string, start time.Time) {
	v.Check(len(a.Variants) >= minVariants && len(a.Variants) <= maxVariants, "abTest/variants", "must be 2 to 4 variants")
	v.Check(a.TestShare >= 1 && a.TestShare <= 100, "abTest/testShare", "must be a percentage from 1 to 100")
	v.Check(a.Metric == MetricOpen || a.Metric == MetricClick, "abTest/metric", "must be open or click")
	v.Check(a.Metric != MetricOpen || channel != templates.ChannelSMS, "abTest/metric", "an SMS has no opens: use click")
	v.Check(a.MinConfidence > 0.5 && a.MinConfidence < 1, "abTest/minConfidence", "must be above 0.5 and below 1")
	v.Check(a.DecideAt.After(start), "abTest/decideAt", "must be after the send starts")
	seen := map[string]bool{}
	for i, x := range a.Variants {
		at := fmt.Sprintf("abTest/variants/%d/", i)
		v.Check(x.Name != "" && len(x.Name) <= maxVariantName, at+"name", "must be 1 to 40 characters")
		v.Check(!seen[x.Name], at+"name", "must differ from the other variants' names")
		seen[x.Name] = true
		v.Check(x.TemplateID != "" || x.Subject != "", at+"templateId", "a variant needs a template or a subject")
		v.Check(x.TemplateID == "" || ids.Valid(x.TemplateID), at+"templateId", "must be a template's id")
		if x.Subject == "" {
			continue
		}
		v.Check(channel != templates.ChannelSMS, at+"subject", "an SMS has no subject")
		v.Check(len(x.Subject) <= maxVariantSubject && !strings.ContainsAny(x.Subject, "\r\n"), at+"subject",
			"must be one line of at most 998 bytes")
		_, err := templates.Template{Subject: x.Subject}.Render(nil)
		v.Check(err == nil || errors.Is(err, templates.ErrUnresolved), at+"subject", "has a malformed merge tag")
	}
}

// variant is the variant of a named name (false when a has none).
func (a ABTest) variant(name string) (Variant, bool) {
	for _, x := range a.Variants {
		if x.Name == name {
			return x, true
		}
	}
	return Variant{}, false
}

// names are the names of a's variants, in order.
func (a ABTest) names() []string {
	out := make([]string, len(a.Variants))
	for i, x := range a.Variants {
		out[i] = x.Name
	}
	return out
}

// startOf is when a send scheduled at scheduled (nil: none) starts: then
// or now, whichever is later.
func startOf(scheduled *time.Time) time.Time {
	now := time.Now()
	if scheduled != nil && scheduled.After(now) {
		return *scheduled
	}
	return now
}
