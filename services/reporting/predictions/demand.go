package predictions

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// The demand forecast: per queue, the cases created per ISO week (UTC,
// Monday) over the complete weeks since the queue's first case, forecast
// by Holt-Winters additive smoothing (holtwinters.go). The season is a
// year (52 weeks) once the training part holds two years, else four weeks
// (a month's cycle: with less than two years a yearly season cannot be
// estimated, and four weeks needs only 8 weeks to start from). The last
// demandHeldOut weeks are held out: the model fitted on the weeks before
// them forecasts them, and the error (MAE; MAPE over the weeks with
// cases) is reported; the forecast of the next demandAhead weeks is of
// the model fitted on every week. Cases without a queue are not
// forecast; deleted and merged-away ones do not count.

// The weeks held out, forecast ahead, and the history a queue needs.
const (
	demandHeldOut  = 4
	demandAhead    = 8
	demandMinWeeks = 12
	demandYear     = 52
	demandMonth    = 4
	demandPrefix   = "demand-hw-"
	demandMethod   = "holt-winters-additive"
	demandMetric   = "MAE"
	week           = 7 * 24 * time.Hour
)

// weekCount is the cases of a queue created in the week starting Week.
type weekCount struct {
	Queue string    `db:"queue_id"`
	Week  time.Time `db:"week"`
	Cases float64   `db:"cases"`
}

// demandOutcome is a training of the demand model: the record and the
// forecasts of the queues with enough history.
type demandOutcome struct {
	Model     Model
	Forecasts []QueueForecast
}

// weekStart returns the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// trainDemand forecasts every queue of counts as of now.
func trainDemand(counts []weekCount, now time.Time) demandOutcome {
	version := demandPrefix + strconv.FormatInt(now.Unix(), 10)
	m := Model{Kind: KindDemand, Version: version, TrainedAt: &now}
	end := weekStart(now) // the current week is incomplete
	series := map[string]map[time.Time]float64{}
	first := map[string]time.Time{}
	for _, c := range counts {
		w := c.Week.UTC()
		if c.Queue == "" || !w.Before(end) {
			continue
		}
		if series[c.Queue] == nil {
			series[c.Queue] = map[time.Time]float64{}
		}
		series[c.Queue][w] += c.Cases
		if f, ok := first[c.Queue]; !ok || w.Before(f) {
			first[c.Queue] = w
		}
	}
	queues := make([]string, 0, len(series))
	for q := range series {
		queues = append(queues, q)
	}
	slices.Sort(queues)
	out := demandOutcome{Model: m}
	longest, maeSum := 0, 0.0
	for _, q := range queues {
		var y []float64
		for w := first[q]; w.Before(end); w = w.Add(week) {
			y = append(y, series[q][w])
		}
		longest = max(longest, len(y))
		if len(y) < demandMinWeeks {
			continue
		}
		f := forecastQueue(q, y, end)
		f.ModelVersion = version
		out.Forecasts = append(out.Forecasts, f)
		maeSum += f.MAE
		out.Model.TrainSize += len(y) - demandHeldOut
		out.Model.TestSize += demandHeldOut
		if p := out.Model.TrainPeriod; p == nil || first[q].Before(p.From) {
			out.Model.TrainPeriod = &Period{From: first[q], To: f.HeldOut.From}
		}
	}
	if len(out.Forecasts) == 0 {
		out.Model = notEnough(m, "no queue has %d complete weeks of cases (the longest has %d)", demandMinWeeks, longest)
		return out
	}
	held := out.Forecasts[0].HeldOut
	out.Model.Status, out.Model.HeldOutPeriod = StatusReady, &held
	out.Model.Metric = &Metric{Name: demandMetric, Value: round(maeSum/float64(len(out.Forecasts)), 4)}
	return out
}

// forecastQueue forecasts queue's weekly series y, whose last week ends at
// end: the error on the held-out weeks and the weeks ahead.
func forecastQueue(queue string, y []float64, end time.Time) QueueForecast {
	fit := y[:len(y)-demandHeldOut]
	season := demandMonth
	if len(fit) >= 2*demandYear {
		season = demandYear
	}
	predicted := fitHoltWinters(fit, season).forecast(demandHeldOut)
	var absSum, pctSum, pctN float64
	for i, p := range predicted {
		actual := y[len(fit)+i]
		absSum += math.Abs(actual - p)
		if actual > 0 {
			pctSum += math.Abs(actual-p) / actual
			pctN++
		}
	}
	out := QueueForecast{Queue: queue, Method: demandMethod, Season: season, HistoryWeeks: len(y),
		MAE: round(absSum/demandHeldOut, 4), HeldOut: Period{From: end.Add(-demandHeldOut * week), To: end}}
	if pctN > 0 {
		mape := round(pctSum/pctN, 4)
		out.MAPE = &mape
	}
	for i, c := range fitHoltWinters(y, season).forecast(demandAhead) {
		out.Weeks = append(out.Weeks, WeekCase{Week: end.Add(time.Duration(i) * week).Format(time.DateOnly), Cases: round(c, 1)})
	}
	return out
}
