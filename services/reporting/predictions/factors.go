package predictions

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Factor is one of the features that weighed most in a prediction: its
// name, its value for the record, its effect on the log-odds (the
// coefficient times the standardised value: positive raises the
// probability) and a sentence a manager reads.
type Factor struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`
	Effect  float64 `json:"effect"`
	Text    string  `json:"text"`
}

// topFactors is how many factors a prediction names.
const topFactors = 3

// feature describes a model's feature to a manager: phrase says what its
// raw value is against the usual one ("well above usual", …) and one-hot
// features (a lead source) say yes or no instead.
type feature struct {
	Name   string
	phrase func(value float64, relative string) string
}

// relative words a standardised value: how far from the usual it is.
func relative(z float64) string {
	switch {
	case z >= 1.5:
		return "well above usual"
	case z > 0:
		return "above usual"
	case z <= -1.5:
		return "well below usual"
	}
	return "below usual"
}

// factors returns the topFactors features of the standardised row z (raw
// values x) with the largest effects under m, strongest first; outcome
// words what a higher probability is ("chance" of winning, "risk" of
// churning). Features without effect are left out.
func factors(features []feature, m logit, x, z []float64, outcome string) []Factor {
	out := make([]Factor, 0, len(features))
	for j, f := range features {
		effect := m.Coef[j] * z[j]
		if math.Abs(effect) < 1e-6 {
			continue
		}
		way := "lowers the " + outcome
		if effect > 0 {
			way = "raises the " + outcome
		}
		out = append(out, Factor{Feature: f.Name, Value: round(x[j], 4), Effect: round(effect, 4),
			Text: f.phrase(x[j], relative(z[j])) + " — " + way})
	}
	slices.SortStableFunc(out, func(a, b Factor) int { return cmp.Compare(math.Abs(b.Effect), math.Abs(a.Effect)) })
	return out[:min(len(out), topFactors)]
}

// round rounds v to places decimals.
func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// count words a count feature: "3 stage moves so far, above usual".
func count(what string) func(float64, string) string {
	return func(v float64, rel string) string { return fmt.Sprintf("%g %s, %s", v, what, rel) }
}

// level words a feature whose raw value means little to a reader:
// "Amount well above usual".
func level(what string) func(float64, string) string {
	return func(_ float64, rel string) string { return what + " " + rel }
}

// oneHot words a yes/no feature: yes when the value is 1.
func oneHot(yes, no string) func(float64, string) string {
	return func(v float64, _ string) string {
		if v == 1 {
			return yes
		}
		return no
	}
}
