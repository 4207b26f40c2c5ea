// Package imports is the contacts' side of the CSV import (libs/importjob
// runs the upload, the job and its runner, the error report and the
// routes): what a column of a file may fill, what a mapping needs, and how
// a chunk of rows becomes contacts. Each chunk's rows are read, validated
// and normalised as the API does (records.Admit), given the accounts they
// name, checked for duplicates on email (or phone) within the file and
// against the tenant, copied into a staging table and merged into the
// contacts in one statement, with the created and updated events in the
// outbox; rows that fail go to the import's error report.
package imports

import (
	"context"
	"slices"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Domain is the import of contacts (importjob.Domain).
type Domain struct{ db *pgstore.DB }

// NewDomain returns the import of contacts on db.
func NewDomain(db *pgstore.DB) Domain { return Domain{db: db} }

// Target implements importjob.Domain: the tenant's region and custom field
// definitions of contacts.
func (d Domain) Target(ctx context.Context, tx *outbox.Tx, tenant string) (importjob.Target, error) {
	region, defs, err := catalog.WriteRules(ctx, d.db.With(tx.SQL(), tenant), customer.EntityContact)
	if err != nil {
		return nil, err
	}
	return &writeRules{db: d.db, region: region, defs: defs}, nil
}

// writeRules are the contacts of a tenant as an import writes them: the
// tenant's default region and custom field definitions.
type writeRules struct {
	db     *pgstore.DB
	region string
	defs   map[string]customfields.Field
}

// Fields implements importjob.Target.
func (t *writeRules) Fields() []string { return fieldsFor(t.defs) }

// Multi implements importjob.Target.
func (t *writeRules) Multi(field string) bool { return slices.Contains(multiFields, field) }

// Suggest implements importjob.Target.
func (t *writeRules) Suggest(header []string) importjob.Mapping {
	return suggestMapping(header, t.defs)
}

// Check implements importjob.Target.
func (t *writeRules) Check(p importjob.Plan, policy string) error {
	return checkPlan(p, policy, t.defs)
}

// Apply implements importjob.Target.
func (t *writeRules) Apply(ctx context.Context, tx *outbox.Tx, b *importjob.Batch) error {
	m := &merger{ctx: ctx, tx: t.db.With(tx.SQL(), b.Job.Tenant), b: b, region: t.region, defs: t.defs}
	return m.merge()
}
