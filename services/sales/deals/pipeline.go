// Package deals is the deals context of the sales service: the tenant's
// pipelines, each an ordered list of stages an opportunity moves through
// to won or lost, and the opportunities with their stage history and each
// pipeline's board. A tenant's default pipeline (DefaultPipeline) is
// created on its first use; changing pipelines is tenant configuration
// (sales:admin), changing opportunities sales:write within the caller's
// record scope.
package deals

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// The permissions of the sales module.
const (
	PermRead  = "sales:read"
	PermWrite = "sales:write"
	PermAdmin = "sales:admin"
)

// Pipeline is a tenant's sales pipeline: its stages in order.
type Pipeline struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	IsDefault bool      `json:"isDefault"`
	Stages    []Stage   `json:"stages"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// Stage is a step of a pipeline. Its id is stable for life: renaming,
// reordering or changing it keeps it.
type Stage struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Kind is KindOpen, KindWon or KindLost.
	Kind string `json:"kind"`
	// Probability is the default probability, in percent, of an
	// opportunity in the stage: 100 for a won stage, 0 for a lost one
	// (filled in when omitted), 0 to 100 for an open one (required).
	Probability *int `json:"probability"`
	// RequiredFields are the opportunity fields (OpportunityFields) an
	// opportunity must have to enter the stage.
	RequiredFields []string `json:"requiredFields"`
}

// The kinds of stage.
const (
	KindOpen = "open"
	KindWon  = "won"
	KindLost = "lost"
)

// OpportunityFields is the vocabulary of a stage's required fields: the
// fields of an opportunity that may be empty.
var OpportunityFields = []string{"amount", "closeDate", "accountId", "primaryContactId", "nextStep", "lostReason", "competitors", "lineItems"}

// The bounds of a pipeline.
const (
	maxName   = 100 // characters of a pipeline's or a stage's name
	maxStages = 30
)

// readOnlyFields are the fields of a Pipeline that the service sets.
var readOnlyFields = []string{"id", "isDefault", "createdAt", "updatedAt", "version"}

// The errors of pipelines; libs/kitx maps their kinds to HTTP statuses.
var (
	ErrPipelineNotFound = errs.New(errs.NotFound, "pipeline-not-found", "pipeline not found")
	ErrPipelineExists   = errs.New(errs.Conflict, "pipeline-exists", "a pipeline with this name already exists")
	ErrDefaultPipeline  = errs.New(errs.Conflict, "default-pipeline", "the default pipeline cannot be deleted")
	ErrIfMatchRequired  = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch  = errs.New(errs.PreconditionFailed, "version-mismatch", "the pipeline changed since you read it; read it again and retry")
)

// normalize validates p, whose stages were old's (nil for a new pipeline):
// a stage with an id must be one of old's, and keeps it; a stage without
// one is new and gets an id. It trims names and fills the probabilities of
// won and lost stages.
func (p *Pipeline) normalize(old []Stage) error {
	v := errs.NewValidator()
	p.Name = strings.TrimSpace(p.Name)
	v.Check(p.Name != "" && utf8.RuneCountInString(p.Name) <= maxName, "name", fmt.Sprintf("must be 1 to %d characters", maxName))
	v.Check(len(p.Stages) <= maxStages, "stages", fmt.Sprintf("at most %d stages", maxStages))
	kinds := map[string]int{}
	names, seenIDs := map[string]bool{}, map[string]bool{}
	for i := range p.Stages {
		s := &p.Stages[i]
		path := fmt.Sprintf("stages/%d/", i)
		switch {
		case s.ID == "":
			s.ID = ids.New()
		case old == nil:
			v.Check(false, path+"id", "is assigned by the service; leave it out")
		default:
			v.Check(slices.ContainsFunc(old, func(o Stage) bool { return o.ID == s.ID }) && !seenIDs[s.ID], path+"id",
				"must be the id of one of the pipeline's stages, once; leave it out for a new stage")
		}
		seenIDs[s.ID] = true
		s.Name = strings.TrimSpace(s.Name)
		key := strings.ToLower(s.Name)
		v.Check(s.Name != "" && utf8.RuneCountInString(s.Name) <= maxName && !names[key], path+"name",
			fmt.Sprintf("must be 1 to %d characters, unique in the pipeline", maxName))
		names[key] = true
		kinds[s.Kind]++
		s.checkProbability(v, path)
		if s.RequiredFields == nil {
			s.RequiredFields = []string{}
		}
		for j, f := range s.RequiredFields {
			v.Check(slices.Contains(OpportunityFields, f) && !slices.Contains(s.RequiredFields[:j], f), fmt.Sprintf("%srequiredFields/%d", path, j),
				"must be one of "+strings.Join(OpportunityFields, ", ")+", once")
		}
	}
	v.Check(kinds[KindOpen] > 0 && kinds[KindWon] > 0 && kinds[KindLost] > 0, "stages", "needs at least one open, one won and one lost stage")
	return v.Err()
}

// checkProbability checks s's kind and probability, filling in a won or
// lost stage's.
func (s *Stage) checkProbability(v *errs.Validator, path string) {
	fixed := map[string]int{KindWon: 100, KindLost: 0}
	switch s.Kind {
	case KindOpen:
		v.Check(s.Probability != nil && *s.Probability >= 0 && *s.Probability <= 100, path+"probability", "must be 0 to 100 (percent)")
	case KindWon, KindLost:
		want := fixed[s.Kind]
		if s.Probability == nil {
			s.Probability = &want
		}
		v.Check(*s.Probability == want, path+"probability", fmt.Sprintf("must be %d for a %s stage", want, s.Kind))
	default:
		v.Check(false, path+"kind", "must be open, won or lost")
	}
}
