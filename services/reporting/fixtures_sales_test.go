package reporting_test

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/registry"
)

// The sales fixtures: the events of rapport.sales.v1 as the sales service
// publishes them (complete payloads, valid against
// services/sales/api/events, TestIngestSalesFixturesMatchSchemas), built
// from the few fields a test cares about.

// lead is a lead of the sales service. Status defaults to new (converted
// for the verb converted); Version to 1.
type lead struct {
	ID, Status, Source, CampaignID, Owner, Team, Rating string
	Score                                               int
	Created, Converted                                  time.Time
	ContactID, AccountID, OpportunityID                 string
	Version                                             int
}

// stageRef is a stage of a pipeline; Kind open, won or lost.
type stageRef struct{ Pipeline, Stage, Name, Kind string }

// opp is an opportunity of the sales service. Status defaults to open
// (won, lost for those verbs), Category to pipeline, Updated to Created,
// Version to 1; Currency "" publishes no amount.
type opp struct {
	ID, Name, Status, Currency, Owner, Team, Account, PrimaryContact, Category, CloseDate string
	Stage                                                                                 stageRef
	Contacts                                                                              []string
	Amount                                                                                int64
	Exponent, Probability                                                                 int
	Created, Closed, Updated                                                              time.Time
	Version                                                                               int
}

// salesType is the type of a sales event of entity and verb.
func salesType(entity, verb string) string { return "dev.rapport.sales." + entity + "." + verb + ".v1" }

// publishLead publishes lead.<verb> (created, updated, converted, deleted,
// restored) of l in tenant and returns the event's id.
func (e *env) publishLead(tenant, verb string, l lead) string {
	e.t.Helper()
	p := leadPayload(verb, l)
	return e.publish(registry.Sales, tenant, salesType("lead", verb), l.ID, p["updatedAt"].(time.Time), p)
}

// leadPayload is the payload of lead.<verb> of l.
func leadPayload(verb string, l lead) map[string]any {
	status := l.Status
	switch {
	case verb == "converted":
		status = "converted"
	case status == "":
		status = "new"
	}
	updated := l.Created
	p := map[string]any{"id": l.ID, "status": status, "score": l.Score, "scoreReasons": []any{}, "ownerId": l.Owner,
		"tags": []string{}, "customFields": map[string]any{}, "createdAt": l.Created, "version": versionOr1(l.Version),
		"firstName": "Lee", "lastName": "Ad", "company": "Acme"}
	setOpt(p, "source", l.Source)
	setOpt(p, "campaignId", l.CampaignID)
	setOpt(p, "teamId", l.Team)
	setOpt(p, "rating", l.Rating)
	if status == "converted" {
		converted, contact := l.Converted, l.ContactID
		if converted.IsZero() {
			converted = l.Created.Add(time.Hour)
		}
		if contact == "" {
			contact = uuid.NewString()
		}
		p["convertedAt"], p["convertedContactId"] = converted, contact
		setOpt(p, "convertedAccountId", l.AccountID)
		setOpt(p, "convertedOpportunityId", l.OpportunityID)
		updated = converted
	}
	if verb == "deleted" {
		p["deletedAt"] = updated
	}
	p["updatedAt"] = updated
	markChanged(p, verb)
	return p
}

// publishOpp publishes opportunity.<verb> (created, updated, won, lost,
// deleted, restored) of o in tenant and returns the event's id.
func (e *env) publishOpp(tenant, verb string, o opp) string {
	e.t.Helper()
	p := oppPayload(verb, o)
	return e.publish(registry.Sales, tenant, salesType("opportunity", verb), o.ID, p["updatedAt"].(time.Time), p)
}

// oppPayload is the full state of o as opportunity.<verb> carries it.
func oppPayload(verb string, o opp) map[string]any {
	status := o.Status
	if status == "" {
		status = "open"
		if verb == "won" || verb == "lost" {
			status = verb
		}
	}
	updated := o.Updated
	if updated.IsZero() {
		updated = o.Created
	}
	roles := []any{}
	for _, c := range o.Contacts {
		roles = append(roles, map[string]any{"contactId": c, "role": "influencer"})
	}
	stage := o.Stage
	if stage.Pipeline == "" {
		stage.Pipeline = uuid.NewString()
	}
	if stage.Stage == "" {
		stage.Stage = uuid.NewString()
	}
	category := o.Category
	if category == "" {
		category = "pipeline"
	}
	name := o.Name
	if name == "" {
		name = "Opportunity"
	}
	p := map[string]any{"id": o.ID, "name": name, "contactRoles": roles, "pipelineId": stage.Pipeline, "stageId": stage.Stage,
		"status": status, "probability": o.Probability, "forecastCategory": category, "ownerId": o.Owner,
		"competitors": []string{}, "lineItems": []any{}, "tags": []string{}, "customFields": map[string]any{},
		"createdAt": o.Created, "updatedAt": updated, "version": versionOr1(o.Version)}
	if o.Currency != "" {
		p["amount"] = map[string]any{"minor": o.Amount, "currency": o.Currency, "exponent": o.Exponent}
	}
	setOpt(p, "closeDate", o.CloseDate)
	setOpt(p, "teamId", o.Team)
	setOpt(p, "accountId", o.Account)
	setOpt(p, "primaryContactId", o.PrimaryContact)
	switch {
	case !o.Closed.IsZero():
		p["closedAt"] = o.Closed
	case status != "open":
		p["closedAt"] = updated
	}
	if verb == "deleted" {
		p["deletedAt"] = updated
	}
	markChanged(p, verb)
	return p
}

// publishStageMove publishes opportunity.stage_changed of o, which carries
// the stage it entered (o.Stage) and the move's time (o.Updated), from the
// stage from; it returns the event's id.
func (e *env) publishStageMove(tenant string, o opp, from stageRef) string {
	e.t.Helper()
	opp := oppPayload("stage_changed", o)
	p := map[string]any{"opportunity": opp, "from": stagePayload(from, opp["pipelineId"].(string)),
		"to": stagePayload(o.Stage, opp["pipelineId"].(string)), "movedBy": o.Owner}
	return e.publish(registry.Sales, tenant, salesType("opportunity", "stage_changed"), o.ID, opp["updatedAt"].(time.Time), p)
}

// stagePayload is s as stage_changed's from and to carry it (pipeline
// the opportunity's when s names none; name "Stage" and kind open when
// s has none).
func stagePayload(s stageRef, pipeline string) map[string]any {
	if s.Pipeline == "" {
		s.Pipeline = pipeline
	}
	if s.Stage == "" {
		s.Stage = uuid.NewString()
	}
	if s.Name == "" {
		s.Name = "Stage"
	}
	if s.Kind == "" {
		s.Kind = "open"
	}
	return map[string]any{"pipelineId": s.Pipeline, "stageId": s.Stage, "name": s.Name, "kind": s.Kind}
}

// pipelineVersions are the versions published of each tenant's pipelines:
// the first publishPipeline of one is pipeline.created (version 1), each
// next one pipeline.updated with the next version.
var pipelineVersions sync.Map // tenant/id → *int

// publishPipeline publishes pipeline id named name with stages in that
// order (their Stage, Name and Kind; at least 3) in tenant: created the
// first time, updated after; it returns the event's id.
func (e *env) publishPipeline(tenant, id, name string, stages []stageRef) string {
	e.t.Helper()
	counter, _ := pipelineVersions.LoadOrStore(tenant+"/"+id, new(int))
	n := counter.(*int)
	*n++
	verb := "created"
	if *n > 1 {
		verb = "updated"
	}
	p := pipelinePayload(id, name, stages, *n)
	markChanged(p, verb)
	return e.publish(registry.Sales, tenant, salesType("pipeline", verb), id, p["updatedAt"].(time.Time), p)
}

// pipelinePayload is the state of pipeline id at version.
func pipelinePayload(id, name string, stages []stageRef, version int) map[string]any {
	out := []any{}
	for _, s := range stages {
		st := stagePayload(s, id)
		out = append(out, map[string]any{"id": st["stageId"], "name": st["name"], "kind": st["kind"], "probability": 10,
			"requiredFields": []string{}})
	}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return map[string]any{"id": id, "name": name, "isDefault": false, "stages": out, "createdAt": created,
		"updatedAt": created.Add(time.Duration(version) * time.Minute), "version": version}
}

// publishForecast publishes forecast.overridden: a manager's override of
// owner's (or team's) category (commit, bestCase) in period ("2026-03",
// "2026-Q1") at minor units of currency, set at setAt; it returns the
// event's id.
func (e *env) publishForecast(tenant, owner, team, period, category string, minor int64, currency string, exponent int, setAt time.Time) string {
	e.t.Helper()
	p := forecastPayload(owner, team, period, category, minor, currency, exponent, setAt)
	subject := uuid.NewSHA1(uuid.NameSpaceURL, []byte("rapport:forecast-override:"+period+"/"+owner+"/"+team)).String()
	return e.publish(registry.Sales, tenant, salesType("forecast", "overridden"), subject, setAt, p)
}

// forecastPayload is the payload of forecast.overridden.
func forecastPayload(owner, team, period, category string, minor int64, currency string, exponent int, setAt time.Time) map[string]any {
	p := map[string]any{"period": period, "category": category, "note": "", "setBy": uuid.NewString(), "setAt": setAt,
		"amount": map[string]any{"minor": minor, "currency": currency, "exponent": exponent}}
	setOpt(p, "ownerId", owner)
	setOpt(p, "teamId", team)
	return p
}

// markChanged gives the payload of an updated event the top-level fields
// it changed (the schemas require some).
func markChanged(p map[string]any, verb string) {
	if verb == "updated" {
		p["changed"] = []string{"updatedAt"}
	}
}

// setOpt sets p[key] to v unless v is "" (an optional field left out).
func setOpt(p map[string]any, key, v string) {
	if v != "" {
		p[key] = v
	}
}

// versionOr1 is v, or 1 when v is 0 (a fixture's default version).
func versionOr1(v int) int {
	if v == 0 {
		return 1
	}
	return v
}
