package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// ABJudge is the job that decides sends' A/B tests, run by every replica
// (each test is locked while judged). A split, undecided test of a send
// still sending is judged on its test share's messages: its winner is
// the best variant by the metric's rate when its test (TestZ for two
// variants, TestChiSquare for three or four) is significant at its
// MinConfidence and none of its test share is left to go out; else, from
// DecideAt on, the best rate (ties: the first variant). The decision is
// recorded, the held messages released to go out with the winner's
// content, and send.ab_decided published.
type ABJudge struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// Bounds of the judging job.
const (
	// JudgeEvery is how often the job looks for tests to judge.
	JudgeEvery = 2 * time.Second
	// abTenantsPerRound is how many tenants one round takes on.
	abTenantsPerRound = 64
)

// NewABJudge returns the judging job's worker on db.
func NewABJudge(db *outbox.DB, logger *slog.Logger) *ABJudge {
	return &ABJudge{db: db, logger: logger, now: pg.Now}
}

// Job is the judging job, for the service's jobs.
func (j *ABJudge) Job() starter.Job {
	return starter.Job{Name: "marketing A/B tests", Every: JudgeEvery, Run: j.Run}
}

// Run judges the tests of every tenant with tests to judge.
func (j *ABJudge) Run(ctx context.Context) error {
	tenants, err := abTenantsDue(ctx, j.db, abTenantsPerRound)
	if err != nil {
		return err
	}
	var failed error
	for _, tenant := range tenants {
		if ctx.Err() != nil {
			return nil
		}
		if err := j.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return j.judgeAll(ctx, tx) }); err != nil {
			j.logger.WarnContext(ctx, "marketing A/B tests: a tenant's tests not judged; they are at the next turn", "tenant", tenant,
				"error", err.Error())
			failed = err
		}
	}
	return failed
}

// abDecided is the payload of send.ab_decided.
type abDecided struct {
	SendID string `json:"sendId"`
	Decision
}

// judgeAll judges the tests of tx's tenant, deciding those that are due.
func (j *ABJudge) judgeAll(ctx context.Context, tx *outbox.Tx) error {
	tests, err := undecidedTests(ctx, tx)
	if err != nil {
		return err
	}
	now := j.now()
	for _, r := range tests {
		counts, err := variantCounts(ctx, tx, r.SendID)
		if err != nil {
			return err
		}
		res := results(r, counts)
		pending := 0
		for _, v := range res.Variants {
			pending += v.Pending
		}
		by := ""
		switch {
		case res.Significant && pending == 0:
			by = DecidedBySignificance
		case !now.Before(r.DecideAt):
			by = DecidedByDeadline
		default:
			continue
		}
		d := Decision{Winner: res.Comparison.Best, By: by, At: now, Test: res.Test, Statistic: res.Statistic,
			PValue: max(res.PValue, res.Comparison.PValue), Variants: res.Variants}
		if err := decide(ctx, tx, r.SendID, d); err != nil {
			return err
		}
		j.logger.InfoContext(ctx, "marketing A/B tests: a winner chosen", "send", r.SendID, "winner", d.Winner, "by", by,
			"pValue", d.PValue)
		if err := tx.Emit(ctx, marketingdb.EntitySend, marketingdb.VerbABDecided, r.SendID, abDecided{SendID: r.SendID, Decision: d}, nil); err != nil {
			return err
		}
	}
	return nil
}

// ABRoutes returns the route of sends' A/B results on s, with its
// permission marketing:read; api/openapi.yaml documents it.
func ABRoutes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getSendABResults", Method: "GET", Path: "/v1/sends/{id}/ab-results", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.ABResults(ctx, r.(resource.IDRequest).ID)
				return resource.OK(out, 0, err)
			}},
	)
}
