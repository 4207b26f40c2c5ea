package surveys

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// The groupings of results.
const (
	GroupAgent = "agent"
	GroupQueue = "queue"
	GroupMonth = "month"
)

// ResultsQuery asks for the results of the surveys of Kind sent in
// [From, To), grouped by GroupBy (none: one total).
type ResultsQuery struct {
	Kind     string
	From, To time.Time
	GroupBy  string
}

// Result is the count of a group's surveys: sent, answered, and for CSAT
// the average score and the share satisfied (4 or 5), for NPS the
// promoters (9-10), passives (7-8), detractors (0-6) and the NPS (the
// share of promoters less that of detractors, -100 to 100). Key is the
// agent's or queue's id ("" for none) or the month (YYYY-MM).
type Result struct {
	Key              string   `json:"key,omitempty"`
	Sent             int      `json:"sent"`
	Answered         int      `json:"answered"`
	Average          *float64 `json:"average,omitempty"`
	SatisfiedPercent *float64 `json:"satisfiedPercent,omitempty"`
	Promoters        int      `json:"promoters"`
	Passives         int      `json:"passives"`
	Detractors       int      `json:"detractors"`
	NPS              *float64 `json:"nps,omitempty"`
}

// Results are the results asked for: the total and, with a grouping, its
// groups ordered by key.
type Results struct {
	Kind    string    `json:"kind"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	GroupBy string    `json:"groupBy,omitempty"`
	Total   Result    `json:"total"`
	Groups  []Result  `json:"groups"`
}

// groupKeys are the SQL of each grouping's key.
var groupKeys = map[string]string{
	"":         "''",
	GroupAgent: "agent_id",
	GroupQueue: "queue_id",
	GroupMonth: "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM')",
}

// resultRow is a group's counts as SQL reads them.
type resultRow struct {
	Key        string   `db:"key"`
	Sent       int      `db:"sent"`
	Answered   int      `db:"answered"`
	Sum        *float64 `db:"sum"`
	Satisfied  int      `db:"satisfied"`
	Promoters  int      `db:"promoters"`
	Detractors int      `db:"detractors"`
}

// Results counts the caller's tenant's surveys as q asks.
func (s *Service) Results(ctx context.Context, q ResultsQuery) (out Results, err error) {
	out = Results{Kind: q.Kind, From: q.From.UTC(), To: q.To.UTC(), GroupBy: q.GroupBy, Groups: []Result{}}
	var rows []resultRow
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		err := tx.SQL().SelectContext(ctx, &rows, `SELECT `+groupKeys[q.GroupBy]+` AS key, count(*) AS sent,
				count(score) AS answered, sum(score)::float8 AS sum,
				count(*) FILTER (WHERE score >= 4) AS satisfied,
				count(*) FILTER (WHERE score >= 9) AS promoters,
				count(*) FILTER (WHERE score <= 6) AS detractors
			FROM surveys WHERE kind = $1 AND sent_at >= $2 AND sent_at < $3
			GROUP BY 1 ORDER BY 1`, q.Kind, q.From, q.To)
		if err != nil {
			return fmt.Errorf("count surveys: %w", pg.MapError(err))
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	var total resultRow
	for _, r := range rows {
		total.Sent += r.Sent
		total.Answered += r.Answered
		total.Satisfied += r.Satisfied
		total.Promoters += r.Promoters
		total.Detractors += r.Detractors
		if r.Sum != nil {
			total.Sum = ptr(deref(total.Sum) + *r.Sum)
		}
		if q.GroupBy != "" {
			out.Groups = append(out.Groups, r.result(q.Kind))
		}
	}
	out.Total = total.result(q.Kind)
	return out, nil
}

// result is r's Result for surveys of kind.
func (r resultRow) result(kind string) Result {
	out := Result{Key: r.Key, Sent: r.Sent, Answered: r.Answered}
	if r.Answered == 0 {
		return out
	}
	n := float64(r.Answered)
	if kind == KindCSAT {
		out.Average = ptr(round(deref(r.Sum)/n, 2))
		out.SatisfiedPercent = ptr(round(100*float64(r.Satisfied)/n, 1))
		return out
	}
	out.Promoters, out.Detractors = r.Promoters, r.Detractors
	out.Passives = r.Answered - r.Promoters - r.Detractors
	out.NPS = ptr(round(100*float64(r.Promoters-r.Detractors)/n, 1))
	return out
}

// round rounds x to places decimals.
func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
