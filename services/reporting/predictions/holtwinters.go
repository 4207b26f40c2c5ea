package predictions

import "math"

// Holt-Winters additive exponential smoothing: a level, a trend and an
// additive season of m periods, each updated by its smoothing constant
// (alpha, beta, gamma) chosen from a grid by the least squared one-step
// errors over the series. Forecasts below zero are zero (counts).

// hwGrid are the smoothing constants tried, each for alpha, beta and gamma.
var (
	hwAlphas = []float64{0.1, 0.2, 0.3, 0.5, 0.7, 0.9}
	hwBetas  = []float64{0, 0.05, 0.1, 0.2}
	hwGammas = []float64{0.05, 0.1, 0.3, 0.5}
)

// holtWinters is a fitted model: the state after the series' last period.
type holtWinters struct {
	level, trend float64
	season       []float64 // season[i] is the seasonal term of period (n + i) mod m after the series' n periods
}

// fitHoltWinters fits y (at least 2m periods) with season m and returns
// the model of the best constants of the grid.
func fitHoltWinters(y []float64, m int) holtWinters {
	var best holtWinters
	bestSSE := math.Inf(1)
	for _, a := range hwAlphas {
		for _, b := range hwBetas {
			for _, g := range hwGammas {
				hw, sse := runHoltWinters(y, m, a, b, g)
				if sse < bestSSE {
					best, bestSSE = hw, sse
				}
			}
		}
	}
	return best
}

// runHoltWinters smooths y with the constants a, b, g, starting from the
// first two seasons (level: the first season's mean; trend: the change of
// the mean per period between the first two; season: the first season's
// deviations), and returns the state and the squared one-step errors
// after the first season.
func runHoltWinters(y []float64, m int, a, b, g float64) (holtWinters, float64) {
	level := mean(y[:m])
	trend := (mean(y[m:2*m]) - level) / float64(m)
	season := make([]float64, m)
	for i := range m {
		season[i] = y[i] - level
	}
	sse := 0.0
	for t := m; t < len(y); t++ {
		s := season[t%m]
		f := level + trend + s
		sse += (y[t] - f) * (y[t] - f)
		prev := level
		level = a*(y[t]-s) + (1-a)*(level+trend)
		trend = b*(level-prev) + (1-b)*trend
		season[t%m] = g*(y[t]-level) + (1-g)*s
	}
	n := len(y)
	ahead := make([]float64, m)
	for i := range m {
		ahead[i] = season[(n+i)%m]
	}
	return holtWinters{level: level, trend: trend, season: ahead}, sse
}

// forecast returns the next h periods, none below zero.
func (hw holtWinters) forecast(h int) []float64 {
	out := make([]float64, h)
	for i := range h {
		out[i] = math.Max(0, hw.level+float64(i+1)*hw.trend+hw.season[i%len(hw.season)])
	}
	return out
}

// mean is the mean of xs (non-empty).
func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
