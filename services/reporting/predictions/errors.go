package predictions

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of predictions.
var (
	// ErrNotEnoughData is a prediction asked of a model whose tenant's
	// history is too short (status notEnoughData): a 422 naming the model.
	ErrNotEnoughData = errs.New(errs.Unprocessable, "not-enough-data", "the model has not enough data")
	// ErrNotTrained is a prediction asked of a model never trained yet.
	ErrNotTrained = errs.New(errs.Unprocessable, "model-not-trained", "the model has not been trained yet")
	// ErrOpportunityNotFound is an opportunity without a prediction the
	// caller may see: unknown, closed, deleted or outside its scope.
	ErrOpportunityNotFound = errs.New(errs.NotFound, "opportunity-not-found", "no prediction of such an opportunity")
	// ErrAccountNotFound is an account without a prediction the caller may
	// see: no customer, unknown, deleted or outside its scope.
	ErrAccountNotFound = errs.New(errs.NotFound, "account-not-found", "no prediction of such an account")
	// ErrQueueNotFound is a queue no case names.
	ErrQueueNotFound = errs.New(errs.NotFound, "queue-not-found", "no case names such a queue")
	// ErrBadTrainEvery is a value of EnvTrainEvery that is no positive
	// duration.
	ErrBadTrainEvery = errs.New(errs.Invalid, "bad-train-every", EnvTrainEvery+" must be a positive duration (24h, 90m)")
)
