package reporting_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// The predictions tests' histories: small, generated with a planted
// signal through the fixtures (the real topics and consumers), relative
// to now since the models train as of now.

// day is a day.
const day = 24 * time.Hour

// predModel is a model as GET /v1/predictions/models answers it.
type predModel struct {
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Version   string     `json:"version"`
	TrainedAt *time.Time `json:"trainedAt"`
	Metric    *struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
	} `json:"metric"`
	TrainSize     int       `json:"trainSize"`
	TestSize      int       `json:"testSize"`
	TrainPeriod   *predSpan `json:"trainPeriod"`
	HeldOutPeriod *predSpan `json:"heldOutPeriod"`
	Reason        string    `json:"reason"`
}

// predSpan is a model's period.
type predSpan struct{ From, To time.Time }

// predFactor is a factor of a prediction.
type predFactor struct {
	Feature string  `json:"feature"`
	Effect  float64 `json:"effect"`
	Text    string  `json:"text"`
}

// predOpp and predAccount are predictions as the routes answer them.
type (
	predOpp struct {
		OpportunityID string       `json:"opportunityId"`
		OwnerID       string       `json:"ownerId"`
		Probability   float64      `json:"probability"`
		Factors       []predFactor `json:"factors"`
		ModelVersion  string       `json:"modelVersion"`
	}
	predAccount struct {
		AccountID    string       `json:"accountId"`
		Name         string       `json:"name"`
		Risk         float64      `json:"churnRisk"`
		Factors      []predFactor `json:"factors"`
		ModelVersion string       `json:"modelVersion"`
	}
)

// retrain retrains tenant's models as u (reporting:admin) and returns
// them by kind.
func (e *env) retrain(u user) map[string]predModel {
	e.t.Helper()
	r := e.want(e.do(u, "POST", "/v1/predictions/retrain", nil), 200)
	out := map[string]predModel{}
	for _, m := range contracttest.Decode[struct{ Items []predModel }](r).Items {
		out[m.Kind] = m
	}
	return out
}

// featureNames returns the features the factors name.
func featureNames(fs []predFactor) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Feature)
	}
	return strings.Join(out, ",")
}

// winDeals publishes n closed opportunities of tenant, closing every 3
// days back from now, owned by owners: the planted signal is that a deal
// with more stage moves, or converted from a referral lead, is far more
// often won. It returns the sales events published.
func (e *env) winDeals(tenant string, n int, owners []string, seed uint64) int64 {
	e.t.Helper()
	r := rand.New(rand.NewPCG(seed, 2))
	now := time.Now().UTC()
	var events int64
	for i := range n {
		closed := now.Add(-time.Duration(3*(n-i)) * day)
		moves, source := r.IntN(5), []string{"referral", "web", ""}[r.IntN(3)]
		logit := -3.0 + 1.3*float64(moves)
		if source == "referral" {
			logit += 2.5
		}
		verb := "lost"
		if r.Float64() < 1/(1+math.Exp(-logit)) {
			verb = "won"
		}
		o := opp{ID: uuid.NewString(), Currency: "EUR", Exponent: 2, Amount: int64(100_000 + r.IntN(900_000)),
			Owner: owners[r.IntN(len(owners))], Created: closed.Add(-time.Duration(20+r.IntN(40)) * day)}
		events += e.openDeal(tenant, o, moves, source)
		o.Version, o.Updated, o.Closed = moves+2, closed, closed
		e.publishOpp(tenant, verb, o)
		events++
	}
	return events
}

// openDeal publishes o's stage moves (moves of them, a day apart after
// its creation) and the lead of source it was converted from (none for
// ""); it returns the events published.
func (e *env) openDeal(tenant string, o opp, moves int, source string) int64 {
	e.t.Helper()
	events := int64(0)
	if source != "" {
		e.publishLead(tenant, "converted", lead{ID: uuid.NewString(), Source: source, Owner: o.Owner, Created: o.Created.Add(-day),
			Converted: o.Created, OpportunityID: o.ID, Version: 2})
		events++
	}
	if moves == 0 {
		e.publishOpp(tenant, "created", o)
		return events + 1
	}
	from := stageRef{Stage: uuid.NewString(), Name: "Qualify"}
	for k := range moves {
		o.Version, o.Updated = k+1, o.Created.Add(time.Duration(k+1)*day)
		o.Stage = stageRef{Stage: uuid.NewString(), Name: "Step"}
		e.publishStageMove(tenant, o, from)
		from = o.Stage
		events++
	}
	return events
}

// churnAccounts publishes n customer accounts of tenant, each with one
// won deal when it became a customer (420 to 780 days ago) and an
// activity every 60 days since while engaged: half stay engaged until
// now, half stop at some time (the planted signal: an account without
// recent activity churns). It returns the contacts and sales events
// published and the id of an account that stopped long ago.
func (e *env) churnAccounts(tenant string, n int, seed uint64) (contacts, sales int64, dormant string) {
	e.t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	now := time.Now().UTC()
	owner := uuid.NewString()
	for i := range n {
		start := now.Add(-time.Duration(420+r.IntN(360)) * day)
		end := now
		if i%2 == 1 {
			end = start.Add(time.Duration(60+r.IntN(int(now.Sub(start)/day)-60)) * day)
		}
		a := account{ID: uuid.NewString(), Name: "Customer", Owner: owner, Created: start.Add(-30 * day)}
		if i == 1 {
			end, dormant = start.Add(70*day), a.ID
		}
		e.publishAccount(tenant, "created", a)
		e.publishOpp(tenant, "won", opp{ID: uuid.NewString(), Account: a.ID, Owner: owner, Currency: "EUR", Exponent: 2,
			Amount: int64(50_000 + r.IntN(500_000)), Created: start.Add(-20 * day), Updated: start, Closed: start, Version: 2})
		contacts, sales = contacts+1, sales+1
		for at := start.Add(20 * day); !at.After(end) && at.Before(now); at = at.Add(60 * day) {
			e.publishActivity(tenant, "created", activity{ID: uuid.NewString(), Type: "call", Owner: owner, Account: a.ID, Occurred: at})
			contacts++
		}
	}
	return contacts, sales, dormant
}
