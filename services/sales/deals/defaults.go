package deals

import "time"

// DefaultPipelineName is the name of the pipeline every tenant starts with.
const DefaultPipelineName = "Sales"

// defaultStages are the stages of the default pipeline: the seeds' sales
// process 线索 → 初步接触 → 需求确认 → 方案 → 报价 → 谈判 → 成交 → 售后, in
// English (a tenant renames them at will), and a lost stage, which the
// seeds leave implicit. 成交 (the deal is closed) is won; 售后
// (after-sales) follows it and is won too: a deal in after-sales stays
// won, counted as closed won. Opportunities must have the
// required fields to enter a stage.
var defaultStages = []struct {
	name, kind  string
	probability int
	required    []string
}{
	{"Lead", KindOpen, 5, nil},                                                  // 线索
	{"Initial contact", KindOpen, 10, nil},                                      // 初步接触
	{"Needs confirmed", KindOpen, 25, []string{"accountId"}},                    // 需求确认
	{"Proposal", KindOpen, 40, []string{"accountId", "primaryContactId"}},       // 方案
	{"Quote", KindOpen, 60, []string{"accountId", "amount", "closeDate"}},       // 报价
	{"Negotiation", KindOpen, 80, []string{"accountId", "amount", "closeDate"}}, // 谈判
	{"Won", KindWon, 100, []string{"accountId", "amount", "closeDate"}},         // 成交
	{"After-sales", KindWon, 100, []string{"accountId", "amount", "closeDate"}}, // 售后
	{"Lost", KindLost, 0, []string{"lostReason"}},                               // 输单
}

// DefaultPipeline returns a tenant's default pipeline as created at now,
// with fresh ids.
func DefaultPipeline(now time.Time) *Pipeline {
	p := &Pipeline{Name: DefaultPipelineName, IsDefault: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	for _, s := range defaultStages {
		probability := s.probability
		required := append([]string{}, s.required...)
		p.Stages = append(p.Stages, Stage{Name: s.name, Kind: s.kind, Probability: &probability, RequiredFields: required})
	}
	if err := p.normalize(nil); err != nil {
		panic("deals: the default pipeline is invalid: " + err.Error()) // a programming error, found by the first test
	}
	return p
}
