package predictions

import "time"

// The kinds of model, each trained per tenant on its own history.
const (
	KindWin    = "win"    // the probability that an open opportunity is won
	KindChurn  = "churn"  // the risk that a customer account churns
	KindDemand = "demand" // the cases each queue gets in the weeks ahead
)

// Kinds are the kinds of model, in the order the models are listed.
var Kinds = []string{KindWin, KindChurn, KindDemand}

// The statuses of a model: ready (trained, its predictions stored),
// notEnoughData (the tenant's history is too short: Reason says how) and
// untrained (never trained yet).
const (
	StatusReady         = "ready"
	StatusNotEnoughData = "notEnoughData"
	StatusUntrained     = "untrained"
)

// Model is a tenant's last training of a kind of model: its version, when,
// its metric on the held-out period, the sizes of the training and
// held-out sets and their periods (the held-out one after the training
// one: the split is by time).
type Model struct {
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Version       string     `json:"version,omitempty"`
	TrainedAt     *time.Time `json:"trainedAt,omitempty"`
	Metric        *Metric    `json:"metric,omitempty"`
	TrainSize     int        `json:"trainSize"`
	TestSize      int        `json:"testSize"`
	TrainPeriod   *Period    `json:"trainPeriod,omitempty"`
	HeldOutPeriod *Period    `json:"heldOutPeriod,omitempty"`
	Reason        string     `json:"reason,omitempty"`
}

// Metric is a model's quality on its held-out period: AUC (win, churn) or
// MAE in cases per week (demand).
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Period is a time span [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Models is the answer of the models' list and of a retraining.
type Models struct {
	Items []Model `json:"items"`
}

// OpportunityPrediction is the win model's probability that an open
// opportunity is won, with the factors that weighed most.
type OpportunityPrediction struct {
	OpportunityID string    `json:"opportunityId" db:"opportunity_id"`
	Name          string    `json:"name" db:"name"`
	OwnerID       string    `json:"ownerId" db:"owner_id"`
	TeamID        string    `json:"teamId" db:"team_id"`
	Probability   float64   `json:"probability" db:"probability"`
	Factors       []Factor  `json:"factors" db:"-"`
	ModelVersion  string    `json:"modelVersion" db:"version"`
	ScoredAt      time.Time `json:"scoredAt" db:"scored_at"`
}

// AccountPrediction is the churn model's risk that a customer account
// (one with a won deal) has no won deal, activity or case in the next
// ChurnHorizon, with the factors that weighed most.
type AccountPrediction struct {
	AccountID    string    `json:"accountId" db:"account_id"`
	Name         string    `json:"name" db:"name"`
	OwnerID      string    `json:"ownerId" db:"owner_id"`
	TeamID       string    `json:"teamId" db:"team_id"`
	Risk         float64   `json:"churnRisk" db:"risk"`
	Factors      []Factor  `json:"factors" db:"-"`
	ModelVersion string    `json:"modelVersion" db:"version"`
	ScoredAt     time.Time `json:"scoredAt" db:"scored_at"`
}

// OpportunityPage and AccountPage are pages of predictions, the most
// likely first, and the cursor of the next page.
type (
	OpportunityPage struct {
		Items      []OpportunityPrediction `json:"items"`
		NextCursor string                  `json:"nextCursor,omitempty"`
	}
	AccountPage struct {
		Items      []AccountPrediction `json:"items"`
		NextCursor string              `json:"nextCursor,omitempty"`
	}
)

// QueueForecast is the demand forecast of a queue: the method, its
// season in weeks, the weeks of history it learnt from, its error on the
// held-out weeks (MAE in cases per week; MAPE over the held-out weeks
// that had cases, absent without any) and the weeks ahead.
type QueueForecast struct {
	Queue        string     `json:"queue"`
	ModelVersion string     `json:"modelVersion"`
	Method       string     `json:"method"`
	Season       int        `json:"season"`
	HistoryWeeks int        `json:"historyWeeks"`
	MAE          float64    `json:"mae"`
	MAPE         *float64   `json:"mape,omitempty"`
	HeldOut      Period     `json:"heldOutPeriod"`
	Weeks        []WeekCase `json:"weeks"`
}

// WeekCase is the cases forecast in the ISO week starting Week (a
// Monday, "2026-12-07").
type WeekCase struct {
	Week  string  `json:"week"`
	Cases float64 `json:"cases"`
}

// Demand is the answer of the demand forecast: a queue's, or every
// forecast queue's.
type Demand struct {
	Items []QueueForecast `json:"items"`
}
